package dev.hopgate.pdp.mcp;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One JSON-RPC request as hopgate read it from the body Envoy forwarded.
 *
 * @param method the JSON-RPC method, such as {@code tools/call}
 * @param rawId the request's {@code id} as JSON text ({@code 7}, {@code "a"}), or null for a
 *     notification
 * @param name what a method that names one thing names ({@link McpMethods#named}): the tool of a
 *     {@code tools/call}, the URI of a {@code resources/read}, the prompt of a {@code prompts/get};
 *     else null
 * @param protocolVersion {@code params._meta["io.modelcontextprotocol/protocolVersion"]}, which
 *     every 2026-07-28 request carries; null when absent (the 2025 revisions carry none)
 * @param contextId the {@code authorizationContextId} of an earlier denial the client echoes on
 *     this retry ({@code params._meta["io.modelcontextprotocol/authorization-context-id"]}, MCP
 *     SEP-2643): correlation for the decision log only, never authority; null when absent
 */
public record JsonRpcCall(
    String method,
    @Nullable String rawId,
    @Nullable String name,
    @Nullable String protocolVersion,
    @Nullable String contextId) {
  public static final String TOOLS_CALL = "tools/call";
  public static final String TOOLS_LIST = "tools/list";

  /**
   * The method of a client's JSON-RPC response to a server request: a name JSON-RPC reserves
   * ({@code rpc.}), so that no request can be named so.
   */
  public static final String RESPONSE = "rpc.response";

  public JsonRpcCall {
    requireNonNull(method, "method");
  }

  /** A call whose {@code _meta} names no protocol version and echoes no denial. */
  public JsonRpcCall(String method, @Nullable String rawId, @Nullable String name) {
    this(method, rawId, name, null, null);
  }

  /** The tool a {@code tools/call} names, else null. */
  public @Nullable String tool() {
    return isToolCall() ? name : null;
  }

  public boolean isToolCall() {
    return TOOLS_CALL.equals(method);
  }

  public boolean isNotification() {
    return rawId == null;
  }

  /** Whether this is a client's response to a server request, not a request. */
  public boolean isResponse() {
    return RESPONSE.equals(method);
  }
}
