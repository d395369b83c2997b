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

/** The ledger in a real Redis: the same contract as in memory, shared by two clients (two hopgates). */
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
    RedisLedger ledger = new RedisLedger(URI.create(redis.uri()), Duration.ofMillis(500), prefix, maxHops,
        Duration.ofMinutes(5));
    clients.add(ledger);
    return ledger;
  }

  @Test
  void twoHopgatesShareOneLedger_aStartOnOneIsLinkedToItsCompleteOnTheOther() {
    RedisLedger a = client("shared:", 100);
    RedisLedger b = client("shared:", 100);
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    a.record(new BoundarySignal(BoundarySignal.Kind.START, "t9", "d1", "spiffe://x/inventory", "urn:s:reserve",
        "spiffe://x/hopgate/inventory", t, null));
    assertThat(b.record(new BoundarySignal(BoundarySignal.Kind.COMPLETE, "t9", "d1", "spiffe://x/inventory",
        "urn:s:reserve", "spiffe://x/hopgate/inventory", t.plusSeconds(2), "rec-1"))).isTrue();
    assertThat(a.linkage("t9")).singleElement().satisfies(hop -> {
      assertThat(hop.startedAt()).isEqualTo(t);
      assertThat(hop.completedAt()).isEqualTo(t.plusSeconds(2));
      assertThat(hop.completionRecord()).isEqualTo("rec-1");
    });
  }
}
