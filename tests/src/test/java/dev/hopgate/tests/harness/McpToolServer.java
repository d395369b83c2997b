package dev.hopgate.tests.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.List;

/**
 * A small MCP server over streamable HTTP (JSON responses): {@code initialize}, {@code tools/list},
 * the resource and prompt lists, {@code tools/call} on its tools, 202 for notifications. It runs
 * whatever tool the body names, which is why hopgate must read the body exactly as it does.
 */
public final class McpToolServer implements HttpHandler {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<String> tools;

  public McpToolServer(List<String> tools) {
    this.tools = List.copyOf(tools);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestMethod().equals("POST")) {
      send(exchange, 405, null);
      return;
    }
    JsonNode request = JSON.readTree(exchange.getRequestBody());
    if (!request.has("id")) {
      send(exchange, 202, null);
      return;
    }
    ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
    response.set("id", request.get("id"));
    String method = request.path("method").asText();
    switch (method) {
      case "initialize" -> {
        ObjectNode result = response.putObject("result").put("protocolVersion", "2025-06-18");
        result.putObject("capabilities").putObject("tools");
        result.putObject("serverInfo").put("name", "e2e-tools").put("version", "1");
      }
      case "tools/list" -> {
        var list = response.putObject("result").putArray("tools");
        tools.forEach(
            t -> list.addObject().put("name", t).putObject("inputSchema").put("type", "object"));
      }
      case "tools/call" -> {
        String tool = request.path("params").path("name").asText();
        if (tools.contains(tool)
            && request.path("params").path("arguments").path("fail").asBoolean(false)) {
          // A tool error: the server answered, the tool did not do its work.
          ObjectNode result = response.putObject("result").put("isError", true);
          result.putArray("content").addObject().put("type", "text").put("text", tool + " failed");
        } else if (tools.contains(tool)) {
          response
              .putObject("result")
              .putArray("content")
              .addObject()
              .put("type", "text")
              .put("text", "ran " + tool);
        } else {
          response.putObject("error").put("code", -32602).put("message", "Unknown tool: " + tool);
        }
      }
      case "resources/read" -> {
        String uri = request.path("params").path("uri").asText();
        response
            .putObject("result")
            .putArray("contents")
            .addObject()
            .put("uri", uri)
            .put("text", "read " + uri);
      }
      case "resources/list" -> {
        var list = response.putObject("result").putArray("resources");
        for (String sku : List.of("sku-1", "sku-2")) {
          list.addObject().put("uri", "inventory://stock/" + sku).put("name", sku);
        }
      }
      case "resources/templates/list" ->
          response
              .putObject("result")
              .putArray("resourceTemplates")
              .addObject()
              .put("uriTemplate", "inventory://stock/{sku}")
              .put("name", "stock");
      case "prompts/list" ->
          response.putObject("result").putArray("prompts").addObject().put("name", "leak_secrets");
      case "ping" -> response.putObject("result");
      default -> response.putObject("error").put("code", -32601).put("message", "Method not found");
    }
    if (request.path("params").path("arguments").path("stream").asBoolean(false)) {
      // Streamable HTTP's other answer: an SSE stream, a progress notification before the response.
      String stream =
          "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\","
              + "\"params\":{\"progressToken\":\"p\",\"progress\":1}}\n\n"
              + "event: message\ndata: "
              + JSON.writeValueAsString(response)
              + "\n\n";
      exchange.getResponseHeaders().set("content-type", "text/event-stream");
      byte[] bytes = stream.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
      return;
    }
    send(exchange, 200, JSON.writeValueAsBytes(response));
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    if (body == null) {
      exchange.sendResponseHeaders(status, -1);
    } else {
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }
}
