"""A planner built on the official MCP SDK's client (PyPI mcp): it calls a goal tool through Envoy
and hopgate, reads hopgate's denial as the SDK surfaces it (a tool error whose _meta carries MCP
SEP-2643's authorization envelope), does what the envelope's dev.hopgate/complete_steps hints say,
and retries, echoing the denial's authorizationContextId. Then it sends one call whose Mcp-Name
header disagrees with its body.

usage: planner.py < SCENARIO_JSON
  {"base": "https://localhost:PORT", "ca": PEM, "cert": PEM, "key": PEM,
   "mode": "auto" (2026-07-28, found by server/discover) or "legacy" (2025-11-25, a session),
   "txn_token": JWS, "completions_header": "txn-completions",
   "endpoints": {NAME: {"path": "/x/mcp", "authorization": "Bearer ..."}},
   "steps": {STEP: {"endpoint": NAME, "tool": TOOL}},
   "goal": {"endpoint": NAME, "tool": TOOL}}
Prints one JSON object: what happened, for the test to assert.
"""
import asyncio
import json
import ssl
import sys

import httpx2
from mcp import Client, MCPError
from mcp.client.streamable_http import streamable_http_client

ENVELOPE = "io.modelcontextprotocol/authorization"
CONTEXT_ID = "io.modelcontextprotocol/authorization-context-id"
PROBLEM = "dev.hopgate/problem"


class Credentials(httpx2.Auth):
    """The txn's headers on every request: its Txn-Token, the endpoint's hop token, the completion
    records collected so far; and, when asked, a wrong Mcp-Name header."""

    def __init__(self, scenario, endpoint, txn):
        self.scenario = scenario
        self.endpoint = endpoint
        self.txn = txn
        self.wrong_name = False

    def auth_flow(self, request):
        request.headers["Txn-Token"] = self.scenario["txn_token"]
        request.headers["Authorization"] = self.scenario["endpoints"][self.endpoint]["authorization"]
        if self.txn["completions"]:
            request.headers[self.scenario["completions_header"]] = "~".join(self.txn["completions"])
        if self.wrong_name and request.method == "POST":
            request.headers["Mcp-Name"] = "drop_database"
        self.txn["requests"].append(
            {"endpoint": self.endpoint, "method": request.method,
             "mcp_method": request.headers.get("mcp-method"),
             "session": request.headers.get("mcp-session-id")})
        response = yield request
        record = response.headers.get("txn-completion")
        if record:
            self.txn["completions"].append(record)


def tool_result(result):
    meta = result.meta or {}
    return {
        "is_error": bool(result.is_error),
        "text": " ".join(c.text for c in result.content if getattr(c, "type", "") == "text"),
        "envelope": meta.get(ENVELOPE),
        "problem": meta.get(PROBLEM),
    }


async def main():
    scenario = json.load(sys.stdin)
    txn = {"completions": [], "requests": []}
    out = {"followed": [], "steps": {}}

    def connect(endpoint):
        auth = Credentials(scenario, endpoint, txn)
        tls = ssl.create_default_context(cafile=scenario["ca"])
        tls.load_cert_chain(scenario["cert"], scenario["key"])
        http = httpx2.AsyncClient(auth=auth, verify=tls, timeout=30)
        url = scenario["base"] + scenario["endpoints"][endpoint]["path"]
        return auth, http, Client(streamable_http_client(url, http_client=http), mode=scenario["mode"])

    goal = scenario["goal"]
    auth, http, client = connect(goal["endpoint"])
    async with http, client:
        out["protocol_version"] = client.protocol_version
        denied = tool_result(await client.call_tool(goal["tool"], {}))
        out["denied"] = denied
        envelope = denied["envelope"] or {}
        for hint in envelope.get("remediationHints", []):
            if hint.get("type") != "dev.hopgate/complete_steps":
                continue  # as SEP-2643 says: a hint whose type a client does not know is ignored
            for step in hint.get("steps", []):
                target = scenario["steps"][step]
                _, step_http, step_client = connect(target["endpoint"])
                async with step_http, step_client:
                    out["steps"][step] = tool_result(await step_client.call_tool(target["tool"], {}))
                out["followed"].append(step)
        meta = {CONTEXT_ID: envelope["authorizationContextId"]} if envelope else None
        out["retried"] = tool_result(await client.call_tool(goal["tool"], {}, meta=meta))
        auth.wrong_name = True
        try:
            await client.session.call_tool(goal["tool"], {})
            out["mismatch"] = {"code": None}
        except MCPError as e:
            out["mismatch"] = {"code": e.code, "message": e.message}
        auth.wrong_name = False
        out["after_mismatch"] = tool_result(await client.call_tool(goal["tool"], {}))
    out["requests"] = txn["requests"]
    print(json.dumps(out))


asyncio.run(main())
