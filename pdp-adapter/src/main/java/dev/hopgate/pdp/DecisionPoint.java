package dev.hopgate.pdp;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.decision.DecisionIds;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.floor.Floor;
import dev.hopgate.pdp.floor.FloorRejection;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.floor.VerifiedFacts;
import dev.hopgate.pdp.gate.Disclosure;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.input.InputDocuments;
import dev.hopgate.pdp.mcp.JsonRpcCall;
import dev.hopgate.pdp.mcp.JsonRpcReader;
import dev.hopgate.pdp.mcp.JsonRpcRejection;
import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.Problems;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.repair.RepairAssembler;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.request.TraceContext;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.state.Reservation;
import dev.hopgate.pdp.state.SequenceState;
import dev.hopgate.pdp.state.StateException;
import dev.hopgate.pdp.token.HopToken;
import dev.hopgate.pdp.token.TokenCode;
import dev.hopgate.pdp.token.TokenRejection;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Decides one request: the route names the component and step, the structural floor verifies what
 * the request carries, the input document is built from the verified facts alone, and the policy
 * decides.
 *
 * <p>It never throws: whatever fails on the way is a denial (fail closed), and no exception text
 * reaches the caller.
 */
public final class DecisionPoint {
  private static final System.Logger LOG = System.getLogger(DecisionPoint.class.getName());

  /** The route's context extension naming the component of this hop. */
  public static final String COMPONENT = "component";

  /** The route's context extension naming the step of this hop. */
  public static final String STEP = "step";

  /** Decision metadata (and Envoy dynamic metadata) marking a decision on an MCP route. */
  public static final String PROTOCOL_METADATA = "protocol";

  /**
   * Decision metadata: the disclosure level the denying policies ask for, when stricter than full.
   */
  public static final String DISCLOSURE_METADATA = "disclosure";

  /** Decision metadata: {@code state_store} when the store, not the engine, decided a DENY. */
  public static final String DECIDED_BY_METADATA = "decided_by";

  /** Decision metadata: the JSON-RPC id of the request decided, as JSON text. */
  public static final String JSONRPC_ID_METADATA = "jsonrpc_id";

  /**
   * Decision metadata of an MCP {@code tools/list}: the tools the chain could call,
   * comma-separated.
   */
  public static final String VISIBLE_TOOLS_METADATA = "mcp_tools_visible";

  private static final String TOOLS_LIST = "tools/list";

  /** The route's context extension saying whether the caller's mTLS identity is required. */
  public static final String REQUIRE_CALLER = "require_caller";

  private final Floor floor;
  private final PolicySnapshot snapshot;
  private final OneTimeTokens oneTimeTokens;
  private final SequenceState sequenceState;
  private final @Nullable EnforcementPointSigner signer;
  private final DecisionSink evidence;
  private final Clock clock;
  private final @Nullable String tokenEndpoint;
  private final LedgerView.Lookup ledger;

  /** A decision point whose one-time tokens are remembered in this instance's memory. */
  public DecisionPoint(
      Floor floor, PolicySnapshot snapshot, Clock clock, @Nullable String tokenEndpoint) {
    this(
        floor,
        snapshot,
        new OneTimeTokens(
            new InMemoryStateStore(1_000_000), Duration.ofSeconds(1), Duration.ofSeconds(30)),
        clock,
        tokenEndpoint);
  }

  /**
   * @param tokenEndpoint where a caller gets a fresh hop token when the manifest names none, or
   *     null
   */
  public DecisionPoint(
      Floor floor,
      PolicySnapshot snapshot,
      OneTimeTokens oneTimeTokens,
      Clock clock,
      @Nullable String tokenEndpoint) {
    this(floor, snapshot, oneTimeTokens, null, clock, tokenEndpoint);
  }

