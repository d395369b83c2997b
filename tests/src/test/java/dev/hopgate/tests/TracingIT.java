package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.JaegerProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Envoy traces with its OpenTelemetry tracer and hopgate with the OpenTelemetry SDK, both
 * into a real Jaeger: its query API shows each request's trace with hopgate's Check under Envoy's
 * span for the ext_authz call, under Envoy's span for the request, under the caller's span; the
 * floor, state and engine stages under the Check; ext_proc's stream too; and no token anywhere.
 */
class TracingIT {
  private static final String CHECK = "envoy.service.auth.v3.Authorization/Check";
  private static final String EXT_PROC = "envoy.service.ext_proc.v3.ExternalProcessor/Process";

  @TempDir Path dir;

  @Test
  void aChecksSpans_sitUnderTheCallersSpan_inJaeger() throws Exception {
    try (JaegerProcess jaeger =
        JaegerProcess.start(Files.createDirectories(dir.resolve("jaeger")))) {
      String telemetry =
          """
          telemetry:
            service_name: hopgate-edge
            traces: { endpoint: "%s", sampler: parent_based, ratio: 0.0 }
          """
              .formatted(jaeger.otlpHttpTraces());
      Map<String, String> envoyTracing = new HashMap<>();
      // One line in the HCM (flow style keeps the template's indentation out of it).
      envoyTracing.put(
          "TRACING",
          "tracing: { provider: { name: envoy.tracers.opentelemetry, typed_config: {"
              + " \"@type\": type.googleapis.com/envoy.config.trace.v3.OpenTelemetryConfig,"
              + " grpc_service: { envoy_grpc: { cluster_name: jaeger }, timeout: 2s },"
              + " service_name: envoy-edge } } }");
      envoyTracing.put(
          "TRACE_CLUSTER",
          """
            - name: jaeger
              type: STATIC
              connect_timeout: 2s
              typed_extension_protocol_options:
                envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                  "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                  explicit_http_config: { http2_protocol_options: {} }
              load_assignment:
                cluster_name: jaeger
                endpoints:
                - lb_endpoints:
                  - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: %d } } }
          """
              .formatted(jaeger.otlpGrpcPort()));
      Path stackDir = Files.createDirectories(dir.resolve("stack"));
      try (EdgeStack stack =
          EdgeStack.start(
              stackDir,
              telemetry,
              EdgeStack.Callers.DEFAULT,
              EdgeStack.Wiring.MTLS,
              Duration.ofSeconds(2),
              port -> envoyTracing)) {
        SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();

        // Allowed: Check and its stages, and ext_proc's stream for the response.
        String allowedTrace = traceId();
        String callerSpan = spanId();
        Map<String, String> allowedHeaders =
            new LinkedHashMap<>(stack.credentials(EdgeStack.INVENTORY));
        allowedHeaders.put("traceparent", "00-" + allowedTrace + "-" + callerSpan + "-01");
        HttpResponse<String> allowed = stack.get(planner, "/inventory/reserve", allowedHeaders);
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);

        // A caller whose trace context says "not sampled" is not traced (parent_based).
        String unsampledTrace = traceId();
        Map<String, String> unsampled = new LinkedHashMap<>(stack.credentials(EdgeStack.INVENTORY));
        unsampled.put("traceparent", "00-" + unsampledTrace + "-" + spanId() + "-00");
        assertThat(stack.get(planner, "/inventory/reserve", unsampled).statusCode()).isEqualTo(200);

        // Denied by hopgate: a path its route table does not hold.
        String deniedTrace = traceId();
        Map<String, String> deniedHeaders =
            new LinkedHashMap<>(stack.credentials(EdgeStack.INVENTORY));
        deniedHeaders.put("traceparent", "00-" + deniedTrace + "-" + spanId() + "-01");
        HttpResponse<String> denied = stack.get(planner, "/unconfigured/thing", deniedHeaders);
        assertThat(denied.statusCode()).as(denied.body()).isEqualTo(403);

        Trace trace =
            Eventually.within(
                Duration.ofSeconds(90),
                "Jaeger shows the allowed request's trace with Envoy's and hopgate's spans",
                () -> Trace.of(jaeger.trace(allowedTrace)),
                t ->
                    t != null
                        && t.named(CHECK) != null
                        && t.named(EXT_PROC) != null
                        && t.named("hopgate.state.reserve") != null
                        // Envoy exports its spans apart (every few seconds): both its calls'.
                        && t.parent(t.named(CHECK)) != null
                        && t.parent(t.named(EXT_PROC)) != null);
        JsonNode check = trace.named(CHECK);
        assertThat(trace.service(check)).isEqualTo("hopgate-edge");
        assertThat(trace.tag(check, "hopgate.outcome")).isEqualTo("ALLOW");
        assertThat(trace.tag(check, "hopgate.decision.id")).isNotBlank();
        assertThat(trace.tag(check, "hopgate.component")).isEqualTo(EdgeStack.INVENTORY);
        assertThat(trace.tag(check, "hopgate.step")).isEqualTo(EdgeStack.RESERVE);
        // Check's parent: Envoy's span for the ext_authz call, itself under Envoy's span for the
        // request, whose parent is the caller's span.
        JsonNode envoyCall = trace.parent(check);
        assertThat(envoyCall).as("the Check's parent is in the trace").isNotNull();
        assertThat(trace.service(envoyCall)).isEqualTo("envoy-edge");
        assertThat(trace.ancestorIds(check)).contains(callerSpan);
        for (String stage :
            List.of(
                "hopgate.floor",
                "hopgate.state.observe",
                "hopgate.evaluate",
                "hopgate.state.reserve")) {
          JsonNode span = trace.named(stage);
          assertThat(span).as(stage).isNotNull();
          assertThat(trace.parentId(span))
              .as(stage + "'s parent")
              .isEqualTo(check.path("spanID").asText());
        }
        JsonNode extProc = trace.named(EXT_PROC);
        assertThat(trace.service(trace.parent(extProc))).isEqualTo("envoy-edge");
        assertThat(trace.tag(extProc, "hopgate.decision.id"))
            .isEqualTo(trace.tag(check, "hopgate.decision.id"));
        // Never a token: not the hop token, not the origin token, in any span of the trace.
        String whole = trace.json().toString();
        assertThat(whole)
            .doesNotContain(allowedHeaders.get("Authorization").substring("Bearer ".length()))
            .doesNotContain(allowedHeaders.get("Txn-Token"));

        Trace deniedSpans =
            Eventually.within(
                Duration.ofSeconds(90),
                "Jaeger shows the denied request's Check",
                () -> Trace.of(jaeger.trace(deniedTrace)),
                t -> t != null && t.named(CHECK) != null);
        JsonNode deniedCheck = deniedSpans.named(CHECK);
        assertThat(deniedSpans.tag(deniedCheck, "hopgate.outcome")).isEqualTo("DENY");
        assertThat(deniedSpans.tag(deniedCheck, "hopgate.code")).isNotBlank();
        assertThat(deniedSpans.tag(deniedCheck, "hopgate.gate")).isNotBlank();

        // The unsampled request's trace: once the denied one (sent after it) is in Jaeger, hopgate
        // had
        // its chance to export it (spans leave in the order they end); it holds no span of
        // hopgate's.
        Trace none = Trace.of(jaeger.trace(unsampledTrace));
        assertThat(none == null || none.named(CHECK) == null)
            .as("a request whose caller did not sample it is not traced by hopgate")
            .isTrue();
      }
    }
  }

  private static String traceId() {
    return hex(16);
  }

  private static String spanId() {
    return hex(8);
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(b);
    b[0] |= 1; // never all zeros (invalid)
    return java.util.HexFormat.of().formatHex(b);
  }

  /** One trace as Jaeger's query API returns it (spans, references, processes). */
  private record Trace(JsonNode json) {
    static Trace of(JsonNode json) {
      return json == null ? null : new Trace(json);
    }

    JsonNode named(String operation) {
      for (JsonNode span : json.path("spans")) {
        if (span.path("operationName").asText().equals(operation)) {
          return span;
        }
      }
      return null;
    }

    long byService(String service) {
      long n = 0;
      for (JsonNode span : json.path("spans")) {
        if (service.equals(service(span))) {
          n++;
        }
      }
      return n;
    }

    String service(JsonNode span) {
      return json.path("processes")
          .path(span.path("processID").asText())
          .path("serviceName")
          .asText();
    }

    String tag(JsonNode span, String key) {
      for (JsonNode tag : span.path("tags")) {
        if (tag.path("key").asText().equals(key)) {
          return tag.path("value").asText();
        }
      }
      return null;
    }

    String parentId(JsonNode span) {
      for (JsonNode ref : span.path("references")) {
        if (ref.path("refType").asText().equals("CHILD_OF")) {
          return ref.path("spanID").asText();
        }
      }
      return null;
    }

    JsonNode parent(JsonNode span) {
      String id = parentId(span);
      for (JsonNode other : json.path("spans")) {
        if (other.path("spanID").asText().equals(id)) {
          return other;
        }
      }
      return null;
    }

    /** The ids of every ancestor, up to the first not in the trace (the caller's own span). */
    List<String> ancestorIds(JsonNode span) {
      List<String> ids = new java.util.ArrayList<>();
      JsonNode at = span;
      while (at != null && parentId(at) != null) {
        ids.add(parentId(at));
        at = parent(at);
      }
      return ids;
    }
  }
}
