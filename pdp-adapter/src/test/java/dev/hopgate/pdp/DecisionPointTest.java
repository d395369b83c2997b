package dev.hopgate.pdp;

import static dev.hopgate.pdp.floor.ChainFixture.AGENT;
import static dev.hopgate.pdp.floor.ChainFixture.PLAN;
import static dev.hopgate.pdp.floor.ChainFixture.PLANNER;
import static dev.hopgate.pdp.floor.ChainFixture.RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.evidence.DecisionLog;
import dev.hopgate.pdp.evidence.DecisionLogSink;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.mcp.ListFilter;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.mcp.McpListing;
import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.request.Deadline;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.route.RouteBinding;
import dev.hopgate.pdp.route.RouteTable;
import dev.hopgate.pdp.route.TestRoutes;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.state.Reservation;
import dev.hopgate.pdp.state.StateException;
import dev.hopgate.pdp.state.StateStore;
import dev.hopgate.pdp.wire.WireTypes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision pipeline, stage by stage: each case ends the decision at one stage and checks the
 * decision it answers (the end-to-end tests go through Envoy; these name which stage decided).
 */
class DecisionPointTest {
  private static PreparedPolicy cedar;
  private final ChainFixture f = new ChainFixture();
  private final List<Decision> recorded = new ArrayList<>();

  @BeforeAll
  static void policies() throws Exception {
    cedar = new CedarEngine().prepare(Path.of("..", "policies", "cedar"));
  }

  private DecisionPoint decisionPoint(PreparedPolicy policy, DecisionSink evidence) {
    return decisionPoint(
        policy,
        evidence,
        new OneTimeTokens(
            new InMemoryStateStore(1000), Duration.ofSeconds(1), Duration.ofSeconds(30)));
  }

  private DecisionPoint decisionPoint(
      PreparedPolicy policy, DecisionSink evidence, OneTimeTokens tokens) {
    return new DecisionPoint(
        f.floor(),
        new PolicySnapshot(policy, f.manifests, ProcessRegistry.of(List.of()), routes()),
        tokens,
        new EnforcementPointSigner(
            ChainFixture.enforcementPoint(AGENT), f.enforcers.get(AGENT), Duration.ofMinutes(5)),
        evidence,
        f.clock,
        "https://tokens.shop.example/token",
        LedgerView.Lookup.NONE);
  }

  private DecisionPoint decisionPoint() {
    return decisionPoint(
        cedar,
        (decision, input) -> {
          recorded.add(decision);
          return true;
        });
  }

  /** The origin token of an implicit intent (no declared process). */
  private String origin() {
    return f.origin(PLANNER, null, Set.of(PLAN, RESERVE, ChainFixture.CHARGE));
  }

  /** The first hop, planner to agent: a valid hop token and origin, an empty chain. */
  private HopRequest firstHop(Map<String, String> extensions) {
    String hop = f.hop(AGENT, "alice@shop.example", f.txn, null);
    HopRequest base = f.request(hop, origin(), List.of(), List.of(), PLANNER);
    return new HopRequest(base.headers(), extensions, "POST", "/plan", PLANNER);
  }

  private static Map<String, String> route(String component, String step) {
    return TestRoutes.to(component, step);
  }

  /** The MCP routes of these tests, all of the agent. */
  private static final String MCP = "mcp";

  private static final String MCP_TOOLS_ONLY = "mcp-tools-only";
  private static final String MCP_TWO_TOOLS = "mcp-two-tools";
  private static final String MCP_UNDISCLOSED = "mcp-undisclosed";

  /** A plain route bound to one path and method, for the table alone to match. */
  private static final String RESERVE_ROUTE = "reserve";

  /** The component of that route, and of no other (it has no manifest: routing is the test). */
  private static final String WAREHOUSE = "spiffe://shop.example/warehouse";

  private RouteTable routes() {
    Map<String, String> none = Map.of();
    Map<String, String> plan = Map.of("plan_order", PLAN);
    List<Route> more =
        List.of(
            mcp(MCP, McpRoute.of(plan, none, none, none, null, null, null, null), RouteBinding.ANY),
            mcp(
                MCP_TOOLS_ONLY,
                McpRoute.of(plan, none, none, none, "deny", null, null, null),
                RouteBinding.ANY),
            mcp(
                MCP_TWO_TOOLS,
                McpRoute.of(
                    Map.of("plan_order", PLAN, "reserve_stock", RESERVE),
                    none,
                    none,
                    none,
                    null,
                    null,
                    null,
                    null),
                RouteBinding.ANY),
            new Route(
                MCP_UNDISCLOSED,
                AGENT,
                null,
                McpRoute.of(plan, none, none, none, null, null, null, null),
                DisclosureLevel.UNDISCLOSED,
                true,
                new RouteBinding("/mcp", null, Set.of("POST"), Set.of())),
            new Route(
                RESERVE_ROUTE,
                WAREHOUSE,
                RESERVE,
                null,
                DisclosureLevel.FULL,
                true,
                new RouteBinding(
                    null, "/inventory/reserve", Set.of("POST"), Set.of("shop.example"))));
    return TestRoutes.everyStep(f.manifests, more, PLAN, RESERVE);
  }