  /**
   * @param signer this hopgate as an enforcement point: it extends the chain of every ALLOW; null
   *     only where no chain continues (tests, tools)
   */
  public DecisionPoint(
      Floor floor,
      PolicySnapshot snapshot,
      OneTimeTokens oneTimeTokens,
      @Nullable EnforcementPointSigner signer,
      Clock clock,
      @Nullable String tokenEndpoint) {
    this(floor, snapshot, oneTimeTokens, signer, DecisionSink.NONE, clock, tokenEndpoint);
  }

  /**
   * @param evidence where every decision is recorded; a decision it cannot record does not stand
   */
  public DecisionPoint(
      Floor floor,
      PolicySnapshot snapshot,
      OneTimeTokens oneTimeTokens,
      @Nullable EnforcementPointSigner signer,
      DecisionSink evidence,
      Clock clock,
      @Nullable String tokenEndpoint) {
    this(
        floor,
        snapshot,
        oneTimeTokens,
        signer,
        evidence,
        clock,
        tokenEndpoint,
        LedgerView.Lookup.NONE);
  }

  private DecisionPoint(
      Floor floor,
      PolicySnapshot snapshot,
      OneTimeTokens oneTimeTokens,
      @Nullable EnforcementPointSigner signer,
      DecisionSink evidence,
      Clock clock,
      @Nullable String tokenEndpoint,
      LedgerView.Lookup ledger) {
    this.ledger = requireNonNull(ledger, "ledger");
    this.signer = signer;
    this.evidence = requireNonNull(evidence, "evidence");
    this.floor = requireNonNull(floor, "floor");
    this.snapshot = requireNonNull(snapshot, "snapshot");
    this.oneTimeTokens = requireNonNull(oneTimeTokens, "oneTimeTokens");
    this.sequenceState = new SequenceState(oneTimeTokens.store(), oneTimeTokens.clockSkew());
    this.clock = requireNonNull(clock, "clock");
    this.tokenEndpoint = tokenEndpoint;
  }

  public PolicySnapshot snapshot() {
    return snapshot;
  }

  /**
   * The same decision point deciding with another snapshot (a reload): floor, state and key stay.
   */
  public DecisionPoint withSnapshot(PolicySnapshot next) {
    return new DecisionPoint(
        floor, next, oneTimeTokens, signer, evidence, clock, tokenEndpoint, ledger);
  }

  /**
   * The same decision point consulting {@code lookup} (the association's completion ledger) for
   * each txn's completion records and running steps.
   */
  public DecisionPoint withLedger(LedgerView.Lookup lookup) {
    return new DecisionPoint(
        floor, snapshot, oneTimeTokens, signer, evidence, clock, tokenEndpoint, lookup);
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
    String id = DecisionIds.next();
    Decided decided;
    Stages stages = new Stages();
    try {
      decided = decide(id, request, stages);
    } catch (RuntimeException | LinkageError e) {
      // A bug or a native failure: log it here with the decision id, answer without its text.
      LOG.log(System.Logger.Level.ERROR, "decision " + id + " failed closed", e);
      decided = new Decided(abort(id, null, "internal_error"), null);
    }
    Decision decision =
        decided.decision().withTimings(new Decision.Timings(stages.floor, stages.engine));
    String traceId = TraceContext.traceId(request.header("traceparent"));
    if (traceId != null) {
      decision = decision.withMetadata("trace_id", traceId);
    }
    if (!evidence.record(decision, decided.input())) {
      // Evidence is the point: a decision that cannot be recorded does not stand.
      Decision refused = abort(id, decision.txn(), "evidence_unavailable");
      evidence.record(refused, null);
      return refused;
    }
    return decision;
  }

  /** How long each stage of one decision took. */
  private static final class Stages {
    long floor;
    long engine;
  }

  /** A decision and the input document it was made on (null when none was built). */
  private record Decided(Decision decision, @Nullable InputDocument input) {}

