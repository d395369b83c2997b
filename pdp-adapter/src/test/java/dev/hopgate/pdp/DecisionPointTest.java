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
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.wire.WireTypes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
    return new DecisionPoint(
        f.floor(),
        new PolicySnapshot(policy, f.manifests, ProcessRegistry.of(List.of())),
        new OneTimeTokens(
            new InMemoryStateStore(1000), Duration.ofSeconds(1), Duration.ofSeconds(30)),
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
    return Map.of(Route.COMPONENT, component, Route.STEP, step);
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
        null);
  }

  private static Map<String, String> mcpRoute(String... extra) {
    Map<String, String> ext = new HashMap<>();
    ext.put(Route.COMPONENT, AGENT);
    ext.put("protocol", "mcp");
    ext.put("tool:plan_order", PLAN);
    for (int i = 0; i < extra.length; i += 2) {
      ext.put(extra[i], extra[i + 1]);
    }
    return ext;
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

  @Test
  void decide_refusesARouteThatNamesNoStep() {
    Decision d = decisionPoint().decide(firstHop(Map.of(Route.COMPONENT, AGENT)));

    assertThat(firstCode(d)).isEqualTo("route_unconfigured");
    assertThat(d.problem().detail()).contains("component and step");
    assertThat(d.about().route()).isNotNull();
  }

  @Test
  void decide_refusesAnExtensionWithAWrongValue_namingIt() {
    Map<String, String> ext = new HashMap<>(route(AGENT, PLAN));
    ext.put(Route.REQUIRE_CALLER, "yes");

    Decision d = decisionPoint().decide(firstHop(ext));

    assertThat(firstCode(d)).isEqualTo("route_unconfigured");
    assertThat(d.problem().detail()).contains("'require_caller' is 'yes'");
    // Still answered in the route's shape: plain HTTP here, the whole problem.
    assertThat(d.about().route().mcp()).isNull();
    assertThat(d.about().disclosure()).isEqualTo(DisclosureLevel.FULL);
  }

  @Test
  void decide_aDenialBeforeTheRouteReads_isShapedByTheSettingsThatRead() {
    Map<String, String> ext = mcpRoute("disclosure", "undisclosed", Route.REQUIRE_CALLER, "yes");

    Decision unconfigured = decisionPoint().decide(firstHop(ext));
    Decision unbound =
        decisionPoint().decide(firstHop(ext).askedBy(Set.of(ChainFixture.INVENTORY)));

    for (Decision d : List.of(unconfigured, unbound)) {
      assertThat(d.about().route().mcp()).isNotNull();
      assertThat(d.about().disclosure()).isEqualTo(DisclosureLevel.UNDISCLOSED);
    }
    assertThat(firstCode(unconfigured)).isEqualTo("route_unconfigured");
    assertThat(firstCode(unbound)).isEqualTo("caller_not_bound");
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
    Decision d = decisionPoint().decide(withBody(firstHop(mcpRoute()), "{\"jsonrpc\":"));

    assertThat(d.violations()).extracting(Violation::gate).containsExactly(Gate.REQUEST);
    assertThat(d.problem().status()).isEqualTo(400);
    assertThat(d.about().mcp()).isEqualTo(McpFacts.UNREAD);
  }

  @Test
  void decide_anMcpBodyEnvoySentAsText_isRefused_namingTheEnvoySetting() {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"plan_order\"}}";

    Decision d = decisionPoint().decide(withBody(firstHop(mcpRoute()), call, true));

    assertThat(firstCode(d)).isEqualTo("body_not_bytes");
    assertThat(d.problem().status()).isEqualTo(400);
    assertThat(d.problem().detail()).contains("pack_as_bytes");
  }

  @Test
  void decide_anMcpRequestThatIsNotPostOrNotUtf8Json_isRefused() {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"plan_order\"}}";
    HopRequest post = withBody(firstHop(mcpRoute()), call);
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
        r.boundComponents());
  }

  @Test
  void decide_aToolTheRouteDoesNotMap_isDeniedOnceTheFloorHolds() {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"drop_db\"}}";

    Decision d = decisionPoint().decide(withBody(firstHop(mcpRoute()), call));

    assertThat(firstCode(d)).isEqualTo("tool_unmapped");
    assertThat(d.txn()).isEqualTo(f.txn);
    assertThat(d.about().mcp().call().rawId()).isEqualTo("7");
    assertThat(d.about().mcp().call().tool()).isEqualTo("drop_db");
  }

  @Test
  void decide_aMappedToolCall_isDecidedAsItsStep() {
    String call =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"plan_order\"}}";

    Decision d = decisionPoint().decide(withBody(firstHop(mcpRoute()), call));

    assertThat(d.outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(d.about().step()).isEqualTo(PLAN);
  }

  @Test
  void decide_aSessionMethodOnARouteThatTakesOnlyToolCalls_isRefused() {
    String ping = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}";

    Decision d =
        decisionPoint().decide(withBody(firstHop(mcpRoute("mcp_session_methods", "deny")), ping));

    assertThat(firstCode(d)).isEqualTo("route_unconfigured");
    assertThat(d.about().mcp().call().method()).isEqualTo("ping");
  }

  @Test
  void decide_toolsList_isAllowedWithTheToolsTheChainCouldCall_andNamesNoStep() {
    String list = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}";

    Decision d =
        decisionPoint().decide(withBody(firstHop(mcpRoute("tool:reserve_stock", RESERVE)), list));

    assertThat(d.outcome()).isEqualTo(Outcome.ALLOW);
    assertThat(d.about().step()).isNull();
    assertThat(d.about().mcp().visibleTools()).containsExactly("plan_order");
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
