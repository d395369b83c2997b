package dev.hopgate.pdp.mcp;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.request.Target;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An MCP route as the mesh owner configured it in the route's ext_authz {@code context_extensions}:
 * {@code protocol: mcp}, one {@code tool:<name>: <step>} entry per tool the route may call, and how
 * denials and session methods are answered. The component never names its own steps; its manifest
 * can only confirm the mapped step (the capability gate).
 *
 * @param toolSteps the step each tool call is, by tool name ({@code tool:<name>})
 * @param resourceSteps the step each {@code resources/read} is, by the resource's exact URI ({@code
 *     resource:<uri>}; no normalisation: another spelling is another, unmapped, resource)
 * @param promptSteps the step each {@code prompts/get} is, by prompt name ({@code prompt:<name>})
 * @param methodSteps the step any other method is ({@code method:<name>}); an unmapped one is
 *     denied
 * @param sessionMethods what the session and list methods of {@link McpMethods} need
 * @param denialCode the JSON-RPC {@code error.code} of a policy denial
 * @param denialStatus the HTTP status of a policy denial: 200 (MCP clients keep the session) or 403
 * @param resourceMetadata the route's OAuth protected resource metadata URL (RFC 9728), named in
 *     the challenge of a token problem so an MCP client can find its authorization server; or null
 */