  private Decided decide(String id, HopRequest request, Stages stages) {
    String component = request.contextExtensions().get(COMPONENT);
    if (request.boundComponents() != null
        && component != null
        && !request.boundComponents().contains(component)) {
      // An Envoy asks only for the components it fronts: any other is a caller deciding for itself.
      Problem problem =
          Problems.configuration(
              id,
              "caller_not_bound",
              "The Envoy that asked is not bound to component "
                  + component
                  + " (callers.envoys), so hopgate does not decide for it.");
      return new Decided(
          new Decision(
              id,
              Outcome.DENY,
              List.of(Violation.of(Gate.CONFIGURATION, "caller_not_bound")),
              problem,
              null,
              null,
              null),
          null);
    }
    String requireCaller = request.contextExtensions().getOrDefault(REQUIRE_CALLER, "true");
    McpRoute mcp;
    try {
      mcp = McpRoute.of(request.contextExtensions());
      DisclosureLevel.of(request.contextExtensions());
    } catch (IllegalArgumentException e) {
      return new Decided(
          unconfigured(id, java.util.Objects.requireNonNullElse(e.getMessage(), "bad route")),
          null);
    }
    if (!requireCaller.equals("true") && !requireCaller.equals("false")) {
      return new Decided(
          unconfigured(
              id,
              "This route's context extension 'require_caller' is '"
                  + requireCaller
                  + "' (expected: true or false)."),
          null);
    }
    if (mcp == null) {
      String step = request.contextExtensions().get(STEP);
      if (component == null || component.isBlank() || step == null || step.isBlank()) {
        return new Decided(
            unconfigured(
                id,
                "This route does not name its component and step (per-route ext_authz "
                    + "context_extensions 'component' and 'step'), so hopgate denies it."),
            null);
      }
      return decideHop(
          id, request, component, step, null, null, requireCaller.equals("true"), stages);
    }
    if (component == null || component.isBlank()) {
      return new Decided(
          unconfigured(
              id,
              "This MCP route does not name its component (per-route ext_authz "
                  + "context_extensions 'component'), so hopgate denies it."),
          null);
    }
    return decideMcp(id, request, component, mcp, requireCaller.equals("true"), stages);
  }

  /**
   * An MCP request: the JSON-RPC body, read strictly, says which tool is called; the route's map
   * (never the component) says which step that is. Methods that call no tool follow the route's
   * session rule.
   */
  private Decided decideMcp(
      String id,
      HopRequest request,
      String component,
      McpRoute mcp,
      boolean requireCaller,
      Stages stages) {
    JsonRpcCall call;
    try {
      call =
          JsonRpcReader.read(
              request.body(),
              "true".equals(request.header(JsonRpcReader.PARTIAL_BODY_HEADER)),
              request.bodyNotUtf8());
    } catch (JsonRpcRejection rejection) {
      Problem problem = Problems.badRequest(id, rejection.code(), rejection.getMessage());
      return new Decided(
          new Decision(
                  id,
                  Outcome.DENY,
                  List.of(Violation.of(Gate.REQUEST, rejection.code())),
                  problem,
                  null,
                  null,
                  null)
              .withMetadata(PROTOCOL_METADATA, "mcp"),
          null);
    }
    Decided decided;
    if (call.isToolCall()) {
      String tool = requireNonNull(call.tool());
      String step = mcp.stepOf(tool);
      decided =
          decideHop(
              id,
              request,
              component,
              step,
              step == null ? tool : null,
              null,
              requireCaller,
              stages);
    } else if (mcp.sessionMethods() == McpRoute.SessionMethods.DENY) {
      Problem problem =
          Problems.unconfigured(
              id,
              "This MCP route takes only tools/call; '"
                  + call.method()
                  + "' is refused by its rule (context extension '"
                  + McpRoute.SESSION_METHODS
                  + "').");
      decided =
          new Decided(
              new Decision(
                  id,
                  Outcome.DENY,
                  List.of(Violation.of(Gate.CONFIGURATION, "route_unconfigured")),
                  problem,
                  null,
                  null,
                  null),
              null);
    } else {
      decided =
          decideHop(
              id,
              request,
              component,
              null,
              null,
              call.method().equals(TOOLS_LIST) ? mcp : null,
              requireCaller,
              stages);
    }
    Decision tagged =
        decided
            .decision()
            .withMetadata(PROTOCOL_METADATA, "mcp")
            .withMetadata("mcp_method", call.method());
    if (call.rawId() != null) {
      tagged = tagged.withMetadata(JSONRPC_ID_METADATA, call.rawId());
    }
    if (call.tool() != null) {
      tagged = tagged.withMetadata("mcp_tool", call.tool());
    }
    return new Decided(tagged, decided.input());
  }

