package dev.hopgate.pdp.association;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryLedgerTest extends LedgerContract {
  @Override
  protected Ledger ledger(int maxHopsPerTxn) {
    return new InMemoryLedger(1 << 20, maxHopsPerTxn, Duration.ofHours(1));
  }

  @Test
  void signalsPastTheBoundAreCountedAsDropped() {
    InMemoryLedger ledger = new InMemoryLedger(1 << 20, 1, Duration.ofHours(1));
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    for (int i = 0; i < 3; i++) {
      ledger.record(
          BoundarySignal.start(
              "t1",
              "d" + i,
              "spiffe://x/c",
              "urn:s:" + i,
              "spiffe://x/hopgate",
              t,
              "transition-" + i));
    }
    assertThat(ledger.dropped()).isEqualTo(2);
  }

  @Test
  void aTxnIsBoundedByItsCharactersToo() {
    InMemoryLedger ledger = new InMemoryLedger(1 << 20, 256, 10_000, Duration.ofHours(1));
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    String big = "x".repeat(4_000);
    for (int i = 0; i < 3; i++) {
      ledger.record(
          BoundarySignal.start(
              "t1", "d" + i, "spiffe://x/c", "urn:s:" + i, "spiffe://x/hopgate", t, big));
    }
    assertThat(ledger.linkage("t1")).hasSize(2);
    assertThat(ledger.dropped()).isEqualTo(1);
  }
}
