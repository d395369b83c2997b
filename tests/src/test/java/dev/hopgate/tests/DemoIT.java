package dev.hopgate.tests;

import static dev.hopgate.demo.CheckoutDemo.S;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.demo.CheckoutDemo;
import dev.hopgate.pdp.evidence.LogVerifier;
import dev.hopgate.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** make demo's story, asserted: every status, header and repair field. */
class DemoIT {
  @TempDir static Path dir;
  static CheckoutDemo demo;
  static List<CheckoutDemo.Call> calls;

  @BeforeAll
  static void run() throws Exception {
    demo = CheckoutDemo.start(dir, line -> {});
    calls = demo.run();
  }

  @AfterAll
  static void stop() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void chargingTooEarly_isASequenceDenialWhoseRepairNamesThePrerequisitesInOrder() {
    CheckoutDemo.Call early = calls.get(0);
    assertThat(early.status()).isEqualTo(403);
    assertThat(early.headers()).containsKey("hopgate-decision-id");
    assertThat(early.problem().get("type").asText()).isEqualTo("urn:hopgate:problem:sequence");
    assertThat(early.problem().at("/violations/0/code").asText())
        .isEqualTo("missing_prerequisites");
    assertThat(early.problem().at("/repair/0/action").asText()).isEqualTo("complete_steps");
    assertThat(early.problem().at("/repair/0/process").asText()).isEqualTo(demo.process().iri());
    assertThat(early.problem().at("/repair/0/steps").toString())
        .isEqualTo("[\"" + S + "confirm-address\",\"" + S + "reserve-stock\"]");
    assertThat(early.completions()).isEmpty();
  }

  @Test
  void followingTheRepair_yieldsACompletionRecordPerStep() {
    for (CheckoutDemo.Call done : calls.subList(1, 3)) {
      assertThat(done.status()).isEqualTo(200);
      assertThat(done.completions()).hasSize(1);
      Map<String, Object> record = CheckoutDemo.claims(done.completions().get(0));
      assertThat(record).containsEntry("status", "completed");
      // The ALLOW it completes (its id went upstream with the request, not back in the response).
      assertThat((String) record.get("decision"))
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-.*");
    }
    assertThat(CheckoutDemo.claims(calls.get(1).completions().get(0)))
        .containsEntry("step", S + "confirm-address");
    assertThat(CheckoutDemo.claims(calls.get(2).completions().get(0)))
        .containsEntry("step", S + "reserve-stock");
  }

  @Test
  void theRetriedCharge_passesAndThePaymentIsRecordedThroughATwoHopChain() {
    CheckoutDemo.Call charged = calls.get(3);
    assertThat(charged.status()).isEqualTo(200);
    assertThat(charged.headers().get("x-ledger-chain-length")).containsExactly("2");
    assertThat(CheckoutDemo.claims(charged.completions().get(0)))
        .containsEntry("step", S + "charge-card");
    assertThat(CheckoutDemo.claims(charged.headers().get("x-ledger-completion").get(0)))
        .containsEntry("step", S + "record-payment")
        .containsEntry("iss", "spiffe://shop.example/hopgate/ledger");
  }

  @Test
  void droppingTheProductionDatabase_isOutOfScopeWithOnlyDeclareIntent() {
    CheckoutDemo.Call drop = calls.get(4);
    assertThat(drop.status()).isEqualTo(403);
    assertThat(drop.problem().at("/violations/0/gate").asText()).isEqualTo("scope");
    assertThat(drop.problem().get("violations")).hasSize(1);
    assertThat(drop.problem().get("repair")).hasSize(1);
    assertThat(drop.problem().at("/repair/0/action").asText()).isEqualTo("declare_intent");
    assertThat(demo.mesh().edge("ops-db").upstream().hits()).isZero();
  }

  @Test
  void everyHopgatesDecisionLog_verifiesAndRecordsItsDecisions() throws Exception {
    // The log writer runs off the Check path: wait until payments' log holds its DENY and its
    // ALLOW.
    Path paymentsLog = demo.mesh().decisionLogs().get(2);
    String payments =
        Eventually.until(
            "payments' decision log records its DENY and its ALLOW",
            () -> Files.readString(paymentsLog),
            text ->
                text.contains("\"outcome\":\"DENY\"") && text.contains("\"outcome\":\"ALLOW\""));
    assertThat(payments)
        .contains("missing_prerequisites")
        .doesNotContain("eyJ"); // no token, only digests
    for (Path log : demo.mesh().decisionLogs()) {
      // A record being appended is not yet a whole line: the log verifies once the writer is done.
      var result =
          Eventually.until(
              log + " verifies", () -> LogVerifier.verify(log), LogVerifier.Result::intact);
      assertThat(result.intact()).as(log + ": " + result.problem()).isTrue();
    }
  }

  @Test
  void completionsReplayedIntoAnotherTxn_countForNothing() throws Exception {
    List<String> fromTheFirstTxn = new ArrayList<>();
    fromTheFirstTxn.addAll(calls.get(1).completions());
    fromTheFirstTxn.addAll(calls.get(2).completions());
    String secondTxn = demo.startTxn(List.of(S + "charge-card", S + "record-payment"));

    CheckoutDemo.Call replayed =
        demo.call(
            "charge-card with another txn's records",
            "payments",
            CheckoutDemo.PAYMENTS,
            "/payments/charge",
            secondTxn,
            fromTheFirstTxn);
    assertThat(replayed.status()).isEqualTo(403);
    assertThat(replayed.problem().at("/violations/0/code").asText())
        .isEqualTo("missing_prerequisites");
    assertThat(demo.mesh().edge("payments").hopgate().logText()).doesNotContain("ERROR");
  }

  @Test
  void aStepCompletedDeepInTheChain_countsAtShipping_throughTheAssociation() {
    // The planner carried only what came back to it; the ledger's record stayed with payments.
    CheckoutDemo.Call shipped = calls.get(5);
    assertThat(shipped.status()).as(shipped.problem().toString()).isEqualTo(200);
    assertThat(calls.get(3).completions())
        .noneMatch(c -> CheckoutDemo.claims(c).get("step").equals(S + "record-payment"));
    assertThat(demo.mesh().edge("shipping").upstream().hits()).isEqualTo(1);
  }
}
