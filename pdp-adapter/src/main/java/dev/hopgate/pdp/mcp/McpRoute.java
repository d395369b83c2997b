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
 * An MCP route as the mesh owner configured it in the route table ({@code mcp:}): the step each
 * tool, resource, prompt or other method is, and how denials and session methods are answered. The
 * component never names its own steps; its manifest can only confirm the mapped step (the
 * capability gate).
 *
 * @param toolSteps the step each tool call is, by tool name ({@code mcp.tools})
 * @param resourceSteps the step each {@code resources/read} is, by the resource's exact URI ({@code
 *     mcp.resources}; no normalisation: another spelling is another, unmapped, resource)
 * @param promptSteps the step each {@code prompts/get} is, by prompt name ({@code mcp.prompts})
 * @param methodSteps the step any other method is ({@code mcp.methods}); an unmapped one is denied
 * @param sessionMethods what the session and list methods of {@link McpMethods} need
 * @param denialCode the JSON-RPC {@code error.code} of a policy denial
 * @param denialStatus the HTTP status of a policy denial answered as a JSON-RPC error: 200 (MCP
 *     clients keep the session) or 403
 * @param denialForm how a refused tool call is answered
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
    @Nullable String resourceMetadata,
    DenialForm denialForm,
    @Nullable ProtectedResource protectedResource) {

  /** A JSON-RPC method name a route can map: no spaces, no control characters. */
  private static final Pattern METHOD_NAME = Pattern.compile("[A-Za-z0-9_./-]{1,128}");

  /** A resource URI as a route names it: a scheme, then no whitespace or control characters. */
  private static final Pattern RESOURCE_URI =
      Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:[\\x21-\\x7E]{1,2048}");

  /** MCP's tool name characters; anything else could not be matched exactly in every client. */
  private static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  /**
   * An https URL that can stand inside a quoted challenge parameter (RFC 9110 quoted-string, no
   * escapes).
   */
  private static final Pattern METADATA_URL =
      Pattern.compile("https://[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

  /** How a refused {@code tools/call} is answered ({@code mcp.denial_form}). */
  public enum DenialForm {
    /**
     * A tool result with {@code isError: true} and the envelope in {@code _meta}: SEP-2643 as of
     * its 2026-08-21 draft, which a model reads like any tool error.
     */
    RESULT,
    /** A JSON-RPC error, the envelope in {@code error.data}: the SEP's earlier drafts. */
    ERROR
  }

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
    requireNonNull(denialForm, "denialForm");
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
    return Optional.of(
        Target.sessionMethod(McpListing.of(call.method()) == null ? null : call.method()));
  }

  /**
   * What a list answer keeps of this route, in name order: the tools, resources or prompts whose
   * step the chain could take now. No template: a route maps exact URIs only.
   *
   * @param callable whether the chain could take a step now
   */
  public List<String> visible(McpListing listing, Predicate<String> callable) {
    Map<String, String> steps =
        switch (listing) {
          case TOOLS -> toolSteps;
          case RESOURCES -> resourceSteps;
          case PROMPTS -> promptSteps;
          case RESOURCE_TEMPLATES -> Map.of();
        };
    return new TreeMap<>(steps)
        .entrySet().stream()
            .filter(t -> callable.test(t.getValue()))
            .map(Map.Entry::getKey)
            .toList();
  }

  /**
   * An MCP route as the route table writes it, every setting checked.
   *
   * @param sessionMethods {@code hop_token} or {@code deny}, or null for {@code hop_token}
   * @param denialCode the JSON-RPC code of a policy denial, or null for the default
   * @param denialStatus 200 or 403, or null for 200
   * @param resourceMetadata an https URL, or null
   * @throws IllegalArgumentException naming the setting that is wrong ({@code mcp.<field>})
   */
  public static McpRoute of(
      Map<String, String> tools,
      Map<String, String> resources,
      Map<String, String> prompts,
      Map<String, String> methods,
      @Nullable String sessionMethods,
      @Nullable Integer denialCode,
      @Nullable Integer denialStatus,
      @Nullable String resourceMetadata) {
    return of(
        tools,
        resources,
        prompts,
        methods,
        sessionMethods,
        denialCode,
        denialStatus,
        resourceMetadata,
        null);
  }

  /**
   * @param denialForm {@code result} or {@code error}, or null for {@code result}
   */
  public static McpRoute of(
      Map<String, String> tools,
      Map<String, String> resources,
      Map<String, String> prompts,
      Map<String, String> methods,
      @Nullable String sessionMethods,
      @Nullable Integer denialCode,
      @Nullable Integer denialStatus,
      @Nullable String resourceMetadata,
      @Nullable String denialForm) {
    checkNames(
        tools,
        "tools",
        TOOL_NAME,
        "a tool name in MCP's characters (A-Z a-z 0-9 _ - ., at most 128)");
    checkNames(
        resources, "resources", RESOURCE_URI, "an absolute resource URI (a scheme, no spaces)");
    checkNames(
        prompts,
        "prompts",
        TOOL_NAME,
        "a prompt name in MCP's characters (A-Z a-z 0-9 _ - ., at most 128)");
    checkNames(methods, "methods", METHOD_NAME, "a JSON-RPC method name");
    for (String method : methods.keySet()) {
      if (!McpMethods.mappable(method)) {
        throw new IllegalArgumentException(
            "mcp.methods: '"
                + method
                + "' is a method MCP defines already (map its tool, resource or prompt instead;"
                + " session and list methods follow mcp.session_methods)");
      }
    }
    SessionMethods session =
        switch (sessionMethods == null ? "hop_token" : sessionMethods) {
          case "hop_token" -> SessionMethods.HOP_TOKEN;
          case "deny" -> SessionMethods.DENY;
          default ->
              throw new IllegalArgumentException(
                  "mcp.session_methods: '" + sessionMethods + "' (expected: hop_token or deny)");
        };
    int code = denialCode == null ? JsonRpcErrors.DEFAULT_DENIAL_CODE : denialCode;
    if (code < -32019 || code > -32000 || code == -32001 || code == -32002) {
      throw new IllegalArgumentException(
          "mcp.denial_code: "
              + code
              + " (expected: -32000 or -32003..-32019, the range MCP leaves to implementations;"
              + " -32020..-32099 are reserved to the MCP specification, -32001 reads as a timeout"
              + " to MCP SDKs, -32002 means resource not found)");
    }
    int status = denialStatus == null ? 200 : denialStatus;
    if (status != 200 && status != 403) {
      throw new IllegalArgumentException(
          "mcp.denial_status: " + status + " (expected: 200 or 403)");
    }
    if (resourceMetadata != null && !METADATA_URL.matcher(resourceMetadata).matches()) {
      throw new IllegalArgumentException(
          "mcp.resource_metadata: '"
              + resourceMetadata
              + "' (expected an https URL, RFC 9728, without quotes or backslashes)");
    }
    DenialForm form =
        switch (denialForm == null ? "result" : denialForm) {
          case "result" -> DenialForm.RESULT;
          case "error" -> DenialForm.ERROR;
          default ->
              throw new IllegalArgumentException(
                  "mcp.denial_form: '" + denialForm + "' (expected: result or error)");
        };
    return new McpRoute(
        tools, resources, prompts, methods, session, code, status, resourceMetadata, form, null);
  }

  /** The same route, serving {@code metadata} (RFC 9728). */
  public McpRoute withProtectedResource(ProtectedResource metadata) {
    return new McpRoute(
        toolSteps,
        resourceSteps,
        promptSteps,
        methodSteps,
        sessionMethods,
        denialCode,
        denialStatus,
        resourceMetadata,
        denialForm,
        metadata);
  }

  /**
   * The metadata URL a token challenge names: {@code mcp.resource_metadata}, else the URL of the
   * document hopgate serves, else null.
   */
  public @Nullable String challengeMetadata() {
    if (resourceMetadata != null) {
      return resourceMetadata;
    }
    return protectedResource == null ? null : protectedResource.url();
  }

  private static void checkNames(
      Map<String, String> steps, String field, Pattern names, String what) {
    steps.forEach(
        (name, step) -> {
          if (!names.matcher(name).matches()) {
            throw new IllegalArgumentException("mcp." + field + ": '" + name + "' is not " + what);
          }
          if (step == null || step.isBlank()) {
            throw new IllegalArgumentException("mcp." + field + "." + name + ": missing its step");
          }
        });
  }
}
