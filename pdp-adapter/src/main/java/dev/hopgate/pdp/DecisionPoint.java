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
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.input.InputDocuments;
import dev.hopgate.pdp.process.DeclaredIntent;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.request.Deadline;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.request.Target;
import dev.hopgate.pdp.request.TraceContext;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.state.Reservation;
import dev.hopgate.pdp.state.SequenceState;
import dev.hopgate.pdp.state.Spending;
import dev.hopgate.pdp.state.Spending.Spent;
import dev.hopgate.pdp.state.StateException;
import dev.hopgate.pdp.state.StateFull;
import dev.hopgate.pdp.token.HopToken;
import dev.hopgate.pdp.token.TokenRejection;
import dev.hopgate.pdp.wire.WireTypes;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
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
  private final Tracer tracer;

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
    this(
        floor,
        snapshot,
        oneTimeTokens,
        new Spending(oneTimeTokens),
        signer,
        evidence,
        clock,
        tokenEndpoint,
        ledger,
        OpenTelemetry.noop().getTracer(TRACER));
  }

  /** The instrumentation scope of hopgate's spans. */
  public static final String TRACER = "dev.hopgate";

  private DecisionPoint(
      Floor floor,
      PolicySnapshot snapshot,
      OneTimeTokens oneTimeTokens,
      Spending spending,
      @Nullable EnforcementPointSigner signer,
      DecisionSink evidence,
      Clock clock,
      @Nullable String tokenEndpoint,
      LedgerView.Lookup ledger,
      Tracer tracer) {
    this.floor = requireNonNull(floor, "floor");
    this.snapshot = requireNonNull(snapshot, "snapshot");
    this.oneTimeTokens = requireNonNull(oneTimeTokens, "oneTimeTokens");
    this.spending = requireNonNull(spending, "spending");
    this.signer = signer;
    this.evidence = requireNonNull(evidence, "evidence");
    this.clock = requireNonNull(clock, "clock");
    this.tokenEndpoint = tokenEndpoint;
    this.ledger = requireNonNull(ledger, "ledger");
    this.tracer = requireNonNull(tracer, "tracer");
  }

  public PolicySnapshot snapshot() {
    return snapshot;
  }

  /** The same decision point deciding with another snapshot (a reload): the rest stays. */
  public DecisionPoint withSnapshot(PolicySnapshot next) {
    return new DecisionPoint(
        floor,
        next,
        oneTimeTokens,
        spending,
        signer,
        evidence,
        clock,
        tokenEndpoint,
        ledger,
        tracer);
  }

  /**
   * The same decision point tracing each stage of a traced Check (the floor, the state, the engine)
   * as a child of the Check's span, with {@code tracer}.
   */
  public DecisionPoint withTracer(Tracer next) {
    return new DecisionPoint(
        floor,
        snapshot,
        oneTimeTokens,
        spending,
        signer,
        evidence,
        clock,
        tokenEndpoint,
        ledger,
        next);
  }

  /** What ALLOWs spent and gave back (it outlives reloads). */
  public Spending spending() {
    return spending;
  }

  /** Completion records that did not verify and were ignored (the floor outlives reloads). */
  public long ignoredCompletions() {
    return floor.ignoredCompletions();
  }

  /** This hopgate as an enforcement point, or null when it extends no chain. */
  public @Nullable EnforcementPointSigner signer() {
    return signer;
  }

  /** Decides {@code request} for a caller that waits as long as it takes. */
  public Decision decide(HopRequest request) {
    return decide(request, Deadline.NONE);
  }

  /**
   * Decides {@code request} on this thread; past {@code deadline} it is a TIMEOUT that spent
   * nothing (checked between stages: a caller that must be answered while a stage still runs uses
   * {@link #begin}).
   */
  public Decision decide(HopRequest request, Deadline deadline) {
    return requireNonNull(begin(request, deadline).decide(), "nothing else answers it");
  }

  /**
   * The RFC 9728 metadata a request asks for: a GET of the well-known URI of an MCP route that the
   * asking Envoy fronts, on the resource's own host. Public metadata, answered without a token and
   * without a decision, since it grants nothing; null for any other request, which is decided as
   * usual.
   */
  public dev.hopgate.pdp.mcp.@Nullable ProtectedResource protectedResource(HopRequest request) {
    // On every Check: two comparisons before anything else, for the requests that are not this.
    if (!request.method().equals("GET")
        || !request.path().startsWith(dev.hopgate.pdp.mcp.ProtectedResource.WELL_KNOWN)) {
      return null;
    }
    String path = dev.hopgate.pdp.route.RequestPaths.withoutQuery(request.path());
    // Whom the asking Envoy fronts, as routing tells it: its bound components, else the one it
    // serves as; knowing neither, it is answered nothing here (and routing denies the request).
    java.util.Set<String> bound = request.boundComponents();
    String serving = request.destinationPrincipal();
    java.util.function.Predicate<String> fronts =
        bound != null ? bound::contains : serving != null ? serving::equals : c -> false;
    String host = hostOf(request.authority());
    for (dev.hopgate.pdp.route.Route route : snapshot.routes().all()) {
      var metadata = route.mcp() == null ? null : route.mcp().protectedResource();
      if (metadata != null
          && metadata.path().equals(path)
          && metadata.host().equals(host)
          && fronts.test(route.component())) {
        return metadata;
      }
    }
    return null;
  }

  /** The host of an {@code :authority}, lower case, without its port; "" when absent. */
  private static String hostOf(@Nullable String authority) {
    if (authority == null) {
      return "";
    }
    String host = authority.toLowerCase(java.util.Locale.ROOT);
    int colon = host.lastIndexOf(':');
    return colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
  }

  /**
   * A decision to be answered exactly once: by {@link Pending#decide} (on a worker) or by {@link
   * Pending#expire} (when its deadline comes first), whichever is first. The other one answers
   * nothing, and what a decision that lost spent is released.
   */
  public Pending begin(HopRequest request, Deadline deadline) {
    return begin(request, deadline, Span.getInvalid());
  }

  /** The same, its stages traced under {@code check} (the Check's span) when that is valid. */
  public Pending begin(HopRequest request, Deadline deadline, Span check) {
    Deciding p = new Deciding(request, snapshot, tokenEndpoint, deadline);
    p.span = check;
    return new Pending(p);
  }

  /** One request's decision, answered once. */
  public final class Pending {
    private final Deciding p;

    private Pending(Deciding p) {
      this.p = p;
    }

    /** When it must be answered. */
    public Deadline deadline() {
      return p.deadline;
    }

    /** The decision's id (a retry is answered with the id of the decision it repeats). */
    public String id() {
      return p.id;
    }

    /** Decides; null when {@link #expire} answered first (then nothing it spent stays spent). */
    public @Nullable Decision decide() {
      return DecisionPoint.this.decide(p);
    }

    /**
     * Answers TIMEOUT ({@code deadline_exceeded}) unless the decision was answered already; null
     * then.
     */
    public @Nullable Decision expire() {
      return answerInstead(p.deny.deadlineExceeded(p.txn));
    }

    /**
     * Answers {@code overloaded} without deciding: no thread was free to decide it in time. Null
     * when the decision was answered already.
     */
    public @Nullable Decision shed() {
      return answerInstead(p.deny.abort(p.txn, "overloaded"));
    }

    private @Nullable Decision answerInstead(Decision denial) {
      if (!p.answered.compareAndSet(false, true)) {
        return null;
      }
      // Nothing of the decision is touched here: the worker, which loses, gives back its own.
      String traceId = TraceContext.traceId(p.request.header("traceparent"));
      return recorded(
          p,
          denial.withAbout(Decision.About.NOTHING.of(p.route, null, traceId)),
          evidence.reserve(p.id),
          null);
    }
  }

  private @Nullable Decision decide(Deciding p) {
    if (p.answered.get()) {
      // Answered while it waited for a thread (its deadline): nothing to decide any more.
      return null;
    }
    try {
      return decideOnce(p);
    } catch (Throwable t) {
      // Whatever escaped the stages (a StackOverflowError, say): what the decision holds must not
      // outlive it, and it is answered and recorded as failed, unless the deadline answered.
      LOG.log(System.Logger.Level.ERROR, "decision " + p.id + " failed closed", t);
      giveBack(p);
      p.slot = null;
      if (!p.answered.compareAndSet(false, true) && !p.wonAnswer) {
        return null;
      }
      return recorded(
          p,
          p.deny
              .abort(p.txn, "internal_error")
              .withAbout(Decision.About.NOTHING.withRoute(p.route)),
          evidence.reserve(p.id),
          null);
    }
  }

  private @Nullable Decision decideOnce(Deciding p) {
    HopRequest request = p.request;
    Decision decision;
    try {
      decision = pipeline(p);
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
    Reservation made = p.reserved;
    if (decision.outcome() != Outcome.ALLOW && made != null) {
      // Reserved, then denied after all (a failure past the spend): a deny spends nothing.
      p.reserved = null;
      release(p, made);
    }
    String traceId = TraceContext.traceId(request.header("traceparent"));
    decision =
        decision
            .withAbout(decision.about().of(p.route, p.mcp, traceId))
            .withTimings(new Decision.Timings(p.floorNanos, p.engineNanos));
    if (!p.answered.compareAndSet(false, true)) {
      // The deadline answered first (TIMEOUT, recorded): this outcome is nobody's.
      giveBack(p);
      return null;
    }
    p.wonAnswer = true;
    DecisionSink.Slot slot = p.slot != null ? p.slot : evidence.reserve(p.id);
    Decision answer = recorded(p, decision, slot, p.input);
    if (answer != decision) {
      // The log refused the record: what the decision reserved does not stand either.
      giveBack(p);
    }
    return answer;
  }

  /** The decision, if its record is taken; else refused (evidence_unavailable). */
  private Decision recorded(
      Deciding p, Decision decision, DecisionSink.Slot slot, @Nullable InputDocument input) {
    if (slot.commit(decision, input)) {
      return decision;
    }
    // Evidence is the point: a decision that cannot be recorded does not stand.
    Decision refused = p.deny.abort(decision.txn(), "evidence_unavailable");
    evidence.record(refused, null);
    return refused.withAbout(Decision.About.NOTHING.withRoute(p.route));
  }

  /** Releases what a decision that will not be answered as decided spent, and its log place. */
  private void giveBack(Deciding p) {
    Reservation made = p.reserved;
    p.reserved = null;
    if (made != null) {
      release(p, made);
    }
    DecisionSink.Slot slot = p.slot;
    if (slot != null) {
      slot.release();
    }
  }

  /**
   * Undoes a reservation whose ALLOW was not answered. If the store cannot be reached, the spend
   * stays until its claims expire (or Envoy's retry of the same request uses it): counted, and
   * written into the decision log, since the client never saw it.
   */
  private void release(Deciding p, Reservation made) {
    try {
      spending.release(made);
      spending.countReleased();
    } catch (StateException e) {
      spending.countUnreleased();
      LOG.log(
          System.Logger.Level.WARNING,
          "decision {0}: what it reserved could not be released ({1}); it stays spent until it"
              + " expires",
          p.id,
          e.getMessage());
      evidence.note("unreleased", p.txn, Spending.describe(p.id, made));
    }
  }

  private Decision pipeline(Deciding p) throws Routing.Denied {
    HopRequest request = p.request;
    Routing.Routed routed = Routing.route(p, snapshot.routes());
    Route route = routed.route();
    if (p.deadline.passed()) {
      // It waited for a thread past its deadline: deciding now would answer nobody.
      return p.deny.deadlineExceeded(null);
    }
    String component = routed.component();
    Target target = routed.target();

    Instant now = clock.instant();
    long floorStart = System.nanoTime();
    Span floorSpan = stage(p, "hopgate.floor");
    HopToken hop;
    VerifiedFacts facts;
    String step = target.step();
    // The verification histogram counts the Checks whose hop token was read (as before spans).
    boolean tokenRead = false;
    try {
      try {
        hop = floor.hopToken(request, component);
      } catch (TokenRejection rejection) {
        return rejected(floorSpan, p.deny.token(rejection, component));
      }
      tokenRead = true;
      p.txn = hop.txn();
      boolean prerequisites =
          step != null && snapshot.hasPrerequisites(component, hop.intent(), step);
      LedgerView.Lookup lookup = prerequisites ? ledger : LedgerView.Lookup.NONE;
      try {
        facts =
            floor.verify(
                hop, request, component, route.requireCaller(), snapshot.manifests(), now, lookup);
      } catch (FloorRejection rejection) {
        return rejected(floorSpan, p.deny.floor(hop.txn(), rejection));
      }
    } finally {
      if (tokenRead) {
        p.floorNanos = System.nanoTime() - floorStart;
      }
      floorSpan.end();
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
    if (p.deadline.passed()) {
      return p.deny.deadlineExceeded(hop.txn());
    }
    SequenceState.Observed observed;
    Span observing = stage(p, "hopgate.state.observe");
    try {
      observed = spending.observe(process, step, facts, owner);
    } catch (StateException e) {
      return rejected(observing, unavailable(p, hop, e));
    } finally {
      observing.end();
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
    Span evaluating = stage(p, "hopgate.evaluate");
    try {
      result = snapshot.policy().evaluate(input);
      evaluating.setAttribute("hopgate.allow", result.allow());
    } catch (EvaluationException e) {
      LOG.log(System.Logger.Level.WARNING, "decision {0}: {1}", p.id, e.getMessage());
      return rejected(
          evaluating,
          e.timedOut()
              ? p.deny.evaluationTimeout(hop.txn())
              : p.deny.abort(hop.txn(), "evaluation_failed"));
    } finally {
      p.engineNanos = System.nanoTime() - engineStart;
      if (evaluating.isRecording()) {
        evaluating.setAttribute("hopgate.engine", snapshot.policy().engine());
        evaluating.setAttribute("hopgate.policy.revision", snapshot.policy().revision());
      }
      evaluating.end();
    }
    if (!result.allow()) {
      return p.deny.policy(hop.txn(), step, result.violations(), result.disclosure(), input);
    }

    // Only an ALLOW spends, only with time left to answer it, and only once its log record has a
    // place: a log that cannot take it refuses the decision before anything is spent.
    if (p.deadline.passed() || p.answered.get()) {
      return p.deny.deadlineExceeded(hop.txn());
    }
    p.slot = evidence.reserve(p.id);
    if (!p.slot.held()) {
      return p.deny.abort(hop.txn(), "evidence_unavailable");
    }
    Spent spent;
    Span reserving = stage(p, "hopgate.state.reserve");
    try {
      spent = spending.spend(request, hop, facts, process, step, observed, owner, p.id, now);
      if (reserving.isRecording()) {
        reserving.setAttribute("hopgate.state.spent", spent.getClass().getSimpleName());
      }
    } catch (Spending.Unanswered e) {
      // The script may have run with its reply lost: undo it, so nothing the client never saw
      // stays spent.
      release(p, e.reservation());
      return rejected(
          reserving,
          p.deadline.passed() ? p.deny.deadlineExceeded(hop.txn()) : unavailable(p, hop, e));
    } catch (StateException e) {
      return rejected(reserving, unavailable(p, hop, e));
    } finally {
      reserving.end();
    }
    if (spent instanceof Spent.Reserved reserved) {
      p.reserved = reserved.made();
    }
    Decision unspent = p.deny.unspent(spent, hop.txn(), step, component, input);
    if (unspent != null) {
      return unspent;
    }
    if (p.deadline.passed()) {
      giveBack(p);
      p.slot = null;
      return p.deny.deadlineExceeded(hop.txn());
    }
    // Envoy's retry of an ALLOW (the same stream id and request time) is that ALLOW again, with
    // its id: one decision, answered twice.
    String decisionId = spent instanceof Spent.Again again ? again.decision() : p.id;
    if (!decisionId.equals(p.id)) {
      spending.countRetry();
    }
    Map<String, String> upstream =
        signer == null
            ? Map.of()
            : signer.upstreamHeaders(
                request.header(WireTypes.TXN_CHAIN), facts, component, step, decisionId, now);
    return Decision.allow(
        decisionId,
        facts.origin().txn(),
        snapshot.policy().revision(),
        upstream,
        Decision.About.hop(component, step, facts.origin().deadline()));
  }

  /**
   * A stage's span under the Check's, started; a no-op span when the Check is not traced (a
   * decision point without a tracer, a warm-up), so an untraced Check costs one check here.
   */
  private Span stage(Deciding p, String name) {
    if (!p.span.getSpanContext().isValid()) {
      return Span.getInvalid();
    }
    return tracer.spanBuilder(name).setParent(Context.root().with(p.span)).startSpan();
  }

  /** The denial a stage ended with, said on its span (its code: never a token). */
  private static Decision rejected(Span stage, Decision denial) {
    if (stage.isRecording() && !denial.violations().isEmpty()) {
      stage.setAttribute("hopgate.code", denial.violations().get(0).code());
      stage.setStatus(StatusCode.ERROR, denial.violations().get(0).code());
    }
    return denial;
  }

  private static Decision unavailable(Deciding p, HopToken hop, StateException e) {
    LOG.log(System.Logger.Level.WARNING, "decision {0}: {1}", p.id, e.getMessage());
    return p.deny.abort(hop.txn(), e instanceof StateFull ? "state_full" : "state_unavailable");
  }
}
