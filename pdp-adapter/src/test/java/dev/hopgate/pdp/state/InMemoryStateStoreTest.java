package dev.hopgate.pdp.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryStateStoreTest {
  private static final Duration TTL = Duration.ofSeconds(10);
  private final AtomicLong nanos = new AtomicLong();
  private final InMemoryStateStore store = new InMemoryStateStore(100, (Ticker) nanos::get);

  @Test
  void claim_theFirstOwnerHoldsTheKeyUntilItExpires() throws Exception {
    assertThat(store.claim("k", "a", TTL)).isEqualTo("a");
    assertThat(store.claim("k", "b", TTL)).isEqualTo("a");
    assertThat(store.claim("k", "a", TTL)).isEqualTo("a");
    assertThat(store.holder("k")).isEqualTo("a");

    nanos.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(store.holder("k")).isNull();
    assertThat(store.claim("k", "b", TTL)).isEqualTo("b");
  }

  @Test
  void reserve_isAllOrNothing() throws Exception {
    store.claim("taken", "other", TTL);
    Reservation.Outcome outcome =
        store.reserve(
            new Reservation(
                "me",
                List.of(new Reservation.Claim("free", TTL), new Reservation.Claim("taken", TTL)),
                List.of(new Reservation.Unit("budget", 3, TTL))));

    assertThat(outcome).isEqualTo(new Reservation.Outcome.ClaimHeld(1, "other"));
    assertThat(store.holder("free")).isNull();
    assertThat(store.used("budget", "someone")).isZero();
  }

  @Test
  void budget_countsDistinctOwners_soARetrySpendsNothingMore() throws Exception {
    Reservation.Unit unit = new Reservation.Unit("budget", 2, TTL);
    assertThat(store.reserve(new Reservation("a", List.of(), List.of(unit))))
        .isInstanceOf(Reservation.Outcome.Reserved.class);
    // The retry finds its own unit: nothing more is spent, and it learns whose decision it repeats.
    assertThat(store.reserve(new Reservation("a", "retry", List.of(), List.of(unit))))
        .isEqualTo(new Reservation.Outcome.Again("a"));
    assertThat(store.used("budget", "b")).isEqualTo(1);
    assertThat(store.used("budget", "a")).isZero();
    assertThat(store.reserve(new Reservation("b", List.of(), List.of(unit))))
        .isInstanceOf(Reservation.Outcome.Reserved.class);

    assertThat(store.reserve(new Reservation("c", List.of(), List.of(unit))))
        .isEqualTo(new Reservation.Outcome.BudgetSpent(0, 2));
    assertThat(store.reserve(new Reservation("b", List.of(), List.of(unit))))
        .isEqualTo(new Reservation.Outcome.Again("b"));
  }

  @Test
  void aFailedBudget_leavesTheClaimsFree() throws Exception {
    Reservation.Unit unit = new Reservation.Unit("budget", 1, TTL);
    store.reserve(new Reservation("a", List.of(), List.of(unit)));
    assertThat(
            store.reserve(
                new Reservation(
                    "b", List.of(new Reservation.Claim("approval", TTL)), List.of(unit))))
        .isEqualTo(new Reservation.Outcome.BudgetSpent(0, 1));
    assertThat(store.holder("approval")).isNull();
  }

  @Test
  void sixteenRacersForOneApprovalAndTheLastUnit_exactlyOneWins() throws Exception {
    store.reserve(
        new Reservation("earlier", List.of(), List.of(new Reservation.Unit("budget", 2, TTL))));
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Reservation.Outcome>> racers = new java.util.ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String owner = "racer-" + i;
        racers.add(
            pool.submit(
                () -> {
                  start.await();
                  return store.reserve(
                      new Reservation(
                          owner,
                          List.of(new Reservation.Claim("approval", TTL)),
                          List.of(new Reservation.Unit("budget", 2, TTL))));
                }));
      }
      start.countDown();
      int won = 0;
      for (Future<Reservation.Outcome> r : racers) {
        won += r.get() instanceof Reservation.Outcome.Reserved ? 1 : 0;
      }
      assertThat(won).isEqualTo(1);
      assertThat(store.used("budget", "nobody")).isEqualTo(2);
    } finally {
      pool.shutdownNow();
    }
  }
}
