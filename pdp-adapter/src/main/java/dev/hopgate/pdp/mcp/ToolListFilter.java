package dev.hopgate.pdp.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Cuts an MCP {@code tools/list} response down to the tools the chain could call, so a planner does
 * not plan steps it cannot take. This is advice, not enforcement (every {@code tools/call} is
 * decided on its own): a response hopgate cannot read passes unchanged.
 */
public final class ToolListFilter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ToolListFilter() {}

  /**
   * @param body the whole response body (JSON, or a text/event-stream)
   * @param rawId the tools/list request's id as JSON text
   * @param visible the tool names to keep
   * @return the filtered body, or empty when the body holds no readable tools/list result for that
   *     id
   */
  public static Optional<String> filter(
      String body, String contentType, String rawId, Set<String> visible) {
    JsonNode id;
    try {
      id = JSON.readTree(rawId);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    if (!contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
      return filtered(body, id, visible);
    }
    // Rewrite the one event that answers this id; every other line stays as it was.
    List<String> lines = List.of(body.split("\n", -1));
    List<String> out = new ArrayList<>();
    boolean done = false;
    int i = 0;
    while (i < lines.size()) {
      if (done || !lines.get(i).startsWith("data:")) {
        out.add(lines.get(i++));
        continue;
      }
      int start = i;
      StringBuilder data = new StringBuilder();
      while (i < lines.size() && lines.get(i).startsWith("data:")) {
        String value = lines.get(i).substring(5);
        data.append(data.length() == 0 ? "" : "\n")
            .append(value.startsWith(" ") ? value.substring(1) : value);
        i++;
      }
      Optional<String> replaced = filtered(data.toString().replace("\r", ""), id, visible);
      if (replaced.isPresent()) {
        out.add("data: " + replaced.get());
        done = true;
      } else {
        out.addAll(lines.subList(start, i));
      }
    }
    return done ? Optional.of(String.join("\n", out)) : Optional.empty();
  }

  private static Optional<String> filtered(String message, JsonNode id, Set<String> visible) {
    JsonNode response;
    try {
      response = JSON.readTree(message);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    if (response == null
        || !response.isObject()
        || !id.equals(response.get("id"))
        || !response.path("result").path("tools").isArray()) {
      return Optional.empty();
    }
    ArrayNode kept = JSON.createArrayNode();
    response
        .get("result")
        .get("tools")
        .forEach(
            tool -> {
              if (visible.contains(tool.path("name").asText(""))) {
                kept.add(tool);
              }
            });
    ((ObjectNode) response.get("result")).set("tools", kept);
    try {
      return Optional.of(JSON.writeValueAsString(response));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
