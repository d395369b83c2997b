package dev.hopgate.tests;

import static dev.hopgate.tests.harness.ShopChain.AGENT;
import static dev.hopgate.tests.harness.ShopChain.CHARGE;
import static dev.hopgate.tests.harness.ShopChain.INVENTORY;
import static dev.hopgate.tests.harness.ShopChain.PAYMENTS;
import static dev.hopgate.tests.harness.ShopChain.PLAN;
import static dev.hopgate.tests.harness.ShopChain.RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.association.v1.Hop;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.LogsOnFailure;
import dev.hopgate.tests.harness.ShopChain;
import dev.hopgate.tests.harness.Tools;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three hopgates, each behind its own Envoy, sharing one association (here the agent's hopgate
 * serves it; {@link AssociationRedisIT}: a ledger in Redis), over {@link ShopChain}: the
 * inventory's record reaches payments' hopgate only through the ledger. When the inventory fails,
 * its START has no COMPLETE: the repair is wait, not redo.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssociationIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  ShopChain chain;

  /** How the edges share their association: the first edge's hopgate serves it to the others. */
  ShopChain startChain() throws IOException {
    return ShopChain.start(dir, true, "");
  }

  /** The edge whose hopgate {@code hopgate txn show} asks. */
  String servingEdge() {
    return "agent";
  }

  @RegisterExtension final TestWatcher dumpLogs = LogsOnFailure.of(() -> chain.mesh().logText());

  @BeforeAll
  void start() throws IOException {
    chain = startChain();
  }

  @AfterAll
  void stop() {
    if (chain != null) {
      chain.close();
    }
  }

  @Test
  void aCompletionObservedDeepInTheChain_countsAtALaterHop_withoutBeingCarriedBack()
      throws Exception {
    chain.inventoryFails(false);
    String txn = "txn-" + UUID.randomUUID();
    HttpResponse<String> plan = chain.call("agent", "/agent/plan", AGENT, txn, null);
    assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
    String agentDone = plan.headers().firstValue("txn-completion").orElseThrow();

    // The inventory's COMPLETE is sent before ext_proc releases its response, with a bound, then
    // retried off the path: on a busy machine it may land after the agent has answered.
    Eventually.until(
        "the ledger shows the inventory's COMPLETE of " + RESERVE,
        () ->
            chain.mesh().linkage(servingEdge(), txn).stream()
                .anyMatch(
                    hop -> hop.getStep().equals(RESERVE) && !hop.getCompletionRecord().isEmpty()));

    // The planner carries only what came back to it: the agent's record, not the inventory's.
    HttpResponse<String> charge =
        chain.call("payments", "/payments/charge", PAYMENTS, txn, agentDone);
    assertThat(charge.statusCode()).as(charge.body()).isEqualTo(200);
    Eventually.until(
        "the ledger shows the agent's COMPLETE and payments' START",
        () -> {
          List<Hop> hops = chain.mesh().linkage(servingEdge(), txn);
          return hops.stream()
                  .anyMatch(
                      hop -> hop.getStep().equals(PLAN) && !hop.getCompletionRecord().isEmpty())
              && hops.stream()
                  .anyMatch(hop -> hop.getStep().equals(CHARGE) && hop.getStartedAt() > 0);
        });

    // hopgate txn show: the txn's hops as the association linked them.
    Process show =
        new ProcessBuilder(
                Tools.java().toString(),
                "-jar",
                Tools.hopgateJar().toString(),
                "txn",
                "show",
                txn,
                "--association",
                "127.0.0.1:" + chain.mesh().edge(servingEdge()).hopgate().port())
            .redirectErrorStream(true)
            .start();
    assertThat(show.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String printed = new String(show.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(printed)
        .contains("txn " + txn + ": 3 hops")
        .contains(PLAN + " at " + AGENT + ": completed")
        .contains(RESERVE + " at " + INVENTORY + ": completed")
        .contains(CHARGE + " at " + PAYMENTS);
  }

  @Test
  void aStartWithoutItsComplete_makesTheRepairWaitNotRedo() throws Exception {
    chain.inventoryFails(true);
    try {
      String txn = "txn-" + UUID.randomUUID();
      HttpResponse<String> plan = chain.call("agent", "/agent/plan", AGENT, txn, null);
      assertThat(plan.statusCode()).isEqualTo(500); // the inventory failed after hopgate allowed it
      // The START leaves the inventory's hopgate off the Check path, after the ALLOW: wait until
      // the ledger holds it (a repair computed before then is complete_steps, rightly).
      Eventually.until(
          "the ledger shows the inventory's START of " + RESERVE,
          () ->
              chain.mesh().linkage(servingEdge(), txn).stream()
                  .anyMatch(hop -> hop.getStep().equals(RESERVE) && hop.getStartedAt() > 0));

      HttpResponse<String> charge = chain.call("payments", "/payments/charge", PAYMENTS, txn, null);
      assertThat(charge.statusCode()).isEqualTo(403);
      JsonNode problem = JSON.readTree(charge.body());
      assertThat(problem.at("/violations/0/code").asText()).isEqualTo("missing_prerequisites");
      assertThat(problem.at("/repair/0/action").asText()).isEqualTo("wait");
      assertThat(problem.at("/repair/0/steps/0").asText()).isEqualTo(RESERVE);
    } finally {
      chain.inventoryFails(false);
    }
  }
}
