package dev.hopgate.pdp.request;

import org.jspecify.annotations.Nullable;

/**
 * What a request asks to do, once its route (and, on an MCP route, its JSON-RPC body) is read.
 *
 * @param step the step of the process this request performs; null for an MCP session or list method
 *     (the token and the floor alone decide) or for a name the route does not map
 * @param unmapped what an MCP call names when the route maps it to no step (denied once the floor
 *     holds), else null
 * @param listMethod the MCP list method this is ({@code tools/list}, {@code resources/list}, ...),
 *     whose answer is cut to what the chain could use; else null
 */
public record Target(
    @Nullable String step, @Nullable Unmapped unmapped, @Nullable String listMethod) {
  /**
   * A name the route maps to no step.
   *
   * @param kind what is named: {@code tool}, {@code resource}, {@code prompt} or {@code method}
   */
  public record Unmapped(String kind, String name) {}

  /** A request that performs {@code step}. */
  public static Target step(String step) {
    return new Target(step, null, null);
  }

  /** A call of something the route maps to no step. */
  public static Target unmapped(String kind, String name) {
    return new Target(null, new Unmapped(kind, name), null);
  }

  /** An MCP method that performs no step ({@code listMethod}: the list method it is, or null). */
  public static Target sessionMethod(@Nullable String listMethod) {
    return new Target(null, null, listMethod);
  }
}