  private static Route mcp(String name, McpRoute mcp, RouteBinding binding) {
    return new Route(name, AGENT, null, mcp, DisclosureLevel.FULL, true, binding);
  }

  /** The request with {@code body}, as Envoy sends it with {@code pack_as_bytes}. */
  private static HopRequest withBody(HopRequest r, String body) {
    return withBody(r, body, false);
  }

  private static HopRequest withBody(HopRequest r, String body, boolean asText) {
    Map<String, String> headers = new HashMap<>(r.headers());
    headers.put("content-type", "application/json");
    return new HopRequest(
        headers,
        r.contextExtensions(),
        r.method(),
        r.path(),
        r.sourcePrincipal(),
        "",
        null,
        body,
        false,
        asText,
        null,
        null);
  }

  private static Map<String, String> named(String route) {
    return Map.of(Route.EXTENSION, route);
  }

  private static String firstCode(Decision d) {
    return d.violations().get(0).code();
  }

  @Test
  void decide_allowsAStepEveryStagePasses_andExtendsTheChain() {
    Decision d = decisionPoint().decide(firstHop(route(AGENT, PLAN)));

    assertThat(d.outcome()).as("%s %s", d.violations(), d.problem()).isEqualTo(Outcome.ALLOW);
    assertThat(d.txn()).isEqualTo(f.txn);
    assertThat(d.policyRevision()).isEqualTo(cedar.revision());
    assertThat(d.about().component()).isEqualTo(AGENT);
    assertThat(d.about().step()).isEqualTo(PLAN);
    assertThat(d.about().deadline()).isEqualTo(f.deadline());
    assertThat(d.about().route()).isNotNull();
    assertThat(d.upstreamHeaders().get(WireTypes.TXN_CHAIN)).isNotBlank();
    assertThat(recorded).containsExactly(d);
  }

  @Test
  void decide_refusesAComponentTheAskingEnvoyIsNotBoundTo() {
    Decision d =
        decisionPoint()
            .decide(firstHop(route(AGENT, PLAN)).askedBy(Set.of(ChainFixture.INVENTORY)));

    assertThat(d.outcome()).isEqualTo(Outcome.DENY);
    assertThat(d.violations())
        .containsExactly(Violation.of(Gate.CONFIGURATION, "caller_not_bound"));
    assertThat(d.policyRevision()).isNull();
  }

  /** A request of the first hop at {@code path}, as an Envoy with no context extensions asks. */
  private HopRequest unnamed(String method, String path, String authority) {
    HopRequest base = firstHop(Map.of());
    Map<String, String> headers = new HashMap<>(base.headers());
    headers.put(":authority", authority);
    return new HopRequest(headers, Map.of(), method, path, PLANNER);
  }

  @Test
  void decide_refusesARouteTheTableDoesNotHold() {
    Decision d = decisionPoint().decide(firstHop(named("no-such-route")));

    assertThat(firstCode(d)).isEqualTo("route_unknown");
    assertThat(d.problem().detail()).contains("'no-such-route'");
    assertThat(d.about().route()).isNull();
  }

  @Test
  void decide_refusesExtensionsThatSayOtherThanTheTable() {
    Map<String, String> otherComponent =
        Map.of(Route.EXTENSION, TestRoutes.name(AGENT, PLAN), Route.COMPONENT, PLANNER);
    Map<String, String> sameComponent =
        Map.of(Route.EXTENSION, TestRoutes.name(AGENT, PLAN), Route.COMPONENT, AGENT);
    Map<String, String> leftover =
        Map.of(Route.EXTENSION, TestRoutes.name(AGENT, PLAN), "tool:drop_db", RESERVE);
    Map<String, String> unnamedStep = Map.of(Route.COMPONENT, AGENT, Route.STEP, PLAN);

    assertThat(firstCode(decisionPoint().decide(firstHop(otherComponent))))
        .isEqualTo("route_extensions_conflict");
    assertThat(decisionPoint().decide(firstHop(sameComponent)).outcome()).isEqualTo(Outcome.ALLOW);
    Decision d = decisionPoint().decide(firstHop(leftover));
    assertThat(firstCode(d)).isEqualTo("route_extensions_conflict");
    assertThat(d.problem().detail()).contains("'tool:drop_db' is not read");
    // The settings of old: a component and a step without a route name decide nothing.
    assertThat(firstCode(decisionPoint().decide(firstHop(unnamedStep))))
        .isEqualTo("route_extensions_conflict");
  }

