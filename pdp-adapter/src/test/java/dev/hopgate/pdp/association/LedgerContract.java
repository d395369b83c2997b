package dev.hopgate.pdp.association;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.floor.LinkedHop;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What every ledger does (in memory here; in Redis: RedisLedgerIT in the tests module). */
public abstract class LedgerContract {
  private static final Instant T = Instant.parse("2026-11-23T10:00:00Z");
  private Ledger ledger;

  /** A ledger that keeps at most {@code maxHopsPerTxn} hops of a txn. */
  protected abstract Ledger ledger(int maxHopsPerTxn) throws Exception;

  @org.junit.jupiter.api.BeforeEach
  void createLedger() throws Exception {
    ledger = ledger(3);
  }

  @Test
  public void aCompleteIsLinkedToItsStart_byDecision() {
    assertThat(ledger.record(start("d1", "urn:s:a"))).isFalse();
    assertThat(ledger.record(complete("d1", "urn:s:a", "rec-1"))).isTrue();
    assertThat(ledger.record(complete("d9", "urn:s:z", "rec-9"))).as("no START seen").isFalse();

    assertThat(ledger.linkage("t1"))
        .containsExactly(
            new LinkedHop(
                "d1",
                "spiffe://x/c",
                "urn:s:a",
                "spiffe://x/hopgate",
                T,
                T.plusSeconds(1),
                "transition-d1",
                "rec-1"),
            new LinkedHop(
                "d9",
                "spiffe://x/c",
                "urn:s:z",
                "spiffe://x/hopgate",
                null,
                T.plusSeconds(1),
                null,
                "rec-9"));
    assertThat(ledger.linkage("unknown")).isEmpty();
  }

  @Test
  public void theView_offersRecordsAndTheHopsStillRunning_withTheirTransitions() {
    ledger.record(start("d1", "urn:s:a"));
    ledger.record(complete("d1", "urn:s:a", "rec-1"));
    ledger.record(start("d2", "urn:s:b"));

    LedgerView view = LedgerView.of(ledger.linkage("t1"));
    assertThat(view.records()).containsExactly("rec-1");
    assertThat(view.running())
        .extracting(LinkedHop::step, LinkedHop::transition)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("urn:s:b", "transition-d2"));
  }

  @Test
  public void aTxnIsBounded() {
    for (int i = 0; i < 5; i++) {
      ledger.record(start("d" + i, "urn:s:" + i));
    }
    assertThat(ledger.linkage("t1")).hasSize(3);
    // A signal for a hop already there still lands.
    assertThat(ledger.record(complete("d0", "urn:s:0", "rec-0"))).isTrue();
  }

  @Test
  public void whatIsStored_isNeverReplaced() {
    ledger.record(start("d1", "urn:s:a"));
    ledger.record(complete("d1", "urn:s:a", "rec-1"));
    ledger.record(complete("d1", "urn:s:a", "rec-other"));
    ledger.record(
        BoundarySignal.start(
            "t1",
            "d1",
            "spiffe://x/c",
            "urn:s:a",
            "spiffe://x/hopgate",
            T.plusSeconds(9),
            "transition-other"));

    LinkedHop hop = ledger.linkage("t1").get(0);
    assertThat(hop.completionRecord()).isEqualTo("rec-1");
    assertThat(hop.transition()).isEqualTo("transition-d1");
    assertThat(hop.startedAt()).isEqualTo(T);
  }

  private static BoundarySignal start(String decision, String step) {
    return BoundarySignal.start(
        "t1", decision, "spiffe://x/c", step, "spiffe://x/hopgate", T, "transition-" + decision);
  }

  private static BoundarySignal complete(String decision, String step, String record) {
    return BoundarySignal.complete(
        "t1", decision, "spiffe://x/c", step, "spiffe://x/hopgate", T.plusSeconds(1), record);
  }
}
