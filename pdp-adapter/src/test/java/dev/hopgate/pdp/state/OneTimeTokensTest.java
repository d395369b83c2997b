package dev.hopgate.pdp.state;

import static dev.hopgate.pdp.floor.ChainFixture.INVENTORY;
import static dev.hopgate.pdp.floor.ChainFixture.NOW;
import static dev.hopgate.pdp.floor.ChainFixture.PLANNER;
import static dev.hopgate.pdp.floor.ChainFixture.RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.TestRoutes;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.wire.WireTypes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One-time hop tokens through the real decision point (floor, Cedar, the state store). */
class OneTimeTokensTest {
  private static final String DROP = "urn:ops:step:drop-production-database";

  private final ChainFixture f = new ChainFixture();
  private StateStore store;
  private String origin;

  @BeforeEach
  void setUp() {
    store = new InMemoryStateStore(1000);
    origin = f.origin(PLANNER, null, Set.of(RESERVE, DROP));
  }

  @Test
  void secondUseOfAOnceToken_isTokenConsumed() {
    String token = f.hopOnce(INVENTORY, "jti-1");
    assertThat(decide(token, RESERVE, "req-1", NOW).outcome()).isEqualTo(Outcome.ALLOW);

    Decision second = decide(token, RESERVE, "req-2", NOW.plusSeconds(1));
    assertThat(second.outcome()).isEqualTo(Outcome.DENY);
    assertThat(second.violations().get(0).code()).isEqualTo("token_consumed");
    assertThat(second.problem().status()).isEqualTo(401);
  }

  /**
   * Issue 18: a full in-memory store evicted its oldest keys, so a once token spent first was
   * forgotten once enough others were spent, and could be spent again. Now the store refuses new
   * claims when full ({@code state_full}) and keeps every live one.
   */
  @Test
  void aFullStore_refusesNewSpends_ratherThanEvictingASpentOnceToken() {
    store = new InMemoryStateStore(6); // each spend writes a claim and a decided mark
    String first = f.hopOnce(INVENTORY, "jti-full-1");
    assertThat(decide(first, RESERVE, "req-1", NOW).outcome()).isEqualTo(Outcome.ALLOW);
    for (int i = 2; i <= 4; i++) {
      decide(f.hopOnce(INVENTORY, "jti-full-" + i), RESERVE, "req-" + i, NOW);
    }

    Decision again = decide(first, RESERVE, "req-again", NOW.plusSeconds(1));

    assertThat(again.outcome()).isNotEqualTo(Outcome.ALLOW);
    assertThat(again.violations().get(0).code()).isEqualTo("token_consumed");
    Decision overflow = decide(f.hopOnce(INVENTORY, "jti-full-5"), RESERVE, "req-5", NOW);
    assertThat(overflow.outcome()).isEqualTo(Outcome.ABORT);
    assertThat(overflow.violations().get(0).code()).isEqualTo("state_full");
  }

  @Test
  void envoyRetryOfTheSameCheck_getsTheSameDecision() {
    String token = f.hopOnce(INVENTORY, "jti-2");
    assertThat(decide(token, RESERVE, "req-1", NOW).outcome()).isEqualTo(Outcome.ALLOW);
    // Same request id and request time: Envoy retried after its ext_authz timeout.
    assertThat(decide(token, RESERVE, "req-1", NOW, NOW.plusMillis(300)).outcome())
        .isEqualTo(Outcome.ALLOW);
  }

  @Test
  void retryAfterTheRetryWindow_isTokenConsumed() {
    String token = f.hopOnce(INVENTORY, "jti-3");
    assertThat(decide(token, RESERVE, "req-1", NOW).outcome()).isEqualTo(Outcome.ALLOW);
    Decision late = decide(token, RESERVE, "req-1", NOW, NOW.plusSeconds(40));
    assertThat(late.violations().get(0).code()).isEqualTo("token_consumed");
  }

