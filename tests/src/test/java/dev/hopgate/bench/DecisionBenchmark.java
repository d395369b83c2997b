package dev.hopgate.bench;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.engine.rego.OpaWasmEngine;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.TestRoutes;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.JwsVerifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole decision without the network: the third hop of a chain (two transitions), two
 * completion records, a reusable hop token; floor, input document, engine, repair or transition.
 * {@code cold}: every signature verified; {@code cached}: the verified-signature cache as in
 * production, where a chain re-sent on every hop is verified once.
 *
 * <p>Run: {@code make bench-micro}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecisionBenchmark {
  @Param({"cedar", "opa-wasm"})
  public String engine;

  @Param({"cold", "cached"})
  public String signatures;

  private DecisionPoint decisionPoint;
  private HopRequest request;

  @Setup
  public void setUp() throws Exception {
    // At the wall clock's time: the verified-signature cache keeps an entry until its JWS expires
    // in real time.
    ChainFixture f = new ChainFixture(java.time.Instant.now());
    Path repo = Path.of(System.getProperty("hopgate.repo.dir", ".."));
    PreparedPolicy policy =
        engine.equals("cedar")
            ? new CedarEngine().prepare(repo.resolve("policies/cedar"))
            : new OpaWasmEngine(2, Duration.ofSeconds(1))
                .prepare(repo.resolve("policies/target/opa/policy.wasm"));
    JwsVerifier verifier =
        signatures.equals("cold")
            ? new JwsVerifier(0, Duration.ofMinutes(1))
            : new JwsVerifier(16L << 20, Duration.ofHours(1));
    decisionPoint =
        new DecisionPoint(
            f.floor(verifier),
            new PolicySnapshot(
                policy,
                f.manifests,
                ProcessRegistry.of(List.of()),
                TestRoutes.everyStep(f.manifests)),
            new OneTimeTokens(
                new InMemoryStateStore(1000), Duration.ofSeconds(1), Duration.ofSeconds(30)),
            new EnforcementPointSigner(
                "spiffe://shop.example/hopgate/payments",
                JwsSigning.of(JwsSigning.generate("EdDSA", "ep-bench")),
                Duration.ofMinutes(10)),
            DecisionSink.NONE,
            f.clock,
            null,
            LedgerView.Lookup.NONE);
    // Planner -> agent -> inventory -> payments, implicit intent: two transitions arrive at
    // payments.
    String t1 =
        f.transition(
            1,
            f.binding(ChainFixture.PLANNER, null),
            ChainFixture.AGENT,
            ChainFixture.PLAN,
            Set.of(ChainFixture.RESERVE, ChainFixture.CHARGE));
    String t2 =
        f.transition(
            2,
            dev.hopgate.pdp.digest.Digests.ofJws(t1),
            ChainFixture.INVENTORY,
            ChainFixture.RESERVE,
            Set.of(ChainFixture.RESERVE, ChainFixture.CHARGE));
    Map<String, String> headers =
        new HashMap<>(
            f.request(
                    f.hop(ChainFixture.PAYMENTS, "alice@shop.example", f.txn, null),
                    f.origin(
                        ChainFixture.PLANNER,
                        null,
                        Set.of(ChainFixture.PLAN, ChainFixture.RESERVE, ChainFixture.CHARGE)),
                    List.of(t1, t2),
                    List.of(
                        f.completion(ChainFixture.INVENTORY, ChainFixture.RESERVE, f.txn),
                        f.completion(ChainFixture.AGENT, ChainFixture.PLAN, f.txn)),
                    ChainFixture.INVENTORY)
                .headers());
    request =
        new HopRequest(
            headers,
            TestRoutes.to(ChainFixture.PAYMENTS, ChainFixture.CHARGE),
            "POST",
            "/charge",
            ChainFixture.INVENTORY);
    Decision first = decisionPoint.decide(request);
    if (first.outcome() != Outcome.ALLOW) {
      throw new IllegalStateException(
          "the benchmark request must be allowed: "
              + first.violations()
              + (first.problem() == null ? "" : " " + first.problem().detail()));
    }
  }

  @Benchmark
  public Decision decide() {
    return decisionPoint.decide(request);
  }
}