public record McpRoute(
    Map<String, String> toolSteps,
    Map<String, String> resourceSteps,
    Map<String, String> promptSteps,
    Map<String, String> methodSteps,
    SessionMethods sessionMethods,
    int denialCode,
    int denialStatus,
    @Nullable String resourceMetadata) {
  public static final String PROTOCOL = "protocol";
  public static final String TOOL_PREFIX = "tool:";
  public static final String RESOURCE_PREFIX = "resource:";
  public static final String PROMPT_PREFIX = "prompt:";
  public static final String METHOD_PREFIX = "method:";

  /** A JSON-RPC method name a route can map: no spaces, no control characters. */
  private static final Pattern METHOD_NAME = Pattern.compile("[A-Za-z0-9_./-]{1,128}");

  /** A resource URI as a route names it: a scheme, then no whitespace or control characters. */
  private static final Pattern RESOURCE_URI =
      Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[\\x21-\\x7E]{1,2048}");

  public static final String SESSION_METHODS = "mcp_session_methods";
  public static final String DENIAL_CODE = "mcp_denial_code";
  public static final String DENIAL_STATUS = "mcp_denial_status";
  public static final String RESOURCE_METADATA = "mcp_resource_metadata";

  /** MCP's tool name characters; anything else could not be matched exactly in every client. */
  private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  /**
   * An https URL that can stand inside a quoted challenge parameter (RFC 9110 quoted-string, no
   * escapes).
   */
  private static final Pattern METADATA_URL =
      Pattern.compile("https://[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

  /** The rule for MCP methods that call no tool. */
  public enum SessionMethods {
    /** Allowed with a valid hop token and an intact chain; no step, no policy, no completion. */
    HOP_TOKEN,
    /** Denied: a route that only takes tool calls. */
    DENY
  }

  public McpRoute {
    toolSteps = Map.copyOf(requireNonNull(toolSteps, "toolSteps"));
    resourceSteps = Map.copyOf(requireNonNull(resourceSteps, "resourceSteps"));
    promptSteps = Map.copyOf(requireNonNull(promptSteps, "promptSteps"));
    methodSteps = Map.copyOf(requireNonNull(methodSteps, "methodSteps"));
    requireNonNull(sessionMethods, "sessionMethods");
  }

  /** The step a tool call is, or null when the route does not map that tool. */
  public @Nullable String stepOf(String tool) {
    return toolSteps.get(tool);
  }

  /**
   * What a call asks to do on this route: a tool call is the step the route maps it to (never what
   * the component says); another method follows the route's session rule.
   *
   * @return empty when the route's rule refuses the method
   */
  public Optional<Target> target(JsonRpcCall call) {
    McpMethods.Named named = McpMethods.named(call.method());
    if (named != null) {
      String name = requireNonNull(call.name());
      Map<String, String> steps =
          switch (named.kind()) {
            case McpMethods.TOOL -> toolSteps;
            case McpMethods.RESOURCE -> resourceSteps;
            default -> promptSteps;
          };
      String step = steps.get(name);
      return Optional.of(step == null ? Target.unmapped(named.kind(), name) : Target.step(step));
    }
    if (McpMethods.kindOf(call) == McpMethods.Kind.OTHER) {
      String step = methodSteps.get(call.method());
      return Optional.of(
          step == null ? Target.unmapped(McpMethods.METHOD, call.method()) : Target.step(step));
    }
    if (sessionMethods == SessionMethods.DENY) {
      return Optional.empty();
    }
    return Optional.of(Target.sessionMethod(call.method().equals(JsonRpcCall.TOOLS_LIST)));
  }

  /**
   * The tools of this route a {@code tools/list} answer keeps, in name order.
   *
   * @param callable whether the chain could call the step a tool maps to now
   */
  public List<String> visibleTools(Predicate<String> callable) {
    return new TreeMap<>(toolSteps)
        .entrySet().stream()
            .filter(t -> callable.test(t.getValue()))
            .map(Map.Entry::getKey)
            .toList();
  }

  /**
   * The MCP route these extensions describe, or null when the route is plain HTTP.
   *
   * @throws IllegalArgumentException naming the extension that is wrong
   */
  public static @Nullable McpRoute of(Map<String, String> contextExtensions) {
    String protocol = contextExtensions.getOrDefault(PROTOCOL, "http");
    if (protocol.equals("http")) {
      return null;
    }
    if (!protocol.equals("mcp")) {
      throw new IllegalArgumentException(
          "This route's context extension 'protocol' is '"
              + protocol
              + "' (expected: http or mcp).");
    }
    Map<String, String> tools = steps(contextExtensions, TOOL_PREFIX, TOOL_NAME, "a tool");
    Map<String, String> resources =
        steps(contextExtensions, RESOURCE_PREFIX, RESOURCE_URI, "a resource URI");
    Map<String, String> prompts = steps(contextExtensions, PROMPT_PREFIX, TOOL_NAME, "a prompt");
    Map<String, String> methods =
        steps(contextExtensions, METHOD_PREFIX, METHOD_NAME, "a JSON-RPC method");
    for (String method : methods.keySet()) {
      if (!McpMethods.mappable(method)) {
        throw new IllegalArgumentException(
            "This route's context extension '"
                + METHOD_PREFIX
                + method
                + "' maps a method MCP defines already (map its tool, resource or prompt instead;"
                + " session and list methods follow '"
                + SESSION_METHODS
                + "').");
      }
    }
    String session = contextExtensions.getOrDefault(SESSION_METHODS, "hop_token");
    SessionMethods sessionMethods =
        switch (session) {
          case "hop_token" -> SessionMethods.HOP_TOKEN;
          case "deny" -> SessionMethods.DENY;
          default ->
              throw new IllegalArgumentException(
                  "This route's context extension '"
                      + SESSION_METHODS
                      + "' is '"
                      + session
                      + "' (expected: hop_token or deny).");
        };
    int code = integer(contextExtensions, DENIAL_CODE, JsonRpcErrors.DEFAULT_DENIAL_CODE);
    if (code == -32001 || (code >= -32768 && code <= -32600)) {
      throw new IllegalArgumentException(
          "This route's context extension '"
              + DENIAL_CODE
              + "' is "
              + code
              + ": -32001 reads as a timeout to MCP SDKs and -32768..-32600 are JSON-RPC's own codes.");
    }
    int status = integer(contextExtensions, DENIAL_STATUS, 200);
    if (status != 200 && status != 403) {
      throw new IllegalArgumentException(
          "This route's context extension '"
              + DENIAL_STATUS
              + "' is "
              + status
              + " (expected: 200 or 403).");
    }
    String metadata = contextExtensions.get(RESOURCE_METADATA);
    if (metadata != null && !METADATA_URL.matcher(metadata).matches()) {
      throw new IllegalArgumentException(
          "This route's context extension '"
              + RESOURCE_METADATA
              + "' is '"
              + metadata
              + "' (expected an https URL, RFC 9728).");
    }
    return new McpRoute(tools, resources, prompts, methods, sessionMethods, code, status, metadata);
  }

  /** The {@code <prefix><name>: <step>} entries of a route, each name checked by {@code names}. */
  private static Map<String, String> steps(
      Map<String, String> contextExtensions, String prefix, Pattern names, String what) {
    Map<String, String> steps = new TreeMap<>();
    contextExtensions.forEach(
        (key, value) -> {
          if (!key.startsWith(prefix)) {
            return;
          }
          String name = key.substring(prefix.length());
          if (name.isEmpty() || value.isBlank()) {
            throw new IllegalArgumentException(
                "This route's context extension '"
                    + key
                    + "' must name "
                    + what
                    + " and map it to a step ('"
                    + prefix
                    + "<name>: <step>').");
          }
          if (!names.matcher(name).matches()) {
            throw new IllegalArgumentException(
                "This route's context extension '"
                    + key
                    + "' does not name "
                    + what
                    + (prefix.equals(TOOL_PREFIX) || prefix.equals(PROMPT_PREFIX)
                        ? " in MCP's name characters (A-Z a-z 0-9 _ - ., at most 128)."
                        : " (" + names.pattern() + ")."));
          }
          steps.put(name, value);
        });
    return steps;
  }

  private static int integer(Map<String, String> extensions, String key, int fallback) {
    String value = extensions.get(key);
    if (value == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(value.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "This route's context extension '" + key + "' is '" + value + "' (expected an integer).");
    }
  }
}