  /**
   * One hop: token, floor, then the policy on the step.
   *
   * @param step the step of this hop; null for an MCP session method (the floor alone decides) or a
   *     tool the route does not map ({@code unmappedTool}, denied once the floor holds)
   */
  private Decided decideHop(
      String id,
      HopRequest request,
      String component,
      @Nullable String step,
      @Nullable String unmappedTool,
      @Nullable McpRoute listing,
      boolean requireCaller,
      Stages stages) {
    Instant now = clock.instant();

    long floorStart = System.nanoTime();
    HopToken hop;
    try {
      hop = floor.hopToken(request, component);
    } catch (TokenRejection rejection) {
      String endpoint =
          snapshot.manifests().get(component).map(m -> m.issuerEndpoint()).orElse(tokenEndpoint);
      Problem problem = Problems.token(id, null, rejection, endpoint);
      return new Decided(
          new Decision(
              id,
              Outcome.DENY,
              List.of(Violation.of(Gate.AUTHORIZATION, rejection.code().code())),
              problem,
              null,
              challenge(rejection),
              null),
          null);
    }
    VerifiedFacts facts;
    try {
      facts =
          floor.verify(
              hop,
              request,
              component,
              requireCaller,
              snapshot.manifests(),
              now,
              needsLedger(hop, component, step) ? ledger : LedgerView.Lookup.NONE);
      stages.floor = System.nanoTime() - floorStart;
    } catch (FloorRejection rejection) {
      stages.floor = System.nanoTime() - floorStart;
      Problem problem = Problems.floor(id, hop.txn(), rejection);
      String challenge =
          problem.status() == 401
              ? "Bearer realm=\"hopgate\", error=\"invalid_request\", error_description=\""
                  + quotable(rejection.getMessage())
                  + "\""
              : null;
      return new Decided(
          new Decision(
              id,
              rejection.code().outcome(),
              List.of(Violation.of(rejection.code().gate(), rejection.code().code())),
              problem,
              hop.txn(),
              challenge,
              null),
          null);
    }

    if (unmappedTool != null) {
      Problem problem = Problems.toolUnmapped(id, hop.txn(), unmappedTool);
      return new Decided(
          new Decision(
              id,
              Outcome.DENY,
              List.of(Violation.of(Gate.SCOPE, "tool_unmapped")),
              problem,
              hop.txn(),
              null,
              snapshot.policy().revision()),
          null);
    }
    if (step == null) {
      // An MCP session method: the token and the chain hold; no step, so no policy, no once spend,
      // and
      // no completion (ext_proc mints one only for a decision that names a step).
      Map<String, String> metadata =
          listing == null
              ? Map.of("component", component)
              : Map.of(
                  "component",
                  component,
                  VISIBLE_TOOLS_METADATA,
                  String.join(",", visibleTools(request, component, listing, facts, now)));
      return new Decided(
          new Decision(
              id,
              Outcome.ALLOW,
              List.of(),
              null,
              facts.origin().txn(),
              null,
              snapshot.policy().revision(),
              Map.of(),
              metadata),
          null);
    }
    ProcessDefinition process = null;
    Map<String, Object> declared = facts.origin().intent();
    if (declared != null) {
      String iri = (String) declared.get("process");
      String digest = (String) declared.get("digest");
      Optional<ProcessDefinition> resolved = snapshot.processes().resolve(iri, digest);
      if (resolved.isEmpty()) {
        Problem problem = Problems.intentUnresolved(id, hop.txn(), iri, digest);
        return new Decided(
            new Decision(
                id,
                Outcome.DENY,
                List.of(Violation.of(Gate.SCOPE, "intent_unresolved")),
                problem,
                hop.txn(),
                null,
                snapshot.policy().revision()),
            null);
      }
      process = resolved.get();
    }
    String owner = OneTimeTokens.owner(request, id);
    SequenceState.Observed observed;
    try {
      observed =
          process == null
              ? SequenceState.Observed.NOTHING
              : sequenceState.observe(process, step, facts, owner);
    } catch (StateException e) {
      LOG.log(System.Logger.Level.WARNING, "decision {0}: {1}", id, e.getMessage());
      return new Decided(abort(id, hop.txn(), "state_unavailable"), null);
    }
    InputDocument input =
        InputDocuments.build(
            new InputDocument.Hop(
                component, step, request.method(), request.path(), request.sourcePrincipal()),
            facts,
            process,
            observed.usage(),
            observed::spent,
            now);
    EngineDecision result;
    long engineStart = System.nanoTime();
    try {
      result = snapshot.policy().evaluate(input);
      stages.engine = System.nanoTime() - engineStart;
    } catch (EvaluationException e) {
      stages.engine = System.nanoTime() - engineStart;
      LOG.log(System.Logger.Level.WARNING, "decision {0}: {1}", id, e.getMessage());
      if (e.timedOut()) {
        Problem problem = Problems.aborted(id, hop.txn(), "evaluation_timeout");
        return new Decided(
            new Decision(
                id,
                Outcome.TIMEOUT,
                List.of(Violation.of(Gate.EVALUATION, "evaluation_timeout")),
                problem,
                hop.txn(),
                null,
                snapshot.policy().revision()),
            input);
      }
      return new Decided(abort(id, hop.txn(), "evaluation_failed"), input);
    }
    if (result.allow()) {
      // Only now is anything spent (a deny never consumes): the one-time token, the approvals this
      // step unlocks with, a unit of its budget, all in one atomic reservation.
      Decision spent =
          spend(id, request, hop, facts, process, step, component, observed, owner, input, now);
      return new Decided(
          spent != null ? spent : allow(id, request, facts, component, step, now), input);
    }
    List<Violation> disclosed = Disclosure.apply(result.violations());
    Problem problem =
        Problems.denied(
            id, hop.txn(), step, disclosed, RepairAssembler.assemble(disclosed, input, snapshot));
    // A policy may ask that the caller see less of its denial (the route may cut further).
    Map<String, String> metadata =
        result.disclosure() == DisclosureLevel.FULL
            ? Map.of()
            : Map.of(DISCLOSURE_METADATA, result.disclosure().wireName());
    return new Decided(
        new Decision(
            id,
            Outcome.DENY,
            disclosed,
            problem,
            hop.txn(),
            null,
            snapshot.policy().revision(),
            Map.of(),
            metadata),
        input);
  }

