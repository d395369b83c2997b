package dev.hopgate.pdp.request;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What hopgate knows of a request before verifying anything, independent of how it arrived.
 *
 * @param headers request headers, names in lower case (as Envoy sends them)
 * @param contextExtensions the route's {@code context_extensions}, set by the mesh owner: they may
 *     name the route of hopgate's route table, nothing else
 * @param sourcePrincipal the caller's identity from downstream mTLS (a SPIFFE id), or null
 * @param requestId Envoy's request id ({@code attributes.request.http.id}), empty when unknown
 * @param requestTime when Envoy received the request ({@code attributes.request.time}), or null
 * @param body the request body Envoy forwarded ({@code with_request_body}), empty when none
 * @param bodyNotUtf8 whether the forwarded bytes were not valid UTF-8 ({@code body} then holds a
 *     lossy decoding that must not be read: another reader could decode the same bytes differently)
 * @param bodyAsText whether Envoy sent the body as text ({@code with_request_body} without {@code
 *     pack_as_bytes}): it then replaced every byte that is not UTF-8, so hopgate cannot know the
 *     bytes the upstream receives
 * @param boundComponents the components the Envoy that asked is bound to ({@code callers.envoys}),
 *     or null where callers are not named (plaintext on a developer machine)
 * @param destinationPrincipal the identity Envoy serves the request as ({@code
 *     destination.principal}: its own certificate's URI SAN, in a mesh the workload's), or null
 */
public record HopRequest(
    Map<String, String> headers,
    Map<String, String> contextExtensions,
    String method,
    String path,
    @Nullable String sourcePrincipal,
    String requestId,
    @Nullable Instant requestTime,
    String body,
    boolean bodyNotUtf8,
    boolean bodyAsText,
    @Nullable Set<String> boundComponents,
    @Nullable String destinationPrincipal) {
  /** A request without Envoy's request identity (tests, tools). */
  public HopRequest(
      Map<String, String> headers,
      Map<String, String> contextExtensions,
      String method,
      String path,
      @Nullable String sourcePrincipal) {
    this(
        headers,
        contextExtensions,
        method,
        path,
        sourcePrincipal,
        "",
        null,
        "",
        false,
        false,
        null,
        null);
  }

  /** A request without a forwarded body. */
  public HopRequest(
      Map<String, String> headers,
      Map<String, String> contextExtensions,
      String method,
      String path,
      @Nullable String sourcePrincipal,
      String requestId,
      @Nullable Instant requestTime) {
    this(
        headers,
        contextExtensions,
        method,
        path,
        sourcePrincipal,
        requestId,
        requestTime,
        "",
        false,
        false,
        null,
        null);
  }

  public HopRequest {
    headers = Map.copyOf(requireNonNull(headers, "headers"));
    contextExtensions = Map.copyOf(requireNonNull(contextExtensions, "contextExtensions"));
    requireNonNull(method, "method");
    requireNonNull(path, "path");
    requireNonNull(requestId, "requestId");
    requireNonNull(body, "body");
    boundComponents = boundComponents == null ? null : Set.copyOf(boundComponents);
  }

  /**
   * The same request as asked by an Envoy bound to {@code components} (null: callers not named).
   */
  public HopRequest askedBy(@Nullable Set<String> components) {
    return new HopRequest(
        headers,
        contextExtensions,
        method,
        path,
        sourcePrincipal,
        requestId,
        requestTime,
        body,
        bodyNotUtf8,
        bodyAsText,
        components,
        destinationPrincipal);
  }

  /** The authority the request names ({@code :authority}, else {@code host}), or null. */
  public @Nullable String authority() {
    String authority = headers.get(":authority");
    return authority != null ? authority : headers.get("host");
  }

  public @Nullable String header(String lowerCaseName) {
    return headers.get(lowerCaseName);
  }
}
