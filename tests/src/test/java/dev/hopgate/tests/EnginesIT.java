package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.MetricsScrape;
import dev.hopgate.tests.harness.OpaProcess;
import dev.hopgate.tests.harness.Ports;
import dev.hopgate.tests.harness.Tools;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each engine behind the real Envoy: the same allow and the same worked-case denial. */
class EnginesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String SHADOW = "hopgate_shadow_comparisons_total";

  @TempDir Path dir;

  @ParameterizedTest(name = "engine {0}")
  @ValueSource(strings = {"opa-wasm", "opa-server", "shadow"})
  void engine_allowsAndDeniesLikeCedar(String engine) throws Exception {
    int metricsPort = Ports.free();
    try (OpaProcess opa = OpaProcess.start(Files.createDirectories(dir.resolve("opa")));
        EdgeStack stack =
            EdgeStack.start(
                Files.createDirectories(dir.resolve("edge")),
                """
             opa_server: { url: "%s", timeout: 500ms, check_with: "%s" }
             shadow: { primary: opa-wasm, secondary: opa-server }
             metrics: { listen: "127.0.0.1:%d" }
             """
                    .formatted(opa.uri(), Tools.opa(), metricsPort),
                "--engine",
                engine)) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      // The warm-up's decisions were shadowed too: count this test's from when those are done.
      MetricsScrape before =
          Eventually.until(
              "the warm-up's shadow comparisons are done",
              () -> MetricsScrape.of(metricsPort),
              m -> m.value("hopgate_shadow_pending") == 0);
      assertThat(stack.hopgate().logText())
          .contains("engine " + (engine.equals("shadow") ? "shadow(opa-wasm,opa-server)" : engine));

      assertThat(
              stack
                  .get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY))
                  .statusCode())
          .isEqualTo(200);
      HttpResponse<String> denied =
          stack.get(
              planner,
              "/ops/drop-production-database",
              stack.credentials(EdgeStack.OPS_DB, "incident-response.process.yaml", c -> c));
      assertThat(denied.statusCode()).isEqualTo(403);
      JsonNode problem = JSON.readTree(denied.body());
      assertThat(problem.at("/violations/0/code").asText()).isEqualTo("step_not_in_intent");
      assertThat(problem.at("/repair/0/action").asText()).isEqualTo("declare_intent");
      if (engine.equals("shadow")) {
        // The secondary evaluates off the Check path: wait until it has compared both decisions.
        MetricsScrape compared =
            Eventually.until(
                "the shadow engine compared both decisions",
                () -> MetricsScrape.of(metricsPort),
                m ->
                    m.value("hopgate_shadow_pending") == 0
                        && m.since(before, SHADOW + "{result=\"agreed\"}")
                                + m.since(before, SHADOW + "{result=\"disagreed\"}")
                                + m.since(before, SHADOW + "{result=\"skipped\"}")
                            == 2);
        assertThat(compared.since(before, SHADOW + "{result=\"agreed\"}"))
            .as(stack.hopgate().logText())
            .isEqualTo(2);
        assertThat(stack.hopgate().logText()).doesNotContain("shadow disagreement");
      }
    }
  }
}
