package dev.hopgate.pdp.mcp;

import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What each MCP method asks of a route, one table for both revisions (2025-11-25 and 2026-07-28). A
 * method that reads or runs something is a step the route must map; only the methods that carry a
 * session (or list what the server offers) pass on the hop token and the floor alone; everything
 * else, vendor methods included, is denied unless the route maps it.
 */
public final class McpMethods {
  private McpMethods() {}

  /** How a method is decided. */
  public enum Kind {
    /**
     * Carries the session or the protocol: no step ({@code initialize}, {@code ping}, a client's
     * response to a server request, …).
     */
    SESSION,
    /** Lists what the server offers: no step; the answer is cut to what the chain could use. */
    LIST,
    /** Reads or runs one named thing: the step the route maps that name to. */
    NAMED,
    /** Anything else: the step the route maps the method to ({@code method:<name>}), or denied. */
    OTHER
  }

  /**
   * A method that names what it reads or runs.
   *
   * @param kind what it names ({@code tool}, {@code resource}, {@code prompt}): the route's
   *     extension prefix and the violation's code ({@code <kind>_unmapped})
   * @param param the member of {@code params} that names it
   */
  public record Named(String kind, String param) {}

  public static final String TOOL = "tool";
  public static final String RESOURCE = "resource";
  public static final String PROMPT = "prompt";

  /** The kind of an unmapped {@link Kind#OTHER} method. */
  public static final String METHOD = "method";

  private static final Map<String, Named> NAMED =
      Map.of(
          JsonRpcCall.TOOLS_CALL,
          new Named(TOOL, "name"),
          "resources/read",
          new Named(RESOURCE, "uri"),
          "prompts/get",
          new Named(PROMPT, "name"));

  /** {@code server/discover} takes the place of {@code initialize} in 2026-07-28. */
  private static final Set<String> SESSION = Set.of("initialize", "ping", "server/discover");

  /**
   * The notifications a client sends a server, by exact name: only as notifications (no {@code
   * id}); any other name under {@code notifications/} is just another method.
   */
  private static final Set<String> CLIENT_NOTIFICATIONS =
      Set.of(
          "notifications/initialized",
          "notifications/cancelled",
          "notifications/progress",
          "notifications/roots/list_changed",
          "notifications/tasks/status");

  /** How {@code call} is decided. */
  public static Kind kindOf(JsonRpcCall call) {
    String method = call.method();
    if (NAMED.containsKey(method)) {
      return Kind.NAMED;
    }
    if (SESSION.contains(method)
        || call.isResponse()
        || (CLIENT_NOTIFICATIONS.contains(method) && call.isNotification())) {
      return Kind.SESSION;
    }
    return McpListing.of(method) != null ? Kind.LIST : Kind.OTHER;
  }

  /** Whether a route may map {@code method} with {@code method:}: one MCP does not define. */
  public static boolean mappable(String method) {
    return !NAMED.containsKey(method)
        && !SESSION.contains(method)
        && !method.startsWith("rpc.")
        && McpListing.of(method) == null
        && !method.startsWith("notifications/");
  }

  /** What {@code method} names and where, or null when it names nothing. */
  public static @Nullable Named named(String method) {
    return NAMED.get(method);
  }
}
