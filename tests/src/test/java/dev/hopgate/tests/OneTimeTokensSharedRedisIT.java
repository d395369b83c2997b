package dev.hopgate.tests;

import static dev.hopgate.pdp.floor.ChainFixture.INVENTORY;
import static dev.hopgate.pdp.floor.ChainFixture.NOW;
import static dev.hopgate.pdp.floor.ChainFixture.PLANNER;
import static dev.hopgate.pdp.floor.ChainFixture.RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.TestRoutes;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.state.RedisStateStore;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.tests.harness.RedisProcess;
import dev.hopgate.tests.harness.Tools;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hopgate instances (each its own decision point and its own Redis client) sharing one real
 * Redis: a one-time hop token is spent once across both, and a race for it has exactly one winner.
 */
class OneTimeTokensSharedRedisIT {
  @TempDir Path dir;
  private RedisProcess redis;
  private final ChainFixture mesh = new ChainFixture();
  private final List<RedisStateStore> clients = new ArrayList<>();
  private PreparedPolicy policy;
  private String origin;

  @BeforeEach
  void setUp() throws Exception {
    redis = RedisProcess.start(dir);
    policy = new CedarEngine().prepare(Tools.repo().resolve("policies/cedar"));
    origin = mesh.origin(PLANNER, null, Set.of(RESERVE));
  }

  @AfterEach
  void tearDown() {
    clients.forEach(RedisStateStore::close);
    redis.close();
  }

  @Test
  void onceToken_spentOnOneInstance_isConsumedOnTheOther() {
    DecisionPoint a = instance();
    DecisionPoint b = instance();
    String token = mesh.hopOnce(INVENTORY, "jti-shared-1");

    assertThat(a.decide(request(token, "req-a")).outcome()).isEqualTo(Outcome.ALLOW);
    Decision onB = b.decide(request(token, "req-b"));
    assertThat(onB.outcome()).isEqualTo(Outcome.DENY);
    assertThat(onB.violations().get(0).code()).isEqualTo("token_consumed");
    // Envoy retrying the first Check against the other instance gets the first answer.
    assertThat(b.decide(request(token, "req-a")).outcome()).isEqualTo(Outcome.ALLOW);
  }

  @Test
  void twoInstancesRacingForOneOnceToken_exactlyOneIsAllowed() throws Exception {
    List<DecisionPoint> instances = List.of(instance(), instance());
    String token = mesh.hopOnce(INVENTORY, "jti-race");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Outcome>> racers = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        DecisionPoint instance = instances.get(i % 2);
        String requestId = "req-" + i;
        racers.add(() -> instance.decide(request(token, requestId)).outcome());
      }
      List<Outcome> outcomes = new ArrayList<>();
      for (Future<Outcome> f : pool.invokeAll(racers)) {
        outcomes.add(f.get());
      }
      assertThat(outcomes).filteredOn(o -> o == Outcome.ALLOW).hasSize(1);
      assertThat(outcomes).filteredOn(o -> o == Outcome.DENY).hasSize(15);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void redisDown_onceTokensFailClosed_reusableTokensStillServe() {
    DecisionPoint a = instance();
    redis.terminate(Duration.ofSeconds(10));

    Decision once = a.decide(request(mesh.hopOnce(INVENTORY, "jti-down"), "req-1"));
    assertThat(once.outcome()).isEqualTo(Outcome.ABORT);
    assertThat(once.violations().get(0).code()).isEqualTo("state_unavailable");
    assertThat(
            a.decide(request(mesh.hop(INVENTORY, "alice@shop.example", mesh.txn, null), "req-2"))
                .outcome())
        .isEqualTo(Outcome.ALLOW);
  }

  private DecisionPoint instance() {
    RedisStateStore store =
        new RedisStateStore(URI.create(redis.uri()), Duration.ofMillis(500), "hopgate-it:");
    clients.add(store);
    return new DecisionPoint(
        mesh.floor(),
        new PolicySnapshot(
            policy,
            mesh.manifests,
            ProcessRegistry.of(List.of()),
            TestRoutes.everyStep(mesh.manifests)),
        new OneTimeTokens(store, Duration.ofSeconds(1), Duration.ofSeconds(30)),
        null,
        DecisionSink.NONE,
        mesh.clock,
        null,
        LedgerView.Lookup.NONE);
  }

  private HopRequest request(String hopToken, String requestId) {
    return new HopRequest(
        Map.of("authorization", "Bearer " + hopToken, WireTypes.TXN_TOKEN, origin),
        TestRoutes.to(INVENTORY, RESERVE),
        "POST",
        "/",
        PLANNER,
        requestId,
        NOW);
  }
}
