package dev.hopgate.tests;

import static dev.hopgate.pdp.state.RefundFixture.APPROVALS;
import static dev.hopgate.pdp.state.RefundFixture.APPROVE;
import static dev.hopgate.pdp.state.RefundFixture.OPEN;
import static dev.hopgate.pdp.state.RefundFixture.SUPPORT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.RedisStateStore;
import dev.hopgate.pdp.state.RefundFixture;
import dev.hopgate.pdp.state.Reservation;
import dev.hopgate.tests.harness.RedisProcess;
import dev.hopgate.tests.harness.Tools;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Approvals ({@code once}) and budgets ({@code max}) shared by two hopgate instances of one
 * component through one real Redis: the reservation is one Lua script, so racers across instances
 * have exactly one winner and a budget counts every instance's refunds.
 */
class SequenceStateSharedRedisIT {
  @TempDir Path dir;
  private RedisProcess redis;
  private RefundFixture refund;
  private PolicySnapshot snapshot;
  private final List<RedisStateStore> clients = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    redis = RedisProcess.start(dir);
    refund = new RefundFixture(Tools.repo().resolve("policies/processes"));
    snapshot = refund.snapshot(new CedarEngine().prepare(Tools.repo().resolve("policies/cedar")));
  }

  @AfterEach
  void tearDown() {
    clients.forEach(RedisStateStore::close);
    redis.close();
  }

  @Test
  void twoInstancesRacingForOneApproval_exactlyOneIsAllowed() throws Exception {
    List<DecisionPoint> instances = List.of(instance(), instance());
    List<String> done = refund.openedAndApproved("d-race");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Decision>> racers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        DecisionPoint instance = instances.get(i % 2);
        String requestId = "racer-" + i;
        racers.add(() -> instance.decide(refund.refund(done, requestId)));
      }
      List<Decision> decisions = new ArrayList<>();
      for (Future<Decision> f : pool.invokeAll(racers)) {
        decisions.add(f.get());
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
  void theBudget_countsRefundsOnEveryInstance_andARetryOnTheOtherInstanceSpendsNothing()
      throws Exception {
    DecisionPoint a = instance();
    DecisionPoint b = instance();
    List<String> done = new ArrayList<>(List.of(refund.completion(SUPPORT, OPEN, "d-open", 600)));
    for (int i = 1; i <= 3; i++) {
      done.add(refund.completion(APPROVALS, APPROVE, "d-a" + i, 60 - i));
      assertThat((i % 2 == 0 ? b : a).decide(refund.refund(done, "req-" + i)).outcome())
          .isEqualTo(Outcome.ALLOW);
    }
    // Envoy retries req-3 against the other instance: the same answer, no fourth unit.
    assertThat(b.decide(refund.refund(done, "req-3")).outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(clients.get(0).used(refund.usageKey(), "nobody")).isEqualTo(3);

    done.add(refund.completion(APPROVALS, APPROVE, "d-a4", 5));
    Decision fourth = b.decide(refund.refund(done, "req-4"));
    assertThat(fourth.outcome()).isEqualTo(Outcome.DENY);
    assertThat(fourth.violations().get(0).code()).isEqualTo("budget_exhausted");
  }

  @Test
  void aReservation_isAllOrNothingInRedis() throws Exception {
    RedisStateStore store =
        new RedisStateStore(URI.create(redis.uri()), Duration.ofMillis(500), "hopgate-it:");
    clients.add(store);
    Duration ttl = Duration.ofSeconds(30);
    store.reserve(
        new Reservation("other", List.of(new Reservation.Claim("taken", ttl)), List.of()));
    assertThat(
            store.reserve(
                new Reservation(
                    "me",
                    List.of(
                        new Reservation.Claim("free", ttl), new Reservation.Claim("taken", ttl)),
                    List.of(new Reservation.Unit("budget", 1, ttl)))))
        .isEqualTo(new Reservation.Outcome.ClaimHeld(1, "other"));
    assertThat(store.holder("free")).isNull();
    assertThat(store.used("budget", "x")).isZero();

    assertThat(
            store.reserve(
                new Reservation(
                    "me",
                    List.of(new Reservation.Claim("free", ttl)),
                    List.of(new Reservation.Unit("budget", 1, ttl)))))
        .isInstanceOf(Reservation.Outcome.Reserved.class);
    assertThat(
            store.reserve(
                new Reservation("you", List.of(), List.of(new Reservation.Unit("budget", 1, ttl)))))
        .isEqualTo(new Reservation.Outcome.BudgetSpent(0, 1));
    assertThat(store.holder("free")).isEqualTo("me");
  }

  @Test
  void redisDown_aConditionedStepFailsClosed() {
    DecisionPoint a = instance();
    redis.terminate(Duration.ofSeconds(10));
    Decision decision = a.decide(refund.refund(refund.openedAndApproved("d-down"), "req-1"));
    assertThat(decision.outcome()).isEqualTo(Outcome.ABORT);
    assertThat(decision.violations().get(0).code()).isEqualTo("state_unavailable");
  }

  private DecisionPoint instance() {
    RedisStateStore store =
        new RedisStateStore(URI.create(redis.uri()), Duration.ofMillis(500), "hopgate-it:");
    clients.add(store);
    return refund.instance(snapshot, store);
  }
}
