package dev.hopgate.pdp.mcp;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a decision on an MCP route knows of the call, for the response and for ext_proc.
 *
 * @param call the JSON-RPC call decided, or null when the body could not be read
 * @param visibleTools for a {@code tools/list} allowed, the tools the chain could call; else null
 */
public record McpFacts(@Nullable JsonRpcCall call, @Nullable List<String> visibleTools) {
  public McpFacts {
    visibleTools = visibleTools == null ? null : List.copyOf(visibleTools);
  }

  /** A body that could not be read as one JSON-RPC call. */
  public static final McpFacts UNREAD = new McpFacts(null, null);

  public static McpFacts of(JsonRpcCall call) {
    return new McpFacts(call, null);
  }

  /** The same facts with the tools a {@code tools/list} answer keeps. */
  public McpFacts listing(List<String> visible) {
    return new McpFacts(call, visible);
  }
}
