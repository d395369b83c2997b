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
 */
public record JsonRpcCall(String method, @Nullable String rawId, @Nullable String name) {
  public static final String TOOLS_CALL = "tools/call";
  public static final String TOOLS_LIST = "tools/list";

  public JsonRpcCall {
    requireNonNull(method, "method");
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
}
