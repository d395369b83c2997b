package dev.hopgate.pdp.mcp;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What a decision on an MCP route knows of the call, for the response and for ext_proc.
 *
 * @param call the JSON-RPC call decided, or null when the body could not be read
 * @param kept for a list method allowed, what its answer keeps; else null
 */
public record McpFacts(@Nullable JsonRpcCall call, ListFilter.@Nullable Kept kept) {

  /** A body that could not be read as one JSON-RPC call. */
  public static final McpFacts UNREAD = new McpFacts(null, null);

  public static McpFacts of(JsonRpcCall call) {
    return new McpFacts(call, null);
  }

  /** The same facts with what a list answer keeps. */
  public McpFacts listing(McpListing listing, List<String> visible) {
    return new McpFacts(call, new ListFilter.Kept(listing, java.util.Set.copyOf(visible)));
  }
}