  @Test
  void aDenyDoesNotConsumeTheToken() {
    String token = f.hopOnce(INVENTORY, "jti-4");
    Decision denied = decide(token, DROP, "req-1", NOW);
    assertThat(denied.outcome()).isEqualTo(Outcome.DENY);
    assertThat(denied.violations().get(0).code()).isEqualTo("not_performed");

    assertThat(decide(token, RESERVE, "req-2", NOW.plusSeconds(1)).outcome())
        .isEqualTo(Outcome.ALLOW);
  }

  @Test
  void withoutEnvoysRequestIdentity_anySecondUseIsConsumed() {
    String token = f.hopOnce(INVENTORY, "jti-5");
    assertThat(decide(token, RESERVE, "", NOW).outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(decide(token, RESERVE, "", NOW).violations().get(0).code())
        .isEqualTo("token_consumed");
  }

  @Test
  void aReusableToken_isNeverConsumed() {
    String token = f.hop(INVENTORY, "alice@shop.example", f.txn, null);
    for (int i = 0; i < 3; i++) {
      assertThat(decide(token, RESERVE, "req-" + i, NOW).outcome()).isEqualTo(Outcome.ALLOW);
    }
  }

  @Test
  void aRequestWhoseEnvoyTimeIsPastTheRetryWindow_isRefusedWithoutSpendingTheToken() {
    String token = f.hopOnce(INVENTORY, "jti-stale");
    Decision stale = decide(token, RESERVE, "req-stale", NOW.minusSeconds(60), NOW);
    assertThat(stale.violations().get(0).code()).isEqualTo("token_consumed");
    // Nothing was reserved for it: the token is still good for a fresh request.
    assertThat(decide(token, RESERVE, "req-fresh", NOW).outcome()).isEqualTo(Outcome.ALLOW);
  }

  @Test
  void stateStoreDown_failsClosed() {
    store =
        new StateStore() {
          @Override
          public Reservation.Outcome reserve(Reservation reservation) throws StateException {
            throw new StateException("connection refused", new java.io.IOException("refused"));
          }

          @Override
          public boolean release(Reservation reservation) throws StateException {
            throw new StateException("connection refused", new java.io.IOException("refused"));
          }

          @Override
          public String holder(String key) throws StateException {
            throw new StateException("connection refused", new java.io.IOException("refused"));
          }

          @Override
          public long used(String key, String owner) throws StateException {
            throw new StateException("connection refused", new java.io.IOException("refused"));
          }

          @Override
          public String describe() {
            return "broken";
          }
        };
    Decision decision = decide(f.hopOnce(INVENTORY, "jti-6"), RESERVE, "req-1", NOW);
    assertThat(decision.outcome()).isEqualTo(Outcome.ABORT);
    assertThat(decision.violations().get(0).code()).isEqualTo("state_unavailable");
  }

  private Decision decide(String hopToken, String step, String requestId, Instant requestTime) {
    return decide(hopToken, step, requestId, requestTime, requestTime);
  }

  private Decision decide(
      String hopToken, String step, String requestId, Instant requestTime, Instant now) {
    try {
      DecisionPoint dp =
          new DecisionPoint(
              f.floor(),
              new PolicySnapshot(
                  new CedarEngine().prepare(Path.of("..", "policies", "cedar")),
                  f.manifests,
                  ProcessRegistry.of(List.of()),
                  TestRoutes.everyStep(f.manifests, step)),
              new OneTimeTokens(store, Duration.ofSeconds(1), Duration.ofSeconds(30)),
              null,
              DecisionSink.NONE,
              Clock.fixed(now, ZoneOffset.UTC),
              null,
              LedgerView.Lookup.NONE);
      return dp.decide(
          new HopRequest(
              Map.of("authorization", "Bearer " + hopToken, WireTypes.TXN_TOKEN, origin),
              TestRoutes.to(INVENTORY, step),
              "POST",
              "/",
              PLANNER,
              requestId,
              requestId.isEmpty() ? null : requestTime));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