  /**
   * Whether this step's decision can use the association's ledger at all: only a step with
   * prerequisites (of its declared process, which the hop token names as the origin does, or its
   * manifest's expects_completed) is decided or repaired on completion records. Everything else
   * (session methods, entry steps, implicit intents without expectations) skips the lookup, which
   * for a remote association is a network call on the Check path.
   */
  private boolean needsLedger(HopToken hop, String component, @Nullable String step) {
    if (step == null || ledger == LedgerView.Lookup.NONE) {
      return false;
    }
    if (snapshot
        .manifests()
        .get(component)
        .map(m -> !m.expectsCompleted().isEmpty())
        .orElse(false)) {
      return true;
    }
    Map<String, Object> intent = hop.intent();
    if (intent == null) {
      return false;
    }
    // Unresolvable or not the origin's: the decision denies later, and needs no ledger for that.
    return snapshot
        .processes()
        .resolve(String.valueOf(intent.get("process")), String.valueOf(intent.get("digest")))
        .map(p -> !p.prerequisites(step).isEmpty())
        .orElse(false);
  }

  /**
   * Reserves what an ALLOW spends, or answers the DENY it becomes: {@code token_consumed} when the
   * one-time token was spent, sequence {@code consumed} / {@code budget_exhausted} when an approval
   * or the last unit of the budget went to another request first.
   *
   * @return null when the ALLOW stands
   */
  private @Nullable Decision spend(
      String id,
      HopRequest request,
      HopToken hop,
      VerifiedFacts facts,
      @Nullable ProcessDefinition process,
      String step,
      String component,
      SequenceState.Observed observed,
      String owner,
      InputDocument input,
      Instant now) {
    SequenceState.Spend plan =
        process == null
            ? SequenceState.Spend.NOTHING
            : sequenceState.plan(process, step, facts, observed, now);
    if (!plan.unavailable().isEmpty()) {
      return sequenceDenial(
          id,
          hop.txn(),
          step,
          new Violation(
              Gate.SEQUENCE,
              "consumed",
              Map.of("consumed", List.copyOf(new java.util.TreeSet<>(plan.unavailable())))),
          input);
    }
    if (hop.once() && !oneTimeTokens.retryHonoured(request, now)) {
      // Envoy's request time is past the retry window: not a fresh request, nor a retry still
      // answered the same. Refused before anything is reserved, so it spends nothing.
      return tokenConsumed(id, hop, component);
    }
    List<Reservation.Claim> claims = new java.util.ArrayList<>();
    if (hop.once()) {
      claims.add(oneTimeTokens.claim(hop, now));
    }
    int approvals = claims.size();
    claims.addAll(plan.claims());
    Reservation reservation = new Reservation(owner, claims, plan.units());
    if (reservation.isEmpty()) {
      return null;
    }
    Reservation.Outcome outcome;
    try {
      outcome = oneTimeTokens.store().reserve(reservation);
    } catch (StateException e) {
      LOG.log(System.Logger.Level.WARNING, "decision {0}: {1}", id, e.getMessage());
      return abort(id, hop.txn(), "state_unavailable");
    }
    if (outcome instanceof Reservation.Outcome.ClaimHeld held && held.index() >= approvals) {
      return sequenceDenial(
          id,
          hop.txn(),
          step,
          new Violation(
              Gate.SEQUENCE,
              "consumed",
              Map.of("consumed", List.of(plan.claimedSteps().get(held.index() - approvals)))),
          input);
    }
    if (outcome instanceof Reservation.Outcome.BudgetSpent spentBudget) {
      Map<String, Object> details = new java.util.LinkedHashMap<>();
      details.put("step", step);
      details.put("max", plan.units().get(spentBudget.index()).max());
      details.put("used", spentBudget.used());
      return sequenceDenial(
          id, hop.txn(), step, new Violation(Gate.SEQUENCE, "budget_exhausted", details), input);
    }
    if (outcome instanceof Reservation.Outcome.ClaimHeld) {
      return tokenConsumed(id, hop, component);
    }
    return null;
  }

