"""The MCP conformance suite's server fixtures (npm @modelcontextprotocol/conformance 0.1.16, its
server scenarios), built with the official MCP SDK (PyPI mcp): the tools, resources, prompts and
methods each scenario calls, answering what it checks. McpConformanceIT runs the suite against it
directly and through Envoy and hopgate.

usage: conformance_server.py PORT   (Streamable HTTP at /mcp; prints "listening" when it accepts)
"""
import asyncio
import base64
import json
import sys

import uvicorn
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import (
    AudioContent,
    CallToolResult,
    Completion,
    EmbeddedResource,
    EmptyResult,
    ImageContent,
    SamplingMessage,
    SetLevelRequestParams,
    SubscribeRequestParams,
    TextContent,
    TextResourceContents,
    UnsubscribeRequestParams,
)
from mcp.server.mcpserver.prompts.base import UserMessage

# A 1x1 red PNG
PNG_B64 = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="
)
# A WAV header of no samples (44 bytes): the suite checks only the media type
WAV_B64 = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQAAAAA="

mcp = MCPServer("conformance-test-server", version="1.0.0")


@mcp.tool(description="Returns simple text")
def test_simple_text() -> list[TextContent]:
    return [TextContent(type="text", text="This is a simple text response for testing.")]


@mcp.tool(description="Returns image")
def test_image_content() -> list[ImageContent]:
    return [ImageContent(type="image", data=PNG_B64, mime_type="image/png")]


@mcp.tool(description="Returns audio")
def test_audio_content() -> list[AudioContent]:
    return [AudioContent(type="audio", data=WAV_B64, mime_type="audio/wav")]


@mcp.tool(description="Returns embedded resource")
def test_embedded_resource() -> list[EmbeddedResource]:
    return [
        EmbeddedResource(
            type="resource",
            resource=TextResourceContents(
                uri="test://embedded-resource", mime_type="text/plain", text="This is an embedded resource content."
            ),
        )
    ]


@mcp.tool(description="Returns mixed content")
def test_multiple_content_types() -> CallToolResult:
    return CallToolResult(
        content=[
            TextContent(type="text", text="Multiple content types test:"),
            ImageContent(type="image", data=PNG_B64, mime_type="image/png"),
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(
                    uri="test://mixed-content-resource",
                    mime_type="application/json",
                    text=json.dumps({"test": "data", "value": 123}),
                ),
            ),
        ]
    )


@mcp.tool(description="Logs during execution")
async def test_tool_with_logging(ctx: Context) -> str:
    await ctx.info("Tool execution started")
    await asyncio.sleep(0.05)
    await ctx.info("Tool processing data")
    await asyncio.sleep(0.05)
    await ctx.info("Tool execution completed")
    return "Tool with logging executed successfully"


@mcp.tool(description="Always errors")
def test_error_handling() -> CallToolResult:
    return CallToolResult(
        is_error=True,
        content=[TextContent(type="text", text="This tool intentionally returns an error for testing")],
    )


@mcp.tool(description="Reports progress")
async def test_tool_with_progress(ctx: Context) -> str:
    await ctx.report_progress(0, 100)
    await asyncio.sleep(0.05)
    await ctx.report_progress(50, 100)
    await asyncio.sleep(0.05)
    await ctx.report_progress(100, 100)
    return "Tool with progress executed successfully"


@mcp.tool(description="Requests sampling")
async def test_sampling(prompt: str, ctx: Context) -> str:
    result = await ctx.session.create_message(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=prompt))],
        max_tokens=100,
        related_request_id=ctx.request_id,
    )
    text = result.content.text if isinstance(result.content, TextContent) else str(result.content)
    return f"LLM response: {text}"


@mcp.tool(description="Requests elicitation")
async def test_elicitation(message: str, ctx: Context) -> str:
    result = await ctx.session.elicit_form(
        message=message,
        requested_schema={
            "type": "object",
            "properties": {
                "username": {"type": "string", "description": "User's response"},
                "email": {"type": "string", "description": "User's email address"},
            },
            "required": ["username", "email"],
        },
        related_request_id=ctx.request_id,
    )
    return f"User response: action={result.action}, content={json.dumps(result.content)}"


@mcp.tool(description="SEP-1034 defaults")
async def test_elicitation_sep1034_defaults(ctx: Context) -> str:
    result = await ctx.session.elicit_form(
        message="Please review and update the form fields with defaults",
        requested_schema={
            "type": "object",
            "properties": {
                "name": {"type": "string", "description": "User name", "default": "John Doe"},
                "age": {"type": "integer", "description": "User age", "default": 30},
                "score": {"type": "number", "description": "User score", "default": 95.5},
                "status": {
                    "type": "string",
                    "description": "User status",
                    "enum": ["active", "inactive", "pending"],
                    "default": "active",
                },
                "verified": {"type": "boolean", "description": "Verification status", "default": True},
            },
            "required": [],
        },
        related_request_id=ctx.request_id,
    )
    return f"Elicitation completed: action={result.action}, content={json.dumps(result.content)}"


