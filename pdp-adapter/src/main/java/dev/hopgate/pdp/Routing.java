package dev.hopgate.pdp;

import static java.util.Objects.requireNonNull;
import static java.util.Objects.requireNonNullElse;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.mcp.JsonRpcCall;
import dev.hopgate.pdp.mcp.JsonRpcReader;
import dev.hopgate.pdp.mcp.JsonRpcRejection;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.request.Target;
import dev.hopgate.pdp.route.Route;
import java.util.Optional;
import java.util.Set;

/**
 * The first stage of a decision: the route read once from the context extensions, the component it
 * fronts, and what the request asks to do there (on an MCP route, the body's JSON-RPC call mapped
 * by the route, never by the component).
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

  static Routed route(Deciding d) throws Denied {
    HopRequest request = d.request;
    String named = request.contextExtensions().get(Route.COMPONENT);
    Set<String> bound = request.boundComponents();
    // A denial before the route reads whole is still answered in the shape of what does read; the
    // shape is parsed only then, so an ordinary request reads its extensions once.
    if (named != null && bound != null && !bound.contains(named)) {
      d.route = Route.shapeOf(request.contextExtensions());
      throw new Denied(d.deny.callerNotBound(named));
    }
    Route route;
    try {
      route = Route.of(request.contextExtensions());
    } catch (IllegalArgumentException e) {
      d.route = Route.shapeOf(request.contextExtensions());
      throw new Denied(d.deny.unconfigured(requireNonNullElse(e.getMessage(), "Bad route.")));
    }
    d.route = route;
    String component = route.component();
    if (component == null || (route.mcp() == null && route.step() == null)) {
      throw new Denied(
          d.deny.unconfigured(
              route.mcp() == null
                  ? "This route does not name its component and step (per-route ext_authz "
                      + "context_extensions 'component' and 'step'), so hopgate denies it."
                  : "This MCP route does not name its component (per-route ext_authz "
                      + "context_extensions 'component'), so hopgate denies it."));
    }
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
    Optional<Target> target = route.mcp().target(call);
    if (target.isEmpty()) {
      throw new Denied(d.deny.sessionMethodRefused(call.method()));
    }
    return new Routed(route, component, target.get());
  }
}
