package dev.hopgate.pdp.state;

import static dev.hopgate.pdp.state.RefundFixture.APPROVALS;
import static dev.hopgate.pdp.state.RefundFixture.APPROVE;
import static dev.hopgate.pdp.state.RefundFixture.OPEN;
import static dev.hopgate.pdp.state.RefundFixture.REFUND;
import static dev.hopgate.pdp.state.RefundFixture.SUPPORT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.engine.rego.OpaWasmEngine;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Temporal sequence conditions through the real decision point (floor, engine, state store): an
 * approval spent by the refund it unlocks, its window, the refund budget, and racers.
 */
class SequenceStateTest {
  private RefundFixture refund;
  private StateStore store;
  private PolicySnapshot snapshot;

  @BeforeEach
  void setUp() throws Exception {
    refund = new RefundFixture(Path.of("..", "policies", "processes"));
    store = new InMemoryStateStore(1000);
    snapshot = refund.snapshot(new CedarEngine().prepare(Path.of("..", "policies", "cedar")));
  }

  @Test
  void anApproval_isSpentByTheRefundItUnlocks_andAnEnvoyRetryGetsTheSameAnswer() {
    List<String> done = refund.openedAndApproved("d-a1");
    assertThat(decide(refund.refund(done, "req-1")).outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(decide(refund.refund(done, "req-1")).outcome())
        .isEqualTo(Outcome.ALLOW); // Envoy's retry

    Decision second = decide(refund.refund(done, "req-2"));
    assertThat(second.outcome()).isEqualTo(Outcome.DENY);
    assertThat(second.problem().violations())
        .containsExactly(
            Map.of("gate", "sequence", "code", "consumed", "consumed", List.of(APPROVE)));
    assertThat(second.problem().repair())
        .containsExactly(
            Map.of(
                "action",
                "complete_steps",
                "steps",
                List.of(APPROVE),
                "process",
                "urn:shop:process:refund"));

    List<String> approvedAgain = new ArrayList<>(done);
    approvedAgain.add(refund.completion(APPROVALS, APPROVE, "d-a2", 10));
    assertThat(decide(refund.refund(approvedAgain, "req-3")).outcome()).isEqualTo(Outcome.ALLOW);
  }

  @Test
  void anApprovalAtAComponentTheProcessDoesNotBind_isRefused_andItsRecordUnlocksNothing()
      throws Exception {
    List<String> opened = List.of(refund.completion(SUPPORT, OPEN, "d-open", 600));
    Decision elsewhere =
        decide(
            refund.request(
                RefundFixture.BACKOFFICE,
                APPROVE,
                opened,
                "req-b",
                refund.origin(Set.of(OPEN, APPROVE, REFUND))));

    assertThat(elsewhere.outcome()).isEqualTo(Outcome.DENY);
    assertThat(elsewhere.problem().violations())
        .containsExactly(
            Map.of(
                "gate",
                "scope",
                "code",
                "bound_to_another_component",
                "step",
                APPROVE,
                "component",
                APPROVALS));
    // A record of the approval signed for that component (an older hopgate's, say) counts for
    // nothing: the refund still misses its approval, and nothing is spent.
    List<String> approvedElsewhere = new ArrayList<>(opened);
    approvedElsewhere.add(refund.completion(RefundFixture.BACKOFFICE, APPROVE, "d-b", 30));
    Decision refused = decide(refund.refund(approvedElsewhere, "req-r"));
    assertThat(refused.violations()).extracting(v -> v.code()).contains("missing_prerequisites");
    assertThat(store.used(refund.usageKey(), "nobody")).isZero();
  }

  @Test
  void anApprovalOutsideItsWindow_isExpired_andNothingIsSpent() throws Exception {
    List<String> done =
        List.of(
            refund.completion(SUPPORT, OPEN, "d-open", 2000),
            refund.completion(APPROVALS, APPROVE, "d-a1", 901));
    Decision late = decide(refund.refund(done, "req-1"));
    assertThat(late.outcome()).isEqualTo(Outcome.DENY);
    assertThat(late.problem().violations())
        .containsExactly(
            Map.of(
                "gate", "sequence", "code", "expired_prerequisites", "expired", List.of(APPROVE)));
    assertThat(store.used(refund.usageKey(), "nobody")).isZero();
  }

  @Test
  void theBudget_allowsThreeRefundsPerTxn_thenIsTerminal() throws Exception {
    List<String> done = new ArrayList<>(List.of(refund.completion(SUPPORT, OPEN, "d-open", 600)));
    for (int i = 1; i <= 3; i++) {
      done.add(refund.completion(APPROVALS, APPROVE, "d-a" + i, 60 - i));
      assertThat(decide(refund.refund(done, "req-" + i)).outcome())
          .as("refund %d", i)
          .isEqualTo(Outcome.ALLOW);
    }
    done.add(refund.completion(APPROVALS, APPROVE, "d-a4", 5));
    Decision fourth = decide(refund.refund(done, "req-4"));
    assertThat(fourth.outcome()).isEqualTo(Outcome.DENY);
    assertThat(fourth.problem().violations())
        .containsExactly(
            Map.of(
                "gate",
                "sequence",
                "code",
                "budget_exhausted",
                "step",
                REFUND,
                "max",
                3L,
                "used",
                3L));
    assertThat(fourth.problem().repair()).containsExactly(Map.of("action", "none"));
    assertThat(store.used(refund.usageKey(), "nobody")).isEqualTo(3);
  }

  @Test
  void aDeniedRefund_spendsNothing() {
    List<String> done = refund.openedAndApproved("d-a1");
    String narrow = refund.origin(Set.of(OPEN, APPROVE));
    assertThat(decide(refund.refund(done, "req-1", narrow)).outcome()).isEqualTo(Outcome.DENY);
    assertThat(decide(refund.refund(done, "req-2")).outcome()).isEqualTo(Outcome.ALLOW);
  }

  @Test
  void sixteenRacersForOneApproval_exactlyOneIsAllowed() throws Exception {
    List<String> done = refund.openedAndApproved("d-a1");
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Decision>> racers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        HopRequest request = refund.refund(done, "racer-" + i);
        racers.add(
            pool.submit(
                () -> {
                  start.await();
                  return decide(request);
                }));
      }
      start.countDown();
      List<Decision> decisions = new ArrayList<>();
      for (Future<Decision> r : racers) {
        decisions.add(r.get());
      }
      assertThat(decisions).filteredOn(d -> d.outcome() == Outcome.ALLOW).hasSize(1);
      assertThat(decisions)
          .filteredOn(d -> d.outcome() == Outcome.DENY)
          .allSatisfy(d -> assertThat(d.violations().get(0).code()).isEqualTo("consumed"))
          .hasSize(15);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void opaWasm_decidesTheSame() throws Exception {
    snapshot =
        refund.snapshot(
            new OpaWasmEngine(2, Duration.ofSeconds(1))
                .prepare(Path.of("..", "policies", "target", "opa", "policy.wasm")));
    List<String> done = refund.openedAndApproved("d-a1");
    assertThat(decide(refund.refund(done, "req-1")).outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(decide(refund.refund(done, "req-2")).violations().get(0).code())
        .isEqualTo("consumed");
  }

  @Test
  void theLedger_isConsultedOnlyForAStepWithPrerequisites() {
    java.util.concurrent.atomic.AtomicInteger lookups =
        new java.util.concurrent.atomic.AtomicInteger();
    DecisionPoint dp =
        refund.instance(
            snapshot,
            store,
            txn -> {
              lookups.incrementAndGet();
              return new dev.hopgate.pdp.floor.LedgerView(
                  refund.openedAndApproved("d-from-ledger"), List.of());
            });
    // open-case is the process's entry step: no completion can matter, so no lookup.
    assertThat(
            dp.decide(
                    refund.request(
                        SUPPORT,
                        OPEN,
                        List.of(),
                        "req-open",
                        refund.origin(Set.of(OPEN, APPROVE, REFUND))))
                .outcome())
        .isEqualTo(Outcome.ALLOW);
    assertThat(lookups).hasValue(0);
    // issue-refund needs the approval: found in the ledger alone, nothing carried.
    assertThat(dp.decide(refund.refund(List.of(), "req-refund")).outcome())
        .isEqualTo(Outcome.ALLOW);
    assertThat(lookups).hasValue(1);
  }

  private Decision decide(HopRequest request) {
    DecisionPoint dp = refund.instance(snapshot, store);
    return dp.decide(request);
  }
}
