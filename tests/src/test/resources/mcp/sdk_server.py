"""An MCP server built with the official SDK (PyPI mcp), serving Streamable HTTP at /mcp.

usage: sdk_server.py PORT
Both revisions at once: 2025 clients get a session (Mcp-Session-Id), 2026-07-28 clients are served
statelessly, as the SDK does. Its tools only say they ran; which of them a chain may call is
hopgate's decision, never the server's. Prints "listening" once the port accepts connections.
"""
import sys

import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings

port = int(sys.argv[1])
# Requests arrive through Envoy with the Host the client used; hopgate decides who may call.
server = MCPServer("e2e-sdk-tools", version="1")


@server.tool()
async def open_case(reason: str = "refund") -> str:
    """Opens a support case."""
    return "ran open_case"


@server.tool()
async def approve_refund() -> str:
    """Approves a refund."""
    return "ran approve_refund"


@server.tool()
async def issue_refund(amount: int = 1) -> str:
    """Issues a refund."""
    return "ran issue_refund"


@server.tool()
async def reserve_stock(sku: str = "sku-1") -> str:
    """Reserves stock."""
    return "ran reserve_stock"


app = server.streamable_http_app(
    stateless_http=False,
    json_response=True,
    # Requests arrive through Envoy with the Host the client used; hopgate decides who may call.
    transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
)
config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")


class Announcing(uvicorn.Server):
    async def startup(self, sockets=None):
        await super().startup(sockets)
        print("listening", flush=True)


Announcing(config).run()