  private Decision tokenConsumed(String id, HopToken hop, String component) {
    TokenRejection consumed =
        new TokenRejection(TokenCode.TOKEN_CONSUMED, "This one-time hop token was already used.");
    String endpoint =
        snapshot.manifests().get(component).map(m -> m.issuerEndpoint()).orElse(tokenEndpoint);
    return new Decision(
        id,
        Outcome.DENY,
        List.of(Violation.of(Gate.AUTHORIZATION, consumed.code().code())),
        Problems.token(id, hop.txn(), consumed, endpoint),
        hop.txn(),
        challenge(consumed),
        snapshot.policy().revision());
  }

  /** A sequence DENY decided by the state store rather than the engine (a racer spent it first). */
  private Decision sequenceDenial(
      String id, String txn, String step, Violation violation, InputDocument input) {
    List<Violation> violations = List.of(violation);
    Problem problem =
        Problems.denied(
            id, txn, step, violations, RepairAssembler.assemble(violations, input, snapshot));
    // Marked, so the log says the engine allowed and the store refused (replay skips such records).
    return new Decision(
        id,
        Outcome.DENY,
        violations,
        problem,
        txn,
        null,
        snapshot.policy().revision(),
        Map.of(),
        Map.of(DECIDED_BY_METADATA, "state_store"));
  }

