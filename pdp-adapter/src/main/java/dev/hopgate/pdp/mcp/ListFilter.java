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
import org.jspecify.annotations.Nullable;

/**
 * Cuts an MCP list response ({@code tools/list}, {@code resources/list}, {@code
 * resources/templates/list}, {@code prompts/list}) down to what the chain could use, so a planner
 * does not plan steps it cannot take. This is advice, not enforcement (every call, read or get is
 * decided on its own): a response hopgate cannot read passes unchanged.
 */
public final class ListFilter {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ListFilter() {}

  /**
   * What a listing keeps: its list method and the names (tool and prompt names, resource URIs) of
   * the entries kept.
   */
  public record Kept(McpListing listing, Set<String> names) {
    public Kept {
      names = Set.copyOf(names);
    }

    /** As one string, for Envoy's dynamic metadata (which the authenticator covers). */
    public String encoded() {
      ObjectNode node = JSON.createObjectNode();
      node.put("list", listing.method());
      ArrayNode keep = node.putArray("keep");
      new java.util.TreeSet<>(names).forEach(keep::add);
      return node.toString();
    }

    /** What {@link #encoded} wrote, or empty when {@code text} is not that. */
    public static Optional<Kept> decode(String text) {
      try {
        JsonNode node = JSON.readTree(text);
        McpListing listing = node == null ? null : McpListing.of(node.path("list").asText(""));
        if (listing == null || !node.path("keep").isArray()) {
          return Optional.empty();
        }
        Set<String> names = new java.util.HashSet<>();
        node.get("keep").forEach(n -> names.add(n.asText()));
        return Optional.of(new Kept(listing, names));
      } catch (JsonProcessingException e) {
        return Optional.empty();
      }
    }
  }

  /**
   * Cuts every list result in the body, whatever its JSON-RPC id: the body answers the one request
   * decided (hopgate takes no batch), and an id that only looks different to hopgate ({@code "1"}
   * for {@code 1}) must not pass a list whole to a client that compares ids loosely.
   *
   * @param body the whole response body (JSON, or a text/event-stream)
   * @param kept what to keep, or null to keep nothing of any list (a listing whose ALLOW did not
   *     verify: cutting only ever hides)
   * @return the filtered body, or empty when the body holds no readable list result
   */
  public static Optional<String> filter(String body, String contentType, @Nullable Kept kept) {
    if (!contentType.toLowerCase(Locale.ROOT).startsWith("text/event-stream")) {
      return filtered(body, kept);
    }
    // Rewrite each event that holds a list result; every other line stays as it was.
    List<String> lines = List.of(body.split("\n", -1));
    List<String> out = new ArrayList<>();
    boolean done = false;
    int i = 0;
    while (i < lines.size()) {
      if (!lines.get(i).startsWith("data:")) {
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
      Optional<String> replaced = filtered(data.toString().replace("\r", ""), kept);
      if (replaced.isPresent()) {
        out.add("data: " + replaced.get());
        done = true;
      } else {
        out.addAll(lines.subList(start, i));
      }
    }
    return done ? Optional.of(String.join("\n", out)) : Optional.empty();
  }

  private static Optional<String> filtered(String message, @Nullable Kept kept) {
    JsonNode response;
    try {
      response = JSON.readTree(message);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    if (response == null || !response.isObject() || !response.path("result").isObject()) {
      return Optional.empty();
    }
    ObjectNode result = (ObjectNode) response.get("result");
    boolean cut = false;
    for (McpListing listing : McpListing.values()) {
      if (!result.path(listing.array()).isArray()) {
        continue;
      }
      // Another list's array than the one decided on keeps nothing: cutting only ever hides.
      Set<String> keep = kept != null && kept.listing() == listing ? kept.names() : Set.of();
      ArrayNode entries = JSON.createArrayNode();
      for (JsonNode entry : result.get(listing.array())) {
        if (keep.contains(entry.path(listing.key()).asText(""))) {
          entries.add(entry);
        }
      }
      result.set(listing.array(), entries);
      cut = true;
    }
    if (!cut) {
      return Optional.empty();
    }
    // What a cut list holds depends on this credential and on what the txn has completed so far:
    // no shared cache may serve it to another authorization context (MCP 2026-07-28 caching), and
    // no cache may serve it again, since the next completion changes it.
    result.put("ttlMs", 0);
    result.put("cacheScope", "private");
    try {
      return Optional.of(JSON.writeValueAsString(response));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