  @Test
  void decide_aRouteTakesOnlyTheRequestsItBinds_whateverNamesIt() {
    // A name set on a virtual host reaches every route of it: /anything is not the route's.
    HopRequest base = firstHop(named(MCP_UNDISCLOSED));
    HopRequest anything =
        new HopRequest(base.headers(), named(MCP_UNDISCLOSED), "POST", "/anything", PLANNER);
    HopRequest unbound = firstHop(named(MCP_UNDISCLOSED)).askedBy(Set.of(ChainFixture.INVENTORY));

    Decision mismatch = decisionPoint().decide(anything);
    Decision notBound = decisionPoint().decide(unbound);

    assertThat(firstCode(mismatch)).isEqualTo("route_mismatch");
    assertThat(mismatch.problem().detail()).contains("POST /anything");
    assertThat(firstCode(notBound)).isEqualTo("caller_not_bound");
    // Answered in the named route's shape: an MCP error, undisclosed.
    for (Decision d : List.of(mismatch, notBound)) {
      assertThat(d.about().route().mcp()).isNotNull();
      assertThat(d.about().disclosure()).isEqualTo(DisclosureLevel.UNDISCLOSED);
    }
  }

  @Test
  void decide_withoutExtensions_theTableAloneRoutes_amongTheComponentsTheEnvoyFronts() {
    HopRequest reserve = unnamed("POST", "/inventory/reserve/sku-1?x=/other", "shop.example:8443");

    Decision matched = decisionPoint().decide(reserve.askedBy(Set.of(WAREHOUSE)));
    assertThat(matched.about().route().name()).isEqualTo(RESERVE_ROUTE);
    assertThat(matched.violations()).extracting(Violation::gate).doesNotContain(Gate.CONFIGURATION);

    // An Envoy fronting the planner alone has no route there; nor has any Envoy for GET, another
    // authority, or a path that only starts like the route's.
    assertThat(firstCode(decisionPoint().decide(reserve.askedBy(Set.of(PLANNER)))))
        .isEqualTo("route_unmatched");
    // The path's own route takes only POST at shop.example: another method or authority is
    // refused, never passed to a less specific route; a path that only starts like it is no route.
    for (HopRequest other :
        List.of(
            unnamed("GET", "/inventory/reserve", "shop.example"),
            unnamed("POST", "/inventory/reserve", "evil.example"),
            unnamed("POST", "/inventory/reserve", "shop.example:evil"))) {
      assertThat(firstCode(decisionPoint().decide(other.askedBy(Set.of(WAREHOUSE)))))
          .as("%s %s %s", other.method(), other.path(), other.authority())
          .isEqualTo("route_mismatch");
    }
    assertThat(
            firstCode(
                decisionPoint()
                    .decide(
                        unnamed("POST", "/inventory/reserve-all", "shop.example")
                            .askedBy(Set.of(WAREHOUSE)))))
        .isEqualTo("route_unmatched");
    // Nothing says which components the Envoy fronts: the request names no component.
    assertThat(firstCode(decisionPoint().decide(reserve))).isEqualTo("route_unnamed");
    // Several routes of the agent take any path alike: only a name tells them apart.
    assertThat(firstCode(decisionPoint().decide(unnamed("POST", "/x", "a").askedBy(Set.of(AGENT)))))
        .isEqualTo("route_ambiguous");
  }

  @Test
  void decide_withoutExtensions_theIdentityEnvoyServesAsSaysTheComponent() {
    HopRequest r = unnamed("POST", "/inventory/reserve", "shop.example");
    HopRequest served =
        new HopRequest(
            r.headers(),
            Map.of(),
            r.method(),
            r.path(),
            r.sourcePrincipal(),
            "",
            null,
            "",
            false,
            false,
            null,
            WAREHOUSE);

    assertThat(decisionPoint().decide(served).about().route().name()).isEqualTo(RESERVE_ROUTE);
  }

