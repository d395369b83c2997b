package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known traffic through Envoy, then a scrape of hopgate's /metrics. */
class MetricsIT {
  @TempDir Path dir;

  @Test
  void metricsCountKnownTraffic() throws Exception {
    int port = Ports.free();
    try (EdgeStack stack = EdgeStack.start(dir, "metrics: {listen: \"127.0.0.1:" + port + "\"}\n")) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      for (int i = 0; i < 2; i++) {
        assertThat(stack.get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY)).statusCode())
            .isEqualTo(200);
      }
      Map<String, String> noToken = new HashMap<>(stack.credentials(EdgeStack.INVENTORY));
      noToken.remove("Authorization");
      assertThat(stack.get(planner, "/inventory/reserve", noToken).statusCode()).isEqualTo(401);

      String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();

      assertThat(metrics)
          .contains("hopgate_checks_total{code=\"\",gate=\"\",outcome=\"ALLOW\"} 2.0")
          .contains("hopgate_checks_total{code=\"token_missing\",gate=\"authorization\",outcome=\"DENY\"} 1.0")
          .contains("hopgate_check_duration_seconds_count 3")
          .contains("hopgate_verification_duration_seconds_count 2")
          .contains("hopgate_engine_evaluation_duration_seconds_count{engine=\"cedar\"} 2")
          .contains("hopgate_completion_records_total{fate=\"minted\"} 2.0")
          .containsPattern("hopgate_revision_info\\{engine=\"cedar\",policy_revision=\"sha256:[0-9a-f]{64}\","
              + "revision=\"sha256:[0-9a-f]{64}\"} 1.0")
          .containsPattern("hopgate_signature_cache_lookups_total\\{result=\"miss\"} [1-9]")
          .contains("hopgate_decision_log_queue_depth");
    }
  }
}
