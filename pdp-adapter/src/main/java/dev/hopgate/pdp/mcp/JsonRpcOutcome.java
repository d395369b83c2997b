package dev.hopgate.pdp.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether an MCP tool call ran: its response (a JSON body, or a server-sent event stream under
 * streamable HTTP) carries the JSON-RPC response with the request's id, and that response is a
 * {@code result} without {@code isError: true}. Anything else (an error, a tool error, no matching
 * response, an unreadable body) is "did not complete": a completion record is evidence, and a
 * missing one only means the planner repeats or repairs a step.
 */
public final class JsonRpcOutcome {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonRpcOutcome() {}

  /**
   * @param body the whole response body
   * @param contentType the response's content type
   * @param rawId the request's id as JSON text (from the decision)
   */
  public static boolean toolCallSucceeded(String body, String contentType, String rawId) {
    JsonNode id;
    try {
      id = JSON.readTree(rawId);
    } catch (JsonProcessingException e) {
      return false;
    }
    String type = contentType.toLowerCase(Locale.ROOT);
    List<String> messages = type.startsWith("text/event-stream") ? sseData(body) : List.of(body);
    for (String message : messages) {
      JsonNode response;
      try {
        response = JSON.readTree(message);
      } catch (JsonProcessingException e) {
        continue;
      }
      if (response == null || !response.isObject() || !id.equals(response.get("id"))) {
        continue;
      }
      JsonNode result = response.get("result");
      return result != null
          && result.isObject()
          && !response.has("error")
          && !result.path("isError").asBoolean(false);
    }
    return false;
  }

  /** The data of each event in a text/event-stream (multi-line data joined with newlines). */
  static List<String> sseData(String stream) {
    List<String> events = new ArrayList<>();
    StringBuilder data = null;
    for (String line : stream.split("\r\n|\r|\n", -1)) {
      if (line.isEmpty()) {
        if (data != null) {
          events.add(data.toString());
          data = null;
        }
      } else if (line.startsWith("data:")) {
        String value = line.substring(5);
        value = value.startsWith(" ") ? value.substring(1) : value;
        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
      }
    }
    // An event not yet ended by a blank line was cut off: it does not count.
    return events;
  }
}
