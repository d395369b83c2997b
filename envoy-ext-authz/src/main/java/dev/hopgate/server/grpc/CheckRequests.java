package dev.hopgate.server.grpc;

import dev.hopgate.pdp.request.HopRequest;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.time.Instant;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Reads what hopgate needs from Envoy's CheckRequest: nothing here decides anything. */
final class CheckRequests {
  private CheckRequests() {}

  /**
   * @param boundComponents the components the asking Envoy fronts, or null where callers are not
   *     named (see {@link CallerAdmission})
   */
  static HopRequest toHopRequest(CheckRequest request, @Nullable Set<String> boundComponents) {
    AttributeContext attributes = request.getAttributes();
    AttributeContext.HttpRequest http = attributes.getRequest().getHttp();
    String principal = attributes.getSource().getPrincipal();
    String serving = attributes.getDestination().getPrincipal();
    Instant time =
        attributes.getRequest().hasTime()
            ? Instant.ofEpochSecond(
                attributes.getRequest().getTime().getSeconds(),
                attributes.getRequest().getTime().getNanos())
            : null;
    // with_request_body sends the body as text, or as bytes with pack_as_bytes; bytes are decoded
    // strictly, so that hopgate never reads a body other than the one the upstream receives. Text
    // is marked: Envoy replaced what was not UTF-8, and an MCP route refuses it.
    String body = http.getBody();
    boolean asText = !body.isEmpty();
    boolean notUtf8 = false;
    if (!asText && !http.getRawBody().isEmpty()) {
      notUtf8 = !http.getRawBody().isValidUtf8();
      body = http.getRawBody().toStringUtf8();
    }
    return new HopRequest(
        http.getHeadersMap(),
        attributes.getContextExtensionsMap(),
        http.getMethod(),
        http.getPath(),
        principal.isEmpty() ? null : principal,
        http.getId(),
        time,
        body,
        notUtf8,
        asText,
        boundComponents,
        serving.isEmpty() ? null : serving);
  }
}
