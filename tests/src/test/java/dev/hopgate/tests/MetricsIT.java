package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.MetricsScrape;
import dev.hopgate.tests.harness.Ports;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
    try (EdgeStack stack =
        EdgeStack.start(dir, "metrics: {listen: \"127.0.0.1:" + port + "\"}\n")) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      // The stack's readiness probe was a Check too: count what this test sends, from here on.
      MetricsScrape before = MetricsScrape.of(port);
      for (int i = 0; i < 2; i++) {
        assertThat(
                stack
                    .get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY))
                    .statusCode())
            .isEqualTo(200);
      }
      Map<String, String> noToken = new HashMap<>(stack.credentials(EdgeStack.INVENTORY));
      noToken.remove("Authorization");
      assertThat(stack.get(planner, "/inventory/reserve", noToken).statusCode()).isEqualTo(401);

      // ext_proc mints the completion record as Envoy relays the response; the scrape waits for
      // both.
      MetricsScrape after =
          Eventually.within(
              Eventually.DEFAULT,
              "both completion records are counted",
              () -> MetricsScrape.of(port),
              m -> m.since(before, "hopgate_completion_records_total{fate=\"minted\"}") >= 2);

      assertThat(after.since(before, "hopgate_checks_total{code=\"\",gate=\"\",outcome=\"ALLOW\"}"))
          .isEqualTo(2);
      assertThat(
              after.since(
                  before,
                  "hopgate_checks_total{code=\"token_missing\",gate=\"authorization\",outcome=\"DENY\"}"))
          .isEqualTo(1);
      assertThat(after.since(before, "hopgate_check_duration_seconds_count")).isEqualTo(3);
      assertThat(after.since(before, "hopgate_verification_duration_seconds_count")).isEqualTo(2);
      assertThat(
              after.since(
                  before, "hopgate_engine_evaluation_duration_seconds_count{engine=\"cedar\"}"))
          .isEqualTo(2);
      assertThat(after.since(before, "hopgate_completion_records_total{fate=\"minted\"}"))
          .isEqualTo(2);
      assertThat(after.text())
          .containsPattern(
              "hopgate_revision_info\\{engine=\"cedar\",policy_revision=\"sha256:[0-9a-f]{64}\","
                  + "revision=\"sha256:[0-9a-f]{64}\"} 1.0")
          .containsPattern("hopgate_signature_cache_lookups_total\\{result=\"miss\"} [1-9]")
          .contains("hopgate_decision_log_queue_depth");
    }
  }

  @Test
  void metricsOffLoopback_answerOnlyANamedScraper_overMtls() throws Exception {
    int port = Ports.free();
    try (EdgeStack stack = EdgeStack.start(dir, "metrics: {listen: \"0.0.0.0:" + port + "\"}\n")) {
      URI metrics = URI.create("https://127.0.0.1:" + port + "/metrics");
      SSLContext scraper = stack.pki().workload("prometheus", EdgeStack.SCRAPER).sslContext();
      HttpResponse<String> scraped = scrape(scraper, metrics);
      assertThat(scraped.statusCode()).isEqualTo(200);
      assertThat(scraped.body()).contains("hopgate_checks_total");
      SSLContext envoy = stack.pki().workload("envoy-copy", EdgeStack.ENVOY_IDENTITY).sslContext();
      assertThat(scrape(envoy, metrics).statusCode())
          .as("an identity not in callers.scrapers")
          .isEqualTo(403);
      assertThatThrownBy(() -> scrape(stack.pki().anonymousClient(), metrics))
          .as("no client certificate")
          .isInstanceOf(IOException.class);
    }
  }

  private static HttpResponse<String> scrape(SSLContext tls, URI uri) throws Exception {
    return HttpClient.newBuilder()
        .sslContext(tls)
        .connectTimeout(Duration.ofSeconds(5))
        .build()
        .send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
  }
}
