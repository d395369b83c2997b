package dev.hopgate.pdp.state;

import static dev.hopgate.pdp.floor.ChainFixture.NOW;
import static dev.hopgate.pdp.floor.ChainFixture.PLANNER;
import static dev.hopgate.pdp.floor.ChainFixture.TOKENS;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessDefinitionException;
import dev.hopgate.pdp.process.ProcessDefinitions;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.TestRoutes;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A refund txn (policies/processes/refund.process.yaml: open-case -> approve-refund, once ->
 * issue-refund, max 3, within 15m) decided by real decision points over any state store.
 */
public final class RefundFixture {
  public static final String SUPPORT = "spiffe://shop.example/support";
  public static final String APPROVALS = "spiffe://shop.example/approvals";
  public static final String REFUNDS = "spiffe://shop.example/refunds";

  /**
   * Its manifest performs the approval too, which the refund process binds to {@link #APPROVALS}.
   */
  public static final String BACKOFFICE = "spiffe://shop.example/backoffice";

  public static final String OPEN = "urn:shop:step:open-case";
  public static final String APPROVE = "urn:shop:step:approve-refund";
  public static final String REFUND = "urn:shop:step:issue-refund";

  public final ChainFixture f = new ChainFixture();
  public final Map<String, String> intent;
  private final ProcessDefinition process;

  /**
   * @param processes the repository's policies/processes directory
   */
  public RefundFixture(Path processes) throws ProcessDefinitionException {
    process = ProcessDefinitions.load(processes.resolve("refund.process.yaml"));
    intent = Map.of("process", process.iri(), "digest", process.digest());
    for (String component : List.of(SUPPORT, APPROVALS, REFUNDS, BACKOFFICE)) {
      f.enforcers.put(
          component,
          ChainFixture.signer(
              "EdDSA", "ep-" + component.substring(component.lastIndexOf('/') + 1)));
    }
    f.manifests =
        ManifestRegistry.of(
            List.of(
                f.manifest(SUPPORT, List.of(OPEN), null),
                f.manifest(APPROVALS, List.of(APPROVE), null),
                f.manifest(REFUNDS, List.of(REFUND), null),
                f.manifest(BACKOFFICE, List.of(APPROVE), null)));
  }

  public PolicySnapshot snapshot(PreparedPolicy policy) {
    return new PolicySnapshot(
        policy,
        f.manifests,
        ProcessRegistry.of(List.of(process)),
        TestRoutes.everyStep(f.manifests));
  }

  /** One hopgate instance at the refunds component, over {@code store}. */
  public DecisionPoint instance(PolicySnapshot snapshot, StateStore store) {
    return instance(snapshot, store, LedgerView.Lookup.NONE);
  }

  /**
   * One hopgate instance at the refunds component, over {@code store}, consulting {@code ledger}.
   */
  public DecisionPoint instance(
      PolicySnapshot snapshot, StateStore store, LedgerView.Lookup ledger) {
    return new DecisionPoint(
        f.floor(),
        snapshot,
        new OneTimeTokens(store, Duration.ofSeconds(1), Duration.ofSeconds(30)),
        null,
        DecisionSink.NONE,
        Clock.fixed(NOW, ZoneOffset.UTC),
        null,
        ledger);
  }

  /**
   * A completion record of {@code step}, allowed by {@code decision}, observed {@code secondsAgo}.
   */
  public String completion(String component, String step, String decision, long secondsAgo) {
    return f.enforcers
        .get(component)
        .sign(
            WireTypes.COMPLETION,
            Minting.completion(
                ChainFixture.enforcementPoint(component),
                f.txn,
                step,
                component,
                decision,
                NOW.minusSeconds(secondsAgo),
                NOW.plusSeconds(600)));
  }

  /** The case opened 10 minutes ago and one approval, a minute old. */
  public List<String> openedAndApproved(String approvalDecision) {
    return List.of(
        completion(SUPPORT, OPEN, "d-open", 600),
        completion(APPROVALS, APPROVE, approvalDecision, 60));
  }

  public String origin(Set<String> authority) {
    return f.origin(PLANNER, intent, authority);
  }

  /** An issue-refund Check as Envoy sends it (request id and time), the planner calling. */
  public HopRequest refund(List<String> completions, String requestId) {
    return refund(completions, requestId, origin(Set.of(OPEN, APPROVE, REFUND)));
  }

  public HopRequest refund(List<String> completions, String requestId, String origin) {
    return request(REFUNDS, REFUND, completions, requestId, origin);
  }

  /** A Check for {@code step} at {@code component} in this txn, the planner calling. */
  public HopRequest request(
      String component, String step, List<String> completions, String requestId, String origin) {
    String hop =
        f.tokenService.sign(
            HopTokenVerifier.TYPE,
            Minting.hop(
                TOKENS,
                "alice@shop.example",
                component,
                f.txn,
                "jti-" + requestId,
                intent,
                false,
                NOW.minusSeconds(5),
                NOW.plusSeconds(120)));
    Map<String, String> headers =
        new java.util.HashMap<>(
            Map.of("authorization", "Bearer " + hop, WireTypes.TXN_TOKEN, origin));
    if (!completions.isEmpty()) {
      headers.put(WireTypes.TXN_COMPLETIONS, String.join("~", completions));
    }
    return new HopRequest(
        headers, TestRoutes.to(component, step), "POST", "/", PLANNER, requestId, NOW);
  }

  /** The approval key and usage key a store holds for this txn (for assertions). */
  public String usageKey() {
    return SequenceState.usageKey(f.txn, REFUND);
  }
}