@mcp.tool(description="SEP-1330 enums")
async def test_elicitation_sep1330_enums(ctx: Context) -> str:
    result = await ctx.session.elicit_form(
        message="Please select options from the enum fields",
        requested_schema={
            "type": "object",
            "properties": {
                "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
                "titledSingle": {
                    "type": "string",
                    "oneOf": [
                        {"const": "value1", "title": "First Option"},
                        {"const": "value2", "title": "Second Option"},
                        {"const": "value3", "title": "Third Option"},
                    ],
                },
                "legacyEnum": {
                    "type": "string",
                    "enum": ["opt1", "opt2", "opt3"],
                    "enumNames": ["Option One", "Option Two", "Option Three"],
                },
                "untitledMulti": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["option1", "option2", "option3"]},
                },
                "titledMulti": {
                    "type": "array",
                    "items": {
                        "anyOf": [
                            {"const": "value1", "title": "First Choice"},
                            {"const": "value2", "title": "Second Choice"},
                            {"const": "value3", "title": "Third Choice"},
                        ]
                    },
                },
            },
            "required": [],
        },
        related_request_id=ctx.request_id,
    )
    return f"Elicitation completed: action={result.action}, content={json.dumps(result.content)}"


@mcp.resource("test://static-text", name="static-text", description="Static text", mime_type="text/plain")
def static_text() -> str:
    return "This is the content of the static text resource."


@mcp.resource("test://static-binary", name="static-binary", description="Static binary", mime_type="image/png")
def static_binary() -> bytes:
    return base64.b64decode(PNG_B64)


@mcp.resource("test://watched-resource", name="watched-resource", description="Watched", mime_type="text/plain")
def watched() -> str:
    return "Watched resource content"


@mcp.resource("test://template/{id}/data", name="template", description="Template", mime_type="application/json")
def template_data(id: str) -> str:
    return json.dumps({"id": id, "templateTest": True, "data": f"Data for ID: {id}"})


@mcp.prompt(description="Simple prompt")
def test_simple_prompt() -> list[UserMessage]:
    return [UserMessage("This is a simple prompt for testing.")]


@mcp.prompt(description="Prompt with args")
def test_prompt_with_arguments(arg1: str, arg2: str) -> list[UserMessage]:
    return [UserMessage(f"Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")]


@mcp.prompt(description="Prompt with embedded resource")
def test_prompt_with_embedded_resource(resourceUri: str) -> list[UserMessage]:
    return [
        UserMessage(
            EmbeddedResource(
                type="resource",
                resource=TextResourceContents(
                    uri=resourceUri, mime_type="text/plain", text="Embedded resource content for testing."
                ),
            )
        ),
        UserMessage("Please process the embedded resource above."),
    ]


@mcp.prompt(description="Prompt with image")
def test_prompt_with_image() -> list[UserMessage]:
    return [
        UserMessage(ImageContent(type="image", data=PNG_B64, mime_type="image/png")),
        UserMessage("Please analyze the image above."),
    ]


@mcp.completion()
async def complete(ref, argument, context):
    return Completion(values=["paris", "park", "party"], total=3, has_more=False)


subs: set[str] = set()


async def set_level(ctx, params: SetLevelRequestParams) -> EmptyResult:
    return EmptyResult()


async def subscribe(ctx, params: SubscribeRequestParams) -> EmptyResult:
    subs.add(str(params.uri))
    return EmptyResult()


async def unsubscribe(ctx, params: UnsubscribeRequestParams) -> EmptyResult:
    subs.discard(str(params.uri))
    return EmptyResult()


ll = mcp._lowlevel_server
ll.add_request_handler("logging/setLevel", SetLevelRequestParams, set_level)
ll.add_request_handler("resources/subscribe", SubscribeRequestParams, subscribe)
ll.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, unsubscribe)



class Announcing(uvicorn.Server):
    async def startup(self, sockets=None):
        await super().startup(sockets)
        print("listening", flush=True)


if __name__ == "__main__":
    # host="127.0.0.1" keeps the SDK's DNS rebinding protection on (Hosts localhost:*, 127.0.0.1:*),
    # which the dns-rebinding-protection scenario checks.
    app = mcp.streamable_http_app(host="127.0.0.1")
    Announcing(uvicorn.Config(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")).run()
