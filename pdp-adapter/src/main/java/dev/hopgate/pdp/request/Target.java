package dev.hopgate.pdp.request;

import org.jspecify.annotations.Nullable;

/**
 * What a request asks to do, once its route (and, on an MCP route, its JSON-RPC body) is read.
 *
 * @param step the step of the process this request performs; null for an MCP session method (the
 *     token and the floor alone decide) or for a tool the route does not map
 * @param unmappedTool the tool an MCP {@code tools/call} names when the route maps it to no step
 *     (denied once the floor holds), else null
 * @param listsTools whether this is an MCP {@code tools/list}, whose answer is cut to the tools the
 *     chain could call
 */
public record Target(@Nullable String step, @Nullable String unmappedTool, boolean listsTools) {
  /** A request that performs {@code step}. */
  public static Target step(String step) {
    return new Target(step, null, false);
  }

  /** A tool call the route maps to no step. */
  public static Target unmappedTool(String tool) {
    return new Target(null, tool, false);
  }

  /** An MCP method that calls no tool. */
  public static Target sessionMethod(boolean listsTools) {
    return new Target(null, null, listsTools);
  }
}
