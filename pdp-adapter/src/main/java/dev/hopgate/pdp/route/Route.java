package dev.hopgate.pdp.route;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.problem.DisclosureLevel;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One route's settings, read once from the ext_authz context extensions and carried with the
 * decision to the response (which answers an MCP route as JSON-RPC, cut to the route's disclosure).
 *
 * @param component the component this route fronts, or null when the route does not say
 * @param step the step of a plain HTTP route, or null (an MCP route maps tools to steps instead)
 * @param mcp the route's MCP settings, or null for a plain HTTP route
 * @param disclosure how much of a denial the route's caller sees
 * @param requireCaller whether the caller's mTLS identity must match the hop token's holder
 */
public record Route(
    @Nullable String component,
    @Nullable String step,
    @Nullable McpRoute mcp,
    DisclosureLevel disclosure,
    boolean requireCaller) {
  /** The context extension naming the component of this hop. */
  public static final String COMPONENT = "component";

  /** The context extension naming the step of this hop. */
  public static final String STEP = "step";

  /** The context extension saying whether the caller's mTLS identity is required. */
  public static final String REQUIRE_CALLER = "require_caller";

  public Route {
    requireNonNull(disclosure, "disclosure");
  }

  /**
   * The route these extensions describe. Whether it names enough to be decided (a component, and a
   * step on plain HTTP) is the decision point's to say: the route is still answered in its shape.
   *
   * @throws IllegalArgumentException naming the extension whose value is wrong
   */
  public static Route of(Map<String, String> contextExtensions) {
    McpRoute mcp = McpRoute.of(contextExtensions);
    DisclosureLevel disclosure = DisclosureLevel.of(contextExtensions);
    String requireCaller = contextExtensions.getOrDefault(REQUIRE_CALLER, "true");
    if (!requireCaller.equals("true") && !requireCaller.equals("false")) {
      throw new IllegalArgumentException(
          "This route's context extension 'require_caller' is '"
              + requireCaller
              + "' (expected: true or false).");
    }
    return new Route(
        blankAsNull(contextExtensions.get(COMPONENT)),
        blankAsNull(contextExtensions.get(STEP)),
        mcp,
        disclosure,
        requireCaller.equals("true"));
  }

  /**
   * The shape a denial is answered in before (or without) the whole route reading: each setting
   * that reads on its own counts (an MCP route's denial is a JSON-RPC error, cut to the route's
   * disclosure); one that does not read counts as its default (plain HTTP, shown whole).
   */
  public static Route shapeOf(Map<String, String> contextExtensions) {
    McpRoute mcp;
    try {
      mcp = McpRoute.of(contextExtensions);
    } catch (IllegalArgumentException e) {
      mcp = null;
    }
    DisclosureLevel disclosure;
    try {
      disclosure = DisclosureLevel.of(contextExtensions);
    } catch (IllegalArgumentException e) {
      disclosure = DisclosureLevel.FULL;
    }
    return new Route(null, null, mcp, disclosure, true);
  }

  private static @Nullable String blankAsNull(@Nullable String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
