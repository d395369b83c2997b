package dev.hopgate.tests.harness;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads hopgate's answer to an MCP request in either form: a refused tool call is a tool result
 * ({@code isError: true}, the SEP-2643 envelope and the problem in {@code result._meta}); any other
 * denial a JSON-RPC error ({@code error.data.authorization}, {@code error.data.problem}).
 */
public final class McpAnswers {
  private McpAnswers() {}

  /** The RFC 9457 problem document of a denial, or a missing node. */
  public static JsonNode problem(JsonNode answer) {
    return answer.has("error")
        ? answer.at("/error/data/problem")
        : answer.at("/result/_meta/dev.hopgate~1problem");
  }

  /** The SEP-2643 envelope of a denial, or a missing node. */
  public static JsonNode envelope(JsonNode answer) {
    return answer.has("error")
        ? answer.at("/error/data/authorization")
        : answer.at("/result/_meta/io.modelcontextprotocol~1authorization");
  }

  /** The first violation as {@code gate/code}. */
  public static String violation(JsonNode answer) {
    JsonNode first = problem(answer).at("/violations/0");
    return first.path("gate").asText() + "/" + first.path("code").asText();
  }

  /** Whether the answer is the MCP server's success (a result that is not a tool error). */
  public static boolean succeeded(JsonNode answer) {
    return answer.path("result").isObject() && !answer.at("/result/isError").asBoolean(false);
  }
}
