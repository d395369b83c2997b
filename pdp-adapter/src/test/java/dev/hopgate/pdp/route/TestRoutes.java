package dev.hopgate.pdp.route;

import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Route tables for tests that decide on a component and a step: one plain route per pair, named
 * {@code <step>@<component>}, taking every request. The request names it in its context extensions.
 */
public final class TestRoutes {
  private TestRoutes() {}

  public static String name(String component, String step) {
    return step + "@" + component;
  }

  /** The context extensions of a request for {@code step} at {@code component}. */
  public static Map<String, String> to(String component, String step) {
    return Map.of(Route.EXTENSION, name(component, step));
  }

  /**
   * A table with a route for every component of {@code manifests} and every step any of them
   * performs (or {@code moreSteps} names), plus {@code more}: a capability denial needs the route
   * of a step the component does not perform.
   */
  public static RouteTable everyStep(
      ManifestRegistry manifests, List<Route> more, String... moreSteps) {
    Set<String> steps = new LinkedHashSet<>(List.of(moreSteps));
    Set<String> components = new LinkedHashSet<>();
    for (Manifest m : manifests.all()) {
      steps.addAll(m.performs());
      components.add(m.component());
    }
    List<Route> routes = new ArrayList<>(more);
    for (String component : components) {
      for (String step : steps) {
        routes.add(Route.http(name(component, step), component, step));
      }
    }
    return table(routes);
  }

  public static RouteTable everyStep(ManifestRegistry manifests, String... moreSteps) {
    return everyStep(manifests, List.of(), moreSteps);
  }

  /** The table of exactly {@code routes} . */
  public static RouteTable table(List<Route> routes) {
    return RouteTable.of(routes, "sha256:test");
  }
}
