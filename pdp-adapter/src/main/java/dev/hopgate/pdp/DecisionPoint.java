package dev.hopgate.pdp;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.floor.Floor;
import dev.hopgate.pdp.floor.FloorRejection;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.floor.VerifiedFacts;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.input.InputDocuments;
import dev.hopgate.pdp.process.DeclaredIntent;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.request.Target;
import dev.hopgate.pdp.request.TraceContext;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.state.SequenceState;
import dev.hopgate.pdp.state.Spending;
import dev.hopgate.pdp.state.Spending.Spent;
import dev.hopgate.pdp.state.StateException;
import dev.hopgate.pdp.token.HopToken;
import dev.hopgate.pdp.token.TokenRejection;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decides one request, as a pipeline: route, hop token, floor, declared intent, sequence state,
 * input document, evaluation, then (for an ALLOW) the log record reserved, the spend, and the
 * record committed. The input document is built from verified facts alone.
 *
 * <p>It never throws: whatever fails on the way is a denial (fail closed), and no exception text
 * reaches the caller.
 */
public final class DecisionPoint {
  private static final System.Logger LOG = System.getLogger(DecisionPoint.class.getName());

  private final Floor floor;
  private final PolicySnapshot snapshot;
  private final OneTimeTokens oneTimeTokens;
  private final Spending spending;
  private final @Nullable EnforcementPointSigner signer;
  private final DecisionSink evidence;
  private final Clock clock;
  private final @Nullable String tokenEndpoint;
  private final LedgerView.Lookup ledger;

  /**
   * @param signer this hopgate as an enforcement point: it extends the chain of every ALLOW; null
   *     only where no chain continues (tests, tools)
   * @param evidence where every decision is recorded; a decision it cannot record does not stand
   * @param tokenEndpoint where a caller gets a fresh hop token when the manifest names none, or
   *     null
   * @param ledger the association's completion ledger, consulted for a step with prerequisites
   */
  public DecisionPoint(
      Floor floor,
      PolicySnapshot snapshot,
      OneTimeTokens oneTimeTokens,
      @Nullable EnforcementPointSigner signer,
      DecisionSink evidence,
      Clock clock,
      @Nullable String tokenEndpoint,
      LedgerView.Lookup ledger) {
    this.floor = requireNonNull(floor, "floor");
    this.snapshot = requireNonNull(snapshot, "snapshot");
    this.oneTimeTokens = requireNonNull(oneTimeTokens, "oneTimeTokens");
    this.spending = new Spending(oneTimeTokens);
    this.signer = signer;
    this.evidence = requireNonNull(evidence, "evidence");
    this.clock = requireNonNull(clock, "clock");
    this.tokenEndpoint = tokenEndpoint;
    this.ledger = requireNonNull(ledger, "ledger");
  }

  public PolicySnapshot snapshot() {
    return snapshot;
  }

  /** The same decision point deciding with another snapshot (a reload): the rest stays. */
  public DecisionPoint withSnapshot(PolicySnapshot next) {
    return new DecisionPoint(
        floor, next, oneTimeTokens, signer, evidence, clock, tokenEndpoint, ledger);
  }

  /** Completion records that did not verify and were ignored (the floor outlives reloads). */
  public long ignoredCompletions() {
    return floor.ignoredCompletions();
  }

  /** This hopgate as an enforcement point, or null when it extends no chain. */
  public @Nullable EnforcementPointSigner signer() {
    return signer;
  }

  public Decision decide(HopRequest request) {
    Deciding p = new Deciding(request, snapshot, tokenEndpoint);
    Decision decision;
    try {
      decision = decide(p);
    } catch (Routing.Denied denied) {
      decision = denied.decision;
    } catch (RuntimeException | LinkageError e) {
      // A bug or a native failure: log it here with the decision id, answer without its text.
      LOG.log(System.Logger.Level.ERROR, "decision " + p.id + " failed closed", e);
      decision = p.deny.abort(null, "internal_error");
      // Nothing a failed stage learnt stands: answered and recorded on the route alone.
      p.mcp = null;
      p.input = null;
    }
    String traceId = TraceContext.traceId(request.header("traceparent"));
    decision =
        decision
            .withAbout(decision.about().of(p.route, p.mcp, traceId))
            .withTimings(new Decision.Timings(p.floorNanos, p.engineNanos));
    DecisionSink.Slot slot = p.slot != null ? p.slot : evidence.reserve(p.id);
    if (slot.commit(decision, p.input)) {
      return decision;
    }
    // Evidence is the point: a decision that cannot be recorded does not stand.
    Decision refused = p.deny.abort(decision.txn(), "evidence_unavailable");
    evidence.record(refused, null);
    return refused.withAbout(Decision.About.NOTHING.withRoute(p.route));
  }