  @Test
  void decide_aPathEnvoyDidNotNormalise_isRefusedBeforeAnyRoute() {
    for (String path :
        List.of(
            "/inventory//reserve",
            "/x/../inventory/reserve",
            "/inventory%2Freserve",
            "/inventory/./reserve")) {
      HopRequest r = unnamed("POST", path, "shop.example").askedBy(Set.of(WAREHOUSE));

      Decision d = decisionPoint().decide(r);

      assertThat(firstCode(d)).as(path).isEqualTo("path_not_normalized");
      assertThat(d.problem().status()).isEqualTo(400);
    }
  }

  @Test
  void decide_withoutAHopToken_isA401WithABareChallenge() {
    HopRequest noToken =
        new HopRequest(
            f.request(null, origin(), List.of(), List.of(), PLANNER).headers(),
            route(AGENT, PLAN),
            "POST",
            "/plan",
            PLANNER);

    Decision d = decisionPoint().decide(noToken);

    assertThat(firstCode(d)).isEqualTo("token_missing");
    assertThat(d.problem().status()).isEqualTo(401);
    assertThat(d.wwwAuthenticate()).isEqualTo("Bearer realm=\"hopgate\"");
  }

  @Test
  void decide_aFloorRejection_isDecidedBeforeAnyPolicy() {
    String hop = f.hop(AGENT, "alice@shop.example", f.txn, null);
    HopRequest noOrigin =
        new HopRequest(
            f.request(hop, null, List.of(), List.of(), PLANNER).headers(),
            route(AGENT, PLAN),
            "POST",
            "/plan",
            PLANNER);

    Decision d = decisionPoint().decide(noOrigin);

    assertThat(d.outcome()).as("%s", d.violations()).isEqualTo(Outcome.DENY);
    assertThat(d.txn()).isEqualTo(f.txn);
    assertThat(d.policyRevision()).isNull();
    assertThat(d.timings().floorNanos()).isPositive();
    assertThat(d.timings().engineNanos()).isZero();
  }

  @Test
  void decide_anIntentThisSnapshotDoesNotHold_isRefusedAfterTheFloor() {
    HopRequest base = f.request(f.hop(AGENT), f.origin(), List.of(), List.of(), PLANNER);

    Decision d =
        decisionPoint()
            .decide(new HopRequest(base.headers(), route(AGENT, PLAN), "POST", "/", PLANNER));

    assertThat(firstCode(d)).isEqualTo("intent_unresolved");
    assertThat(d.policyRevision()).isEqualTo(cedar.revision());
  }

  @Test
  void decide_aPolicyDenial_carriesTheRepairAndThePolicyRevision() {
    Decision d = decisionPoint().decide(firstHop(route(AGENT, RESERVE)));

    assertThat(d.outcome()).isEqualTo(Outcome.DENY);
    assertThat(d.violations()).extracting(Violation::gate).contains(Gate.CAPABILITY);
    assertThat(d.problem().repair()).isNotEmpty();
    assertThat(d.policyRevision()).isEqualTo(cedar.revision());
    assertThat(d.about().step()).isNull();
  }

  @Test
  void decide_aPolicyAskingForLessDisclosure_cutsTheRoutesLevel() {
    PreparedPolicy minimal =
        policy(
            input ->
                EngineDecision.denied(
                    List.of(Violation.of(Gate.SCOPE, "step_not_in_intent")),
                    DisclosureLevel.MINIMAL));

    Decision d = decisionPoint(minimal, DecisionSink.NONE).decide(firstHop(route(AGENT, PLAN)));

    assertThat(d.about().policyDisclosure()).isEqualTo(DisclosureLevel.MINIMAL);
    assertThat(d.about().disclosure()).isEqualTo(DisclosureLevel.MINIMAL);
  }

