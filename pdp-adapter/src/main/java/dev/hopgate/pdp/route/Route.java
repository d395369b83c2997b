package dev.hopgate.pdp.route;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.problem.DisclosureLevel;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One route of the table: what it fronts, which requests it is for, and how it is decided and
 * answered. It is carried with the decision to the response (which answers an MCP route as
 * JSON-RPC, cut to the route's disclosure).
 *
 * @param name the name Envoy's {@code context_extensions} may give ({@code route: <name>})
 * @param component the component this route fronts
 * @param step the step of a plain HTTP route, or null (an MCP route maps its calls to steps)
 * @param mcp the route's MCP settings, or null for a plain HTTP route
 * @param disclosure how much of a denial the route's caller sees
 * @param requireCaller whether the caller's mTLS identity must match the hop token's holder
 * @param binding the requests this route is for
 */
public record Route(
    String name,
    String component,
    @Nullable String step,
    @Nullable McpRoute mcp,
    DisclosureLevel disclosure,
    boolean requireCaller,
    RouteBinding binding) {
  /** The one context extension hopgate reads: the name of the request's route. */
  public static final String EXTENSION = "route";

  /**
   * Context extensions a route may still carry while a mesh migrates; each must equal the table.
   */
  public static final String COMPONENT = "component";

  public static final String STEP = "step";

  /** A route name: what an Envoy config can carry and a log line can show unquoted. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:/@+-]{1,256}");

  /**
   * @throws IllegalArgumentException naming what is wrong
   */
  public Route {
    requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "name: '" + name + "' is not a route name (" + NAME.pattern() + ")");
    }
    if (requireNonNull(component, "component").isBlank()) {
      throw new IllegalArgumentException("component: missing");
    }
    requireNonNull(disclosure, "disclosure");
    requireNonNull(binding, "binding");
    if (mcp == null && (step == null || step.isBlank())) {
      throw new IllegalArgumentException(
          "step: missing (a plain HTTP route is one step; an MCP route has 'mcp' instead)");
    }
    if (mcp != null && step != null) {
      throw new IllegalArgumentException(
          "step: an MCP route maps its calls to steps (mcp.tools, ...), it is not one step");
    }
  }

  /** A plain HTTP route taking every request, shown whole: for tests and tools. */
  public static Route http(String name, String component, String step) {
    return new Route(name, component, step, null, DisclosureLevel.FULL, true, RouteBinding.ANY);
  }
}
