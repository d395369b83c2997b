package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.tests.harness.EdgeStack;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fail closed: with hopgate gone, Envoy refuses every request and the upstream sees nothing. */
class HopgateUnavailableIT {
  @TempDir Path dir;

  @Test
  void hopgateStopped_envoyRefusesAndTheUpstreamIsNeverHit() throws Exception {
    try (EdgeStack stack = EdgeStack.start(dir)) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      assertThat(
              stack
                  .get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY))
                  .statusCode())
          .as("the stack works before hopgate stops")
          .isEqualTo(200);
      int hits = stack.upstream().hits();

      int exit = stack.hopgate().terminate(Duration.ofSeconds(20));
      assertThat(exit).as("SIGTERM ends hopgate as the JVM does on a signal").isIn(0, 143);
      assertThat(stack.hopgate().logText())
          .contains("draining in-flight checks")
          .contains("hopgate stopped");

      HttpResponse<String> response =
          stack.get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY));
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(stack.upstream().hits()).isEqualTo(hits);
      assertThat(
              stack.envoy().stat("cluster.hopgate.upstream_cx_connect_fail")
                  + stack.envoy().stat("http.edge.ext_authz.error"))
          .isPositive();
    }
  }
}
