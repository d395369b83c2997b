package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.association.LedgerContract;
import dev.hopgate.pdp.association.RedisLedger;
import dev.hopgate.tests.harness.RedisProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ledger in a real Redis: the same contract as in memory, shared by two clients (two hopgates).
 */
class RedisLedgerIT extends LedgerContract {
  @TempDir static Path dir;
  static RedisProcess redis;
  private final List<RedisLedger> clients = new ArrayList<>();
  private static int prefixes;

  @BeforeAll
  static void startRedis() throws Exception {
    redis = RedisProcess.start(dir);
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @AfterEach
  void closeClients() {
    clients.forEach(RedisLedger::close);
  }

  @Override
  protected Ledger ledger(int maxHopsPerTxn) {
    // A prefix per test: each starts from an empty ledger on the one server.
    return client("it-" + (++prefixes) + ":", maxHopsPerTxn);
  }

  private RedisLedger client(String prefix, int maxHops) {
    RedisLedger ledger =
        new RedisLedger(
            URI.create(redis.uri()),
            Duration.ofMillis(500),
            prefix,
            maxHops,
            Duration.ofMinutes(5));
    clients.add(ledger);
    return ledger;
  }

  @Test
  void twoHopgatesShareOneLedger_aStartOnOneIsLinkedToItsCompleteOnTheOther() {
    RedisLedger a = client("shared:", 100);
    RedisLedger b = client("shared:", 100);
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    a.record(
        BoundarySignal.start(
            "t9",
            "d1",
            "spiffe://x/inventory",
            "urn:s:reserve",
            "spiffe://x/hopgate/inventory",
            t,
            "transition-1"));
    assertThat(
            b.record(
                BoundarySignal.complete(
                    "t9",
                    "d1",
                    "spiffe://x/inventory",
                    "urn:s:reserve",
                    "spiffe://x/hopgate/inventory",
                    t.plusSeconds(2),
                    "rec-1")))
        .isTrue();
    assertThat(a.linkage("t9"))
        .singleElement()
        .satisfies(
            hop -> {
              assertThat(hop.startedAt()).isEqualTo(t);
              assertThat(hop.completedAt()).isEqualTo(t.plusSeconds(2));
              assertThat(hop.completionRecord()).isEqualTo("rec-1");
              assertThat(hop.transition()).isEqualTo("transition-1");
            });
  }

  @Test
  void aTxnIsBoundedByItsCharacters() {
    RedisLedger ledger = client("chars:", 256);
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    String big = "x".repeat(400_000);
    for (int i = 0; i < 3; i++) {
      ledger.record(
          BoundarySignal.start(
              "t8", "d" + i, "spiffe://x/c", "urn:s:" + i, "spiffe://x/hopgate", t, big));
    }
    assertThat(ledger.linkage("t8"))
        .as("a txn holds at most %d characters", Ledger.MAX_CHARS_PER_TXN)
        .hasSize(2);
  }
}