  @Test
  void decide_anEngineThatTimesOut_isATimeout_andOneThatFails_anAbort() {
    Decision timedOut =
        decisionPoint(
                policy(
                    input -> {
                      throw EvaluationException.timedOut("slow", null);
                    }),
                DecisionSink.NONE)
            .decide(firstHop(route(AGENT, PLAN)));
    Decision failed =
        decisionPoint(
                policy(
                    input -> {
                      throw new EvaluationException("broken");
                    }),
                DecisionSink.NONE)
            .decide(firstHop(route(AGENT, PLAN)));

    assertThat(timedOut.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(firstCode(timedOut)).isEqualTo("evaluation_timeout");
    assertThat(failed.outcome()).isEqualTo(Outcome.ABORT);
    assertThat(firstCode(failed)).isEqualTo("evaluation_failed");
  }

  @Test
  void decide_aBugAnywhere_isAnAbortWithoutItsText() {
    Decision d =
        decisionPoint(
                policy(
                    input -> {
                      throw new IllegalStateException("secret internals");
                    }),
                DecisionSink.NONE)
            .decide(firstHop(route(AGENT, PLAN)));

    assertThat(d.outcome()).isEqualTo(Outcome.ABORT);
    assertThat(firstCode(d)).isEqualTo("internal_error");
    assertThat(d.problem().detail()).doesNotContain("secret");
  }

  @Test
  void decide_aDecisionTheLogRefuses_doesNotStand() {
    List<Decision> attempts = new ArrayList<>();
    DecisionSink refusesAllows =
        (decision, input) -> {
          attempts.add(decision);
          return !decision.allowed();
        };

    Decision d = decisionPoint(cedar, refusesAllows).decide(firstHop(route(AGENT, PLAN)));

    assertThat(d.outcome()).isEqualTo(Outcome.ABORT);
    assertThat(firstCode(d)).isEqualTo("evidence_unavailable");
    assertThat(attempts)
        .extracting(Decision::outcome)
        .containsExactly(Outcome.ALLOW, Outcome.ABORT);
  }

  /**
   * The attack (issue 17): a log that cannot take the record (full, with {@code when_full: deny})
   * refused the ALLOW only after its once token was spent, so the token was gone for good.
   */
  @Test
  void decide_aLogThatCannotTakeTheRecord_refusesBeforeAnythingIsSpent(@TempDir Path dir)
      throws Exception {
    OneTimeTokens tokens =
        new OneTimeTokens(
            new InMemoryStateStore(1000), Duration.ofSeconds(1), Duration.ofSeconds(30));
    DecisionLog closed = DecisionLog.open(dir.resolve("d.jsonl"), 4, f.clock);
    closed.close();
    DecisionSink full = new DecisionLogSink(closed, DecisionLogSink.Trace.MINIMAL, true, "cedar");
    HopRequest once =
        new HopRequest(
            f.request(f.hopOnce(AGENT, "jti-9"), origin(), List.of(), List.of(), PLANNER).headers(),
            route(AGENT, PLAN),
            "POST",
            "/plan",
            PLANNER);

    Decision refused = decisionPoint(cedar, full, tokens).decide(once);
    Decision later = decisionPoint(cedar, DecisionSink.NONE, tokens).decide(once);

    assertThat(firstCode(refused)).isEqualTo("evidence_unavailable");
    assertThat(later.outcome()).as("%s", later.violations()).isEqualTo(Outcome.ALLOW);
  }

  /**
   * A once-token first hop as Envoy sends it: its stream id and request time (retries repeat them).
   */
  private HopRequest onceFromEnvoy(String jti, String streamId, Map<String, String> extraHeaders) {
    Map<String, String> headers =
        new java.util.HashMap<>(
            f.request(f.hopOnce(AGENT, jti), origin(), List.of(), List.of(), PLANNER).headers());
    headers.putAll(extraHeaders);
    return new HopRequest(
        headers, route(AGENT, PLAN), "POST", "/plan", PLANNER, streamId, f.clock.instant());
  }

  /** Records what a decision log would, in order, with each record's event type. */
  private static final class Recorder implements DecisionSink {
    final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public boolean record(Decision decision, @Nullable InputDocument input) {
      events.add("decision " + decision.id() + " " + decision.outcome());
      return true;
    }

    @Override
    public Slot reserve(String decisionId) {
      return (decision, input) -> {
        events.add(
            (decision.id().equals(decisionId) ? "decision " : "retry ")
                + decision.id()
                + " "
                + decision.outcome());
        return true;
      };
    }

    @Override
    public void note(String eventType, @Nullable String txn, Map<String, Object> payload) {
      events.add(eventType + " " + payload.get("decision_id"));
    }
  }

  @Test
  void decide_pastItsDeadline_isATimeoutThatSpendsNothing() {
    OneTimeTokens tokens =
        new OneTimeTokens(
            new InMemoryStateStore(1000), Duration.ofSeconds(1), Duration.ofSeconds(30));
    Recorder log = new Recorder();
    HopRequest once = onceFromEnvoy("jti-deadline", "stream-1", Map.of());

    Decision late =
        decisionPoint(cedar, log, tokens)
            .decide(once, Deadline.in(Duration.ofMillis(5), Duration.ofMillis(10)));
    Decision fresh =
        decisionPoint(cedar, DecisionSink.NONE, tokens)
            .decide(onceFromEnvoy("jti-deadline", "stream-2", Map.of()));

    assertThat(late.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(firstCode(late)).isEqualTo("deadline_exceeded");
    assertThat(log.events).containsExactly("decision " + late.id() + " TIMEOUT");
    assertThat(fresh.outcome()).as("the token was not spent").isEqualTo(Outcome.ALLOW);
  }

  /**
   * The attack (issue 17): the caller's deadline passed while the store was reserving; the caller
   * was answered TIMEOUT, yet the once token stayed spent. Now the late decision answers nothing,
   * gives back what it reserved, and the log holds the one outcome the caller saw.
   */
  @Test
  void pending_whoseDeadlineAnswersFirst_releasesWhatTheDecisionThenReserves() throws Exception {
    java.util.concurrent.CountDownLatch reserving = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch answered = new java.util.concurrent.CountDownLatch(1);
    InMemoryStateStore memory = new InMemoryStateStore(1000);
    StateStore slow =
        new StateStore() {
          @Override
          public Reservation.Outcome reserve(Reservation r) throws StateException {
            reserving.countDown();
            try {
              answered.await();
            } catch (InterruptedException e) {
              throw new StateException("interrupted", e);
            }
            return memory.reserve(r);
          }

          @Override
          public boolean release(Reservation r) {
            return memory.release(r);
          }

          @Override
          public @Nullable String holder(String key) {
            return memory.holder(key);
          }

          @Override
          public long used(String key, String owner) {
            return memory.used(key, owner);
          }

          @Override
          public String describe() {
            return "slow";
          }
        };
    OneTimeTokens tokens = new OneTimeTokens(slow, Duration.ofSeconds(1), Duration.ofSeconds(30));
    Recorder log = new Recorder();
    DecisionPoint.Pending pending =
        decisionPoint(cedar, log, tokens)
            .begin(onceFromEnvoy("jti-race", "stream-1", Map.of()), Deadline.NONE);
    java.util.concurrent.CompletableFuture<@Nullable Decision> deciding =
        java.util.concurrent.CompletableFuture.supplyAsync(pending::decide);
    reserving.await();

    Decision timeout = pending.expire();
    answered.countDown();

    assertThat(timeout).isNotNull();
    assertThat(timeout.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(deciding.get()).as("the decision answers nobody").isNull();
    assertThat(log.events).containsExactly("decision " + pending.id() + " TIMEOUT");
    Decision fresh =
        decisionPoint(
                cedar,
                DecisionSink.NONE,
                new OneTimeTokens(memory, Duration.ofSeconds(1), Duration.ofSeconds(30)))
            .decide(onceFromEnvoy("jti-race", "stream-2", Map.of()));
    assertThat(fresh.outcome()).as("the token was given back").isEqualTo(Outcome.ALLOW);
  }

  /**
   * The attack (issue 17): the store ran the reservation but its reply was lost; hopgate denied
   * {@code state_unavailable} and the once token stayed spent. Now the reservation is released.
   */
  @Test
  void decide_aReservationWhoseReplyIsLost_isReleased() {
    InMemoryStateStore memory = new InMemoryStateStore(1000);
    StateStore lossy =
        new StateStore() {
          @Override
          public Reservation.Outcome reserve(Reservation r) throws StateException {
            memory.reserve(r);
            throw new StateException("read timed out", null);
          }

          @Override
          public boolean release(Reservation r) {
            return memory.release(r);
          }

          @Override
          public @Nullable String holder(String key) {
            return memory.holder(key);
          }

          @Override
          public long used(String key, String owner) {
            return memory.used(key, owner);
          }

          @Override
          public String describe() {
            return "lossy";
          }
        };
    OneTimeTokens lossyTokens =
        new OneTimeTokens(lossy, Duration.ofSeconds(1), Duration.ofSeconds(30));
    DecisionPoint dp = decisionPoint(cedar, DecisionSink.NONE, lossyTokens);

    Decision lost = dp.decide(onceFromEnvoy("jti-lost", "stream-1", Map.of()));
    Decision fresh =
        decisionPoint(
                cedar,
                DecisionSink.NONE,
                new OneTimeTokens(memory, Duration.ofSeconds(1), Duration.ofSeconds(30)))
            .decide(onceFromEnvoy("jti-lost", "stream-2", Map.of()));

    assertThat(firstCode(lost)).isEqualTo("state_unavailable");
    assertThat(dp.spending().released()).isEqualTo(1);
    assertThat(fresh.outcome()).as("the token was given back").isEqualTo(Outcome.ALLOW);
  }

  @Test
  void decide_aReleaseTheStoreCannotTake_isCountedAndLogged() {
    StateStore down =
        new StateStore() {
          private final InMemoryStateStore memory = new InMemoryStateStore(1000);

          @Override
          public Reservation.Outcome reserve(Reservation r) throws StateException {
            memory.reserve(r);
            throw new StateException("read timed out", null);
          }

          @Override
          public boolean release(Reservation r) throws StateException {
            throw new StateException("connection refused", null);
          }

          @Override
          public @Nullable String holder(String key) {
            return memory.holder(key);
          }

          @Override
          public long used(String key, String owner) {
            return memory.used(key, owner);
          }

          @Override
          public String describe() {
            return "down";
          }
        };
    Recorder log = new Recorder();
    DecisionPoint dp =
        decisionPoint(
            cedar, log, new OneTimeTokens(down, Duration.ofSeconds(1), Duration.ofSeconds(30)));

    Decision lost = dp.decide(onceFromEnvoy("jti-unreleased", "stream-1", Map.of()));

    assertThat(firstCode(lost)).isEqualTo("state_unavailable");
    assertThat(dp.spending().unreleased()).isEqualTo(1);
    assertThat(log.events)
        .containsExactly("unreleased " + lost.id(), "decision " + lost.id() + " ABORT");
  }

  /**
   * A failure after the spend (here the log's slot throws on commit): the Check is still answered,
   * as failed closed, and what the decision reserved is given back.
   */
  @Test
  void decide_aFailureAfterTheSpend_answersInternalError_andReleasesTheSpend() {
    OneTimeTokens tokens =
        new OneTimeTokens(
            new InMemoryStateStore(1000), Duration.ofSeconds(1), Duration.ofSeconds(30));
    DecisionSink breaking =
        new DecisionSink() {
          @Override
          public boolean record(Decision decision, @Nullable InputDocument input) {
            return true;
          }

          @Override
          public Slot reserve(String decisionId) {
            return (decision, input) -> {
              if (decision.outcome() == Outcome.ALLOW) {
                throw new IllegalStateException("the record cannot be written");
              }
              return true;
            };
          }
        };
    DecisionPoint dp = decisionPoint(cedar, breaking, tokens);

    Decision failed = dp.decide(onceFromEnvoy("jti-broken", "stream-1", Map.of()));
    Decision fresh =
        decisionPoint(cedar, DecisionSink.NONE, tokens)
            .decide(onceFromEnvoy("jti-broken", "stream-2", Map.of()));

    assertThat(firstCode(failed)).isEqualTo("internal_error");
    assertThat(dp.spending().released()).isEqualTo(1);
    assertThat(fresh.outcome()).as("the token was given back").isEqualTo(Outcome.ALLOW);
  }

  @Test
  void decide_envoysRetryOfAnAllow_isThatDecisionAgain_whateverTheClientsRequestId() {
    OneTimeTokens tokens =
        new OneTimeTokens(
            new InMemoryStateStore(1000), Duration.ofSeconds(1), Duration.ofSeconds(30));
    Recorder log = new Recorder();
    DecisionPoint dp = decisionPoint(cedar, log, tokens);

    Decision first = dp.decide(onceFromEnvoy("jti-retry", "stream-7", Map.of("x-request-id", "a")));
    Decision retry = dp.decide(onceFromEnvoy("jti-retry", "stream-7", Map.of("x-request-id", "b")));
    Decision other = dp.decide(onceFromEnvoy("jti-retry", "stream-8", Map.of("x-request-id", "a")));

    assertThat(first.outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(retry.outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(retry.id()).isEqualTo(first.id());
    assertThat(firstCode(other))
        .as("another stream is another request")
        .isEqualTo("token_consumed");
    assertThat(log.events)
        .containsExactly(
            "decision " + first.id() + " ALLOW",
            "retry " + first.id() + " ALLOW",
            "decision " + other.id() + " DENY");
    assertThat(dp.spending().retries()).isEqualTo(1);
  }

  @Test
  void decide_aOnceTokenUsedByAnotherRequest_isTokenConsumed() {
    DecisionPoint dp = decisionPoint();
    String once = f.hopOnce(AGENT, "jti-1");
    HopRequest first =
        new HopRequest(
            f.request(once, origin(), List.of(), List.of(), PLANNER).headers(),
            route(AGENT, PLAN),
            "POST",
            "/plan",
            PLANNER);

    assertThat(dp.decide(first).outcome()).isEqualTo(Outcome.ALLOW);
    Decision again = dp.decide(first);

    assertThat(firstCode(again)).isEqualTo("token_consumed");
    assertThat(again.wwwAuthenticate()).contains("invalid_token");
  }

  @Test
  void decide_anUnreadableMcpBody_isABadRequest_answeredAsMcp() {
    Decision d = decisionPoint().decide(withBody(firstHop(named(MCP)), "{\"jsonrpc\":"));

    assertThat(d.violations()).extracting(Violation::gate).containsExactly(Gate.REQUEST);
    assertThat(d.problem().status()).isEqualTo(400);
    assertThat(d.about().mcp()).isEqualTo(McpFacts.UNREAD);
  }

  @Test
  void decide_anMcpBodyEnvoySentAsText_isRefused_namingTheEnvoySetting() {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"plan_order\"}}";

    Decision d = decisionPoint().decide(withBody(firstHop(named(MCP)), call, true));

    assertThat(firstCode(d)).isEqualTo("body_not_bytes");
    assertThat(d.problem().status()).isEqualTo(400);
    assertThat(d.problem().detail()).contains("pack_as_bytes");
  }

  @Test
  void decide_anMcpRequestThatIsNotPostOrNotUtf8Json_isRefused() {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"plan_order\"}}";
    HopRequest post = withBody(firstHop(named(MCP)), call);
    Map<String, String> utf7 = new HashMap<>(post.headers());
    utf7.put("content-type", "application/json; charset=utf-7");
    Map<String, String> gzip = new HashMap<>(post.headers());
    gzip.put("content-encoding", "gzip");

    assertThat(firstCode(decisionPoint().decide(withHeaders(post, utf7))))
        .isEqualTo("media_type_unsupported");
    assertThat(firstCode(decisionPoint().decide(withHeaders(post, gzip))))
        .isEqualTo("media_type_unsupported");
    Map<String, String> quoted = new HashMap<>(post.headers());
    quoted.put("content-type", "Application/JSON; charset=\"UTF-8\"");
    assertThat(decisionPoint().decide(withHeaders(post, quoted)).outcome())
        .isEqualTo(Outcome.ALLOW);
    HopRequest get =
        new HopRequest(
            post.headers(),
            post.contextExtensions(),
            "GET",
            post.path(),
            post.sourcePrincipal(),
            "",
            null,
            call,
            false,
            false,
            null,
            null);
    assertThat(firstCode(decisionPoint().decide(get))).isEqualTo("not_post");
  }

  private static HopRequest withHeaders(HopRequest r, Map<String, String> headers) {
    return new HopRequest(
        headers,
        r.contextExtensions(),
        r.method(),
        r.path(),
        r.sourcePrincipal(),
        r.requestId(),
        r.requestTime(),
        r.body(),
        r.bodyNotUtf8(),
        r.bodyAsText(),
        r.boundComponents(),
        r.destinationPrincipal());
  }

  @Test
  void decide_aToolTheRouteDoesNotMap_isDeniedOnceTheFloorHolds() {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"drop_db\"}}";

    Decision d = decisionPoint().decide(withBody(firstHop(named(MCP)), call));

    assertThat(firstCode(d)).isEqualTo("tool_unmapped");
    assertThat(d.txn()).isEqualTo(f.txn);
    assertThat(d.about().mcp().call().rawId()).isEqualTo("7");
    assertThat(d.about().mcp().call().tool()).isEqualTo("drop_db");
  }

  @Test
  void decide_aMappedToolCall_isDecidedAsItsStep() {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"plan_order\"}}";

    Decision d = decisionPoint().decide(withBody(firstHop(named(MCP)), call));

    assertThat(d.outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(d.about().step()).isEqualTo(PLAN);
  }

  @Test
  void decide_aSessionMethodOnARouteThatTakesOnlyToolCalls_isRefused() {
    String ping = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";

    Decision d = decisionPoint().decide(withBody(firstHop(named(MCP_TOOLS_ONLY)), ping));

    assertThat(firstCode(d)).isEqualTo("route_unconfigured");
    assertThat(d.about().mcp().call().method()).isEqualTo("ping");
  }

  @Test
  void decide_toolsList_isAllowedWithTheToolsTheChainCouldCall_andNamesNoStep() {
    String list = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}";

    Decision d = decisionPoint().decide(withBody(firstHop(named(MCP_TWO_TOOLS)), list));

    assertThat(d.outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(d.about().step()).isNull();
    assertThat(d.about().mcp().kept())
        .isEqualTo(new ListFilter.Kept(McpListing.TOOLS, Set.of("plan_order")));
    assertThat(d.upstreamHeaders()).isEmpty();
  }

  private static PreparedPolicy policy(Evaluation evaluation) {
    return new PreparedPolicy() {
      @Override
      public String engine() {
        return "test";
      }

      @Override
      public String revision() {
        return "sha256:test";
      }

      @Override
      public EngineDecision evaluate(InputDocument input) throws EvaluationException {
        return evaluation.evaluate(input);
      }
    };
  }

  private interface Evaluation {
    EngineDecision evaluate(InputDocument input) throws EvaluationException;
  }
}