  /**
   * The tools of an MCP route this chain could call, for filtering its {@code tools/list}: each
   * mapped step evaluated as if called now. A tool held back only by the sequence gate stays
   * visible (its prerequisites can still be completed, and the planner must plan them); one the
   * capability, authorization or scope gate refuses is hidden. Listing spends nothing and extends
   * no chain.
   */
  private List<String> visibleTools(
      HopRequest request, String component, McpRoute listing, VerifiedFacts facts, Instant now) {
    ProcessDefinition process = null;
    Map<String, Object> declared = facts.origin().intent();
    if (declared != null) {
      Optional<ProcessDefinition> resolved =
          snapshot
              .processes()
              .resolve((String) declared.get("process"), (String) declared.get("digest"));
      if (resolved.isEmpty()) {
        return List.of();
      }
      process = resolved.get();
    }
    List<String> visible = new java.util.ArrayList<>();
    for (Map.Entry<String, String> tool : new java.util.TreeMap<>(listing.toolSteps()).entrySet()) {
      InputDocument input =
          InputDocuments.build(
              new InputDocument.Hop(
                  component,
                  tool.getValue(),
                  request.method(),
                  request.path(),
                  request.sourcePrincipal()),
              facts,
              process,
              now);
      try {
        EngineDecision result = snapshot.policy().evaluate(input);
        if (result.allow()
            || result.violations().stream().allMatch(v -> v.gate() == Gate.SEQUENCE)) {
          visible.add(tool.getKey());
        }
      } catch (EvaluationException e) {
        // Not evaluable is not callable: hidden.
      }
    }
    return visible;
  }

  /** An ALLOW: the chain extended by this hop's transition, the facts ext_proc needs. */
  private Decision allow(
      String id,
      HopRequest request,
      VerifiedFacts facts,
      String component,
      String step,
      Instant now) {
    Map<String, String> upstream = Map.of();
    if (signer != null) {
      String transition = signer.transition(facts, component, step, id, now);
      upstream =
          Map.of(
              WireTypes.TXN_CHAIN,
              EnforcementPointSigner.extend(request.header(WireTypes.TXN_CHAIN), transition));
    }
    Map<String, String> metadata =
        Map.of(
            "component",
            component,
            "step",
            step,
            "deadline",
            Long.toString(facts.origin().deadline().getEpochSecond()));
    return new Decision(
        id,
        Outcome.ALLOW,
        List.of(),
        null,
        facts.origin().txn(),
        null,
        snapshot.policy().revision(),
        upstream,
        metadata);
  }

  private Decision unconfigured(String id, String detail) {
    Problem problem = Problems.unconfigured(id, detail);
    return new Decision(
        id,
        Outcome.DENY,
        List.of(Violation.of(Gate.CONFIGURATION, "route_unconfigured")),
        problem,
        null,
        null,
        null);
  }

  private Decision abort(String id, @Nullable String txn, String code) {
    Problem problem = Problems.aborted(id, txn, code);
    return new Decision(
        id,
        Outcome.ABORT,
        List.of(Violation.of(Gate.EVALUATION, code)),
        problem,
        txn,
        null,
        snapshot.policy().revision());
  }

  /** The RFC 6750 challenge: no error code when the request carried no token at all. */
  static String challenge(TokenRejection rejection) {
    if (rejection.code() == TokenCode.TOKEN_MISSING) {
      return "Bearer realm=\"hopgate\"";
    }
    return "Bearer realm=\"hopgate\", error=\"invalid_token\", error_description=\""
        + quotable(rejection.getMessage())
        + "\"";
  }

  /** RFC 6750 allows only %x20-21 / %x23-5B / %x5D-7E in error_description. */
  private static String quotable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      out.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '?');
    }
    return out.toString();
  }
}
