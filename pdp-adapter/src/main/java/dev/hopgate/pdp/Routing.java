package dev.hopgate.pdp;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.mcp.JsonRpcCall;
import dev.hopgate.pdp.mcp.JsonRpcReader;
import dev.hopgate.pdp.mcp.JsonRpcRejection;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.mcp.McpRevision;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.request.LogText;
import dev.hopgate.pdp.request.Target;
import dev.hopgate.pdp.route.RequestPaths;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.route.RouteTable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The first stage of a decision: the request's route in the route table (named by Envoy's context
 * extensions, or matched among the routes of the components the asking Envoy fronts), the component
 * it fronts, and what the request asks to do there (on an MCP route, the body's JSON-RPC call
 * mapped by the route, never by the component).
 */
final class Routing {
  private Routing() {}

  /** A routed request: the component it is for, and what it asks to do there. */
  record Routed(Route route, String component, Target target) {}

  /** A stage's denial, ending the decision (no stack trace: it is an answer, not an error). */
  static final class Denied extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Decision decision;

    Denied(Decision decision) {
      super(null, null, false, false);
      this.decision = decision;
    }
  }

  static Routed route(Deciding d, RouteTable table) throws Denied {
    HopRequest request = d.request;
    String path = RequestPaths.withoutQuery(request.path());
    if (!RequestPaths.normalized(path)) {
      throw new Denied(d.deny.pathNotNormalized());
    }
    Route route = select(d, table, path);
    // Every denial from here on is answered in the route's shape (an MCP route's as JSON-RPC).
    d.route = route;
    String component = route.component();
    if (route.mcp() == null) {
      return new Routed(route, component, Target.step(requireNonNull(route.step())));
    }
    JsonRpcCall call;
    try {
      call = JsonRpcReader.read(request);
    } catch (JsonRpcRejection rejection) {
      d.mcp = McpFacts.UNREAD;
      throw new Denied(d.deny.unreadableCall(rejection));
    }
    d.mcp = McpFacts.of(call);
    try {
      McpRevision.of(request, call);
    } catch (JsonRpcRejection rejection) {
      // Answered with the request's id: the body read, only its headers disagree.
      throw new Denied(d.deny.unreadableCall(rejection));
    }
    Optional<Target> target = route.mcp().target(call);
    if (target.isEmpty()) {
      throw new Denied(d.deny.sessionMethodRefused(call.method()));
    }
    return new Routed(route, component, target.get());
  }

  /**
   * The route named by the context extensions, else the one route of the components the asking
   * Envoy fronts that takes the request. The component comes from what Envoy decided (the route
   * name, the Envoy's bound identity, or the identity it serves as), never from the request.
   */
  private static Route select(Deciding d, RouteTable table, String path) throws Denied {
    HopRequest request = d.request;
    Map<String, String> extensions = request.contextExtensions();
    String name = extensions.get(Route.EXTENSION);
    if (name == null) {
      if (!extensions.isEmpty()) {
        throw new Denied(
            d.deny.route(
                "route_extensions_conflict",
                "This route's context_extensions "
                    + LogText.of(new TreeSet<>(extensions.keySet()).toString())
                    + " do not name a route: they may carry only 'route' (the route table holds"
                    + " its component, step and settings), so hopgate denies it."));
      }
      return matched(d, table, path);
    }
    Route route =
        table
            .named(name)
            .orElseThrow(
                () ->
                    new Denied(
                        d.deny.route(
                            "route_unknown",
                            "The route table has no route '"
                                + LogText.of(name)
                                + "' (named by this route's context_extensions), so hopgate"
                                + " denies it.")));
    for (Map.Entry<String, String> e : extensions.entrySet()) {
      String key = e.getKey();
      boolean agrees =
          key.equals(Route.EXTENSION)
              || (key.equals(Route.COMPONENT) && e.getValue().equals(route.component()))
              || (key.equals(Route.STEP) && e.getValue().equals(route.step()));
      if (!agrees) {
        d.route = route;
        throw new Denied(
            d.deny.route(
                "route_extensions_conflict",
                "This route's context extension '"
                    + LogText.of(key)
                    + "' "
                    + (key.equals(Route.COMPONENT) || key.equals(Route.STEP)
                        ? "differs from route '" + name + "' in the route table"
                        : "is not read: the route table holds every setting of route '"
                            + name
                            + "'")
                    + ", so hopgate denies it."));
      }
    }
    d.route = route;
    Set<String> bound = request.boundComponents();
    if (bound != null && !bound.contains(route.component())) {
      throw new Denied(d.deny.callerNotBound(route.component()));
    }
    if (!route.binding().matches(request.method(), path, request.authority())) {
      // A name on a virtual host reaches every route of it: a route only takes what it binds.
      throw mismatch(d, route, path);
    }
    return route;
  }

  private static Route matched(Deciding d, RouteTable table, String path) throws Denied {
    HopRequest request = d.request;
    Set<String> bound = request.boundComponents();
    String serving = request.destinationPrincipal();
    Predicate<String> fronts;
    if (bound != null) {
      fronts = bound::contains;
    } else if (serving != null) {
      fronts = serving::equals;
    } else {
      throw new Denied(
          d.deny.route(
              "route_unnamed",
              "This request names no route (context extension 'route') and hopgate cannot tell"
                  + " which components the asking Envoy fronts (no callers.envoys binding, no"
                  + " destination.principal), so it denies it."));
    }
    List<Route> candidates = table.mostSpecific(path, fronts);
    List<Route> routes = RouteTable.taking(candidates, request.method(), request.authority());
    if (routes.size() == 1) {
      return routes.get(0);
    }
    if (candidates.isEmpty()) {
      throw new Denied(
          d.deny.route(
              "route_unmatched",
              "No route of the route table for the components this Envoy fronts takes "
                  + LogText.of(request.method())
                  + " "
                  + LogText.of(path)
                  + ", so hopgate denies it."));
    }
    if (routes.isEmpty()) {
      // The path's own route does not take this method or authority: never a less specific one.
      d.route = candidates.get(0);
      throw mismatch(d, candidates.get(0), path);
    }
    throw new Denied(
        d.deny.route(
            "route_ambiguous",
            "Routes "
                + routes.stream().map(Route::name).sorted().collect(Collectors.joining(", "))
                + " take "
                + LogText.of(request.method())
                + " "
                + LogText.of(path)
                + " alike, so hopgate denies it (name the route in context_extensions)."));
  }

  private static Denied mismatch(Deciding d, Route route, String path) {
    return new Denied(
        d.deny.route(
            "route_mismatch",
            "Route '"
                + route.name()
                + "' does not take "
                + LogText.of(d.request.method())
                + " "
                + LogText.of(path)
                + " (its match in the route table), so hopgate denies it."));
  }
}