  private Decision decide(Deciding p) throws Routing.Denied {
    HopRequest request = p.request;
    Routing.Routed routed = Routing.route(p, snapshot.routes());
    Route route = routed.route();
    String component = routed.component();
    Target target = routed.target();

    Instant now = clock.instant();
    long floorStart = System.nanoTime();
    HopToken hop;
    try {
      hop = floor.hopToken(request, component);
    } catch (TokenRejection rejection) {
      return p.deny.token(rejection, component);
    }
    VerifiedFacts facts;
    String step = target.step();
    boolean prerequisites =
        step != null && snapshot.hasPrerequisites(component, hop.intent(), step);
    LedgerView.Lookup lookup = prerequisites ? ledger : LedgerView.Lookup.NONE;
    try {
      facts =
          floor.verify(
              hop, request, component, route.requireCaller(), snapshot.manifests(), now, lookup);
    } catch (FloorRejection rejection) {
      return p.deny.floor(hop.txn(), rejection);
    } finally {
      p.floorNanos = System.nanoTime() - floorStart;
    }
    if (target.unmapped() != null) {
      return p.deny.unmapped(hop.txn(), target.unmapped());
    }

    if (step == null) {
      return SessionMethod.allow(p, snapshot, component, route, target, facts, now);
    }
    DeclaredIntent intent = snapshot.processes().declared(facts.origin().intent());
    if (intent instanceof DeclaredIntent.Unresolved unresolved) {
      return p.deny.intentUnresolved(hop.txn(), unresolved.iri(), unresolved.digest());
    }
    ProcessDefinition process = intent.process();
    String bound = process == null ? null : process.boundComponent(step);
    if (bound != null && !bound.equals(component)) {
      // Structural, like the intent itself: the signed process says who performs the step.
      return p.deny.boundToAnotherComponent(hop.txn(), step, bound);
    }

    String owner = Spending.owner(request, p.id);
    SequenceState.Observed observed;
    try {
      observed = spending.observe(process, step, facts, owner);
    } catch (StateException e) {
      return unavailable(p, hop, e);
    }
    InputDocument input =
        InputDocuments.build(
            InputDocument.Hop.of(request, component, step),
            facts,
            process,
            observed.usage(),
            observed::spent,
            now);
    p.input = input;

    EngineDecision result;
    long engineStart = System.nanoTime();
    try {
      result = snapshot.policy().evaluate(input);
    } catch (EvaluationException e) {
      LOG.log(System.Logger.Level.WARNING, "decision {0}: {1}", p.id, e.getMessage());
      return e.timedOut()
          ? p.deny.timeout(hop.txn())
          : p.deny.abort(hop.txn(), "evaluation_failed");
    } finally {
      p.engineNanos = System.nanoTime() - engineStart;
    }
    if (!result.allow()) {
      return p.deny.policy(hop.txn(), step, result.violations(), result.disclosure(), input);
    }

    // Only an ALLOW spends, and only once its log record has a place: a log that cannot take it
    // refuses the decision before a once token, an approval or a budget unit is spent.
    p.slot = evidence.reserve(p.id);
    if (!p.slot.held()) {
      return p.deny.abort(hop.txn(), "evidence_unavailable");
    }
    Spent spent;
    try {
      spent = spending.spend(request, hop, facts, process, step, observed, owner, now);
    } catch (StateException e) {
      return unavailable(p, hop, e);
    }
    Decision unspent = p.deny.unspent(spent, hop.txn(), step, component, input);
    if (unspent != null) {
      return unspent;
    }
    Map<String, String> upstream =
        signer == null
            ? Map.of()
            : signer.upstreamHeaders(
                request.header(WireTypes.TXN_CHAIN), facts, component, step, p.id, now);
    return Decision.allow(
        p.id,
        facts.origin().txn(),
        snapshot.policy().revision(),
        upstream,
        Decision.About.hop(component, step, facts.origin().deadline()));
  }

  private static Decision unavailable(Deciding p, HopToken hop, StateException e) {
    LOG.log(System.Logger.Level.WARNING, "decision {0}: {1}", p.id, e.getMessage());
    return p.deny.abort(hop.txn(), "state_unavailable");
  }
}
