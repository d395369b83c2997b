package dev.hopgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.Code;
import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.route.RouteBinding;
import dev.hopgate.pdp.route.RouteTable;
import dev.hopgate.pdp.route.TestRoutes;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.state.OneTimeTokens;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Check service over a real gRPC stack (in-process transport), the shipped Cedar policies. */
class AuthorizationServiceTest {
  private static final String INVENTORY = ChainFixture.INVENTORY;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ChainFixture mesh = new ChainFixture();
  private Server server;
  private ManagedChannel channel;
  private AuthorizationGrpc.AuthorizationBlockingStub stub;
  private Supplier<DecisionPoint> decisionPoint;

  @BeforeEach
  void setUp() throws Exception {
    DecisionPoint real =
        new DecisionPoint(
            mesh.floor(),
            new PolicySnapshot(
                new CedarEngine().prepare(Path.of("..", "policies", "cedar")),
                mesh.manifests,
                ProcessRegistry.of(List.of()),
                routes()),
            new OneTimeTokens(
                new InMemoryStateStore(1_000_000), Duration.ofSeconds(1), Duration.ofSeconds(30)),
            null,
            DecisionSink.NONE,
            mesh.clock,
            "https://tokens.shop.example/token",
            LedgerView.Lookup.NONE);
    decisionPoint = () -> real;
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(
                new AuthorizationService(
                    () -> decisionPoint.get(),
                    new DecisionMetadata(
                        DecisionAuthenticator.generated(),
                        mesh.clock,
                        java.time.Duration.ofMinutes(5),
                        java.time.Duration.ZERO),
                    (decision, nanos) -> {}))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    stub = AuthorizationGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void tearDown() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void check_allowsAValidHopAndStripsTheToken() {
    CheckResponse response =
        stub.check(request("Bearer " + token(INVENTORY), "urn:shop:step:reserve-stock"));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(headers(response.getOkResponse().getHeadersList()))
        .containsKey("hopgate-decision-id");
    assertThat(response.getOkResponse().getHeadersToRemoveList()).containsExactly("authorization");
    assertThat(response.getDynamicMetadata().getFieldsMap().get("outcome").getStringValue())
        .isEqualTo("ALLOW");
  }

  /**
   * A Check whose gRPC deadline leaves no more than the margin is answered TIMEOUT
   * (deadline_exceeded) by hopgate, on time, rather than decided for a caller that is gone.
   */
  @Test
  void check_withNoTimeLeftBeyondTheMargin_isATimeoutAnsweredBeforeTheDeadline() throws Exception {
    String name = InProcessServerBuilder.generateName();
    try (CheckWorkers workers = CheckWorkers.of(2, 4, java.time.Duration.ofSeconds(5))) {
      Server timed =
          InProcessServerBuilder.forName(name)
              .addService(
                  new AuthorizationService(
                      () -> decisionPoint.get(),
                      new DecisionMetadata(
                          DecisionAuthenticator.generated(),
                          mesh.clock,
                          java.time.Duration.ofMinutes(5),
                          java.time.Duration.ZERO),
                      (decision, nanos) -> {},
                      workers,
                      dev.hopgate.server.telemetry.CheckSpans.OFF))
              .build()
              .start();
      ManagedChannel to = InProcessChannelBuilder.forName(name).build();
      try {
        CheckResponse response =
            AuthorizationGrpc.newBlockingStub(to)
                .withDeadlineAfter(5, java.util.concurrent.TimeUnit.SECONDS)
                .check(request("Bearer " + token(INVENTORY), "urn:shop:step:reserve-stock"));

        assertThat(response.getStatus().getCode()).isNotEqualTo(Code.OK_VALUE);
        assertThat(response.getDynamicMetadata().getFieldsMap().get("outcome").getStringValue())
            .isEqualTo("TIMEOUT");
        assertThat(
                JSON.readTree(response.getDeniedResponse().getBody())
                    .at("/violations/0/code")
                    .asText())
            .isEqualTo("deadline_exceeded");
      } finally {
        to.shutdownNow();
        timed.shutdownNow();
      }
    }
  }

  @Test
  void check_deniesAMissingTokenWith401ProblemAndChallenge() throws Exception {
    CheckResponse response = stub.check(request(null, "urn:shop:step:reserve-stock"));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.UNAUTHENTICATED_VALUE);
    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    Map<String, String> headers = headers(response.getDeniedResponse().getHeadersList());
    assertThat(headers)
        .containsEntry("content-type", "application/problem+json")
        .containsEntry("www-authenticate", "Bearer realm=\"hopgate\"");
    JsonNode problem = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(problem.get("type").asText()).isEqualTo("urn:hopgate:problem:token");
    assertThat(problem.get("status").asInt()).isEqualTo(401);
    assertThat(problem.get("decision_id").asText()).isEqualTo(headers.get("hopgate-decision-id"));
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("token_missing");
    assertThat(problem.at("/repair/0/action").asText()).isEqualTo("refresh_token");
    assertThat(problem.at("/repair/0/issuer").asText())
        .isEqualTo("https://tokens.shop.example/token");
  }

  @Test
  void check_deniesATokenForAnotherComponentWithInvalidTokenChallenge() throws Exception {
    CheckResponse response =
        stub.check(
            request(
                "Bearer " + token("spiffe://shop.example/payments"),
                "urn:shop:step:reserve-stock"));

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    assertThat(headers(response.getDeniedResponse().getHeadersList()).get("www-authenticate"))
        .startsWith(
            "Bearer realm=\"hopgate\", error=\"invalid_token\", error_description=\"The hop token is for");
    assertThat(
            JSON.readTree(response.getDeniedResponse().getBody()).at("/violations/0/code").asText())
        .isEqualTo("token_audience");
  }

  @Test
  void check_deniesAPolicyViolationWith403Problem() throws Exception {
    CheckResponse response =
        stub.check(request("Bearer " + token(INVENTORY), "urn:ops:step:drop-production-database"));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(headers(response.getDeniedResponse().getHeadersList()))
        .doesNotContainKey("www-authenticate");
    JsonNode problem = JSON.readTree(response.getDeniedResponse().getBody());
    // The inventory's manifest does not perform the step, and with no declared intent the
    // implicit intent (its performs) does not include it either: two gates, in gate order.
    assertThat(problem.get("type").asText()).isEqualTo("urn:hopgate:problem:capability");
    assertThat(problem.get("txn").asText()).isEqualTo(mesh.txn);
    assertThat(problem.at("/violations/0/gate").asText()).isEqualTo("capability");
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("not_performed");
    assertThat(problem.at("/violations/0/component").asText()).isEqualTo(INVENTORY);
    assertThat(problem.at("/violations/1/gate").asText()).isEqualTo("scope");
    assertThat(problem.at("/violations/1/code").asText()).isEqualTo("step_not_in_intent");
    assertThat(problem.at("/repair/0/action").asText()).isEqualTo("declare_intent");
    // The same document in Envoy's dynamic metadata, for access logs.
    var md =
        response.getDynamicMetadata().getFieldsMap().get("problem").getStructValue().getFieldsMap();
    assertThat(md.get("decision_id").getStringValue())
        .isEqualTo(problem.get("decision_id").asText());
    assertThat(md.get("violations").getListValue().getValuesCount()).isEqualTo(2);
  }

  @Test
  void check_deniesAMissingOriginTokenWith401() throws Exception {
    CheckRequest full = request("Bearer " + token(INVENTORY), "urn:shop:step:reserve-stock");
    CheckRequest request =
        full.toBuilder()
            .setAttributes(
                full.getAttributes().toBuilder()
                    .setRequest(
                        full.getAttributes().getRequest().toBuilder()
                            .setHttp(
                                full.getAttributes().getRequest().getHttp().toBuilder()
                                    .removeHeaders("txn-token"))))
            .build();
    CheckResponse response = stub.check(request);

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    JsonNode problem = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(problem.at("/violations/0/gate").asText()).isEqualTo("identity");
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("origin_missing");
    assertThat(problem.at("/repair/0/action").asText()).isEqualTo("reauthenticate");
    assertThat(headers(response.getDeniedResponse().getHeadersList()).get("www-authenticate"))
        .startsWith("Bearer realm=\"hopgate\", error=\"invalid_request\"");
  }

  @Test
  void check_abortsWhenTheCallerIsNotTheOriginWorkload() throws Exception {
    CheckRequest full = request("Bearer " + token(INVENTORY), "urn:shop:step:reserve-stock");
    CheckRequest request =
        full.toBuilder()
            .setAttributes(
                full.getAttributes().toBuilder()
                    .setSource(
                        AttributeContext.Peer.newBuilder()
                            .setPrincipal("spiffe://shop.example/rogue")))
            .build();
    CheckResponse response = stub.check(request);

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(
            JSON.readTree(response.getDeniedResponse().getBody()).at("/violations/0/code").asText())
        .isEqualTo("chain_caller");
    assertThat(response.getDynamicMetadata().getFieldsMap().get("outcome").getStringValue())
        .isEqualTo("ABORT");
  }

  @Test
  void check_deniesARequestThatNamesNoRoute_fromAnEnvoyOfNoKnownComponents() throws Exception {
    CheckRequest request =
        request("Bearer " + token(INVENTORY), "x").toBuilder()
            .setAttributes(
                request("Bearer " + token(INVENTORY), "x").getAttributes().toBuilder()
                    .clearContextExtensions())
            .build();
    CheckResponse response = stub.check(request);

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    assertThat(
            JSON.readTree(response.getDeniedResponse().getBody()).at("/violations/0/code").asText())
        .isEqualTo("route_unnamed");
  }

  @Test
  void check_failsClosedWithAProblemBodyWhenHopgateItselfBreaks() throws Exception {
    decisionPoint =
        () -> {
          throw new IllegalStateException("secret internals at dev.hopgate.Foo.bar(Foo.java:1)");
        };
    CheckResponse response =
        stub.check(request("Bearer " + token(INVENTORY), "urn:shop:step:reserve-stock"));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    String body = response.getDeniedResponse().getBody();
    assertThat(JSON.readTree(body).at("/violations/0/code").asText()).isEqualTo("internal_error");
    assertThat(body).doesNotContain("secret internals").doesNotContain("Foo.java");
  }

  @Test
  void mcp_allowsAMappedToolCallAsItsStep() {
    CheckResponse response =
        stub.check(mcp("Bearer " + token(INVENTORY), toolCall(7, "reserve"), "mcp"));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    var md = response.getDynamicMetadata().getFieldsMap();
    assertThat(md.get("step").getStringValue()).isEqualTo(ChainFixture.RESERVE);
    assertThat(md.get("mcp_tool").getStringValue()).isEqualTo("reserve");
    assertThat(md.get("jsonrpc_id").getStringValue()).isEqualTo("7");
  }

  @Test
  void mcp_deniesAToolCallAsAToolErrorCarryingTheDenialEnvelope_withHttp200() throws Exception {
    CheckResponse response =
        stub.check(mcp("Bearer " + token(INVENTORY), toolCall("q-1", "drop"), "mcp"));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(200);
    assertThat(headers(response.getDeniedResponse().getHeadersList()))
        .containsEntry("content-type", "application/json")
        .doesNotContainKey("www-authenticate");
    JsonNode body = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(body.get("id").asText()).isEqualTo("q-1");
    assertThat(body.has("error")).isFalse();
    assertThat(body.at("/result/isError").asBoolean()).isTrue();
    assertThat(body.at("/result/_meta/dev.hopgate~1problem/violations/0/code").asText())
        .isEqualTo("not_performed");
    assertThat(body.at("/result/_meta/io.modelcontextprotocol~1authorization/reason").asText())
        .isEqualTo("insufficient_authorization");
    assertThat(body.at("/result/_meta/io.modelcontextprotocol~1authorization/remediation").asText())
        .isEqualTo("available");
    assertThat(
            body.at("/result/_meta/io.modelcontextprotocol~1authorization/remediationHints/0/type")
                .asText())
        .isEqualTo("dev.hopgate/declare_intent");
    assertThat(
            body.at("/result/_meta/io.modelcontextprotocol~1authorization/authorizationContextId")
                .asText())
        .isEqualTo(
            headers(response.getDeniedResponse().getHeadersList()).get("hopgate-decision-id"));
  }

  @Test
  void mcp_deniesAToolTheRouteDoesNotMap() throws Exception {
    CheckResponse response =
        stub.check(mcp("Bearer " + token(INVENTORY), toolCall(3, "reserve_all"), "mcp"));

    JsonNode body = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(body.get("id").asInt()).isEqualTo(3);
    assertThat(body.at("/result/_meta/dev.hopgate~1problem/violations/0/gate").asText())
        .isEqualTo("scope");
    assertThat(body.at("/result/_meta/dev.hopgate~1problem/violations/0/code").asText())
        .isEqualTo("tool_unmapped");
    assertThat(body.at("/result/_meta/dev.hopgate~1problem/violations/0/tool").asText())
        .isEqualTo("reserve_all");
  }

  @Test
  void mcp_sessionMethodsNeedOnlyAValidHopTokenAndNameNoStep() {
    CheckResponse response =
        stub.check(
            mcp(
                "Bearer " + token(INVENTORY),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "mcp"));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    // No step: ext_proc mints no completion for it.
    assertThat(response.getDynamicMetadata().getFieldsMap())
        .doesNotContainKey("step")
        .containsKey("mcp_method");
    // What ext_proc cuts the list down to: 'drop' fails the capability gate.
    assertThat(response.getDynamicMetadata().getFieldsMap().get("mcp_list_kept").getStringValue())
        .isEqualTo("{\"list\":\"tools/list\",\"keep\":[\"reserve\"]}");
  }

  @Test
  void mcp_sessionMethodsCanBeRefusedByTheRoute() throws Exception {
    CheckResponse response =
        stub.check(
            mcp(
                "Bearer " + token(INVENTORY),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}",
                "mcp-tools-only"));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(
            JSON.readTree(response.getDeniedResponse().getBody())
                .at("/error/data/problem/violations/0/code")
                .asText())
        .isEqualTo("route_unconfigured");
  }

  @Test
  void mcp_aRefusedNotificationIs403ForItHasNoResponseToCarryAnError() {
    CheckResponse response =
        stub.check(
            mcp(
                "Bearer " + token(INVENTORY),
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}",
                "mcp-tools-only"));

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
  }

  @Test
  void mcp_aOnceTokenServesTheSessionAndIsSpentOnlyByAnAllowedToolCall() {
    String once = "Bearer " + mesh.hopOnce(INVENTORY, "jti-mcp-once");
    String list = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}";

    assertThat(stub.check(mcp(once, list, "mcp")).getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(stub.check(mcp(once, list, "mcp")).getStatus().getCode()).isEqualTo(Code.OK_VALUE);
    assertThat(stub.check(mcp(once, toolCall(2, "drop"), "mcp")).getStatus().getCode())
        .as("a denied call spends nothing")
        .isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(stub.check(mcp(once, toolCall(3, "reserve"), "mcp")).getStatus().getCode())
        .isEqualTo(Code.OK_VALUE);
    CheckResponse again = stub.check(mcp(once, toolCall(4, "reserve"), "mcp"));
    assertThat(again.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    assertThat(again.getDynamicMetadata().getFieldsMap().get("code").getStringValue())
        .isEqualTo("token_consumed");
  }

  @Test
  void mcp_tokenProblemsStay401WithTheirChallenge() throws Exception {
    CheckResponse response = stub.check(mcp(null, toolCall(1, "reserve"), "mcp"));

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(401);
    Map<String, String> headers = headers(response.getDeniedResponse().getHeadersList());
    assertThat(headers)
        .containsEntry("content-type", "application/problem+json")
        .containsEntry("www-authenticate", "Bearer realm=\"hopgate\"");
  }

  @Test
  void mcp_unreadableBodyIs400WithJsonRpcsOwnCodeAndNullId() throws Exception {
    CheckResponse response =
        stub.check(
            mcp(
                "Bearer " + token(INVENTORY),
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"reserve\",\"name\":\"drop\"}}",
                "mcp"));

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(400);
    JsonNode body = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(body.get("id").isNull()).isTrue();
    assertThat(body.at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(body.at("/error/data/problem/violations/0/gate").asText()).isEqualTo("request");
    assertThat(body.at("/error/data/problem/violations/0/code").asText())
        .isEqualTo("duplicate_key");
  }

  @Test
  void mcp_bodyPackedAsBytesIsReadWhenUtf8AndRefusedWhenNot() throws Exception {
    CheckRequest text = mcp("Bearer " + token(INVENTORY), toolCall(1, "reserve"), "mcp");
    CheckRequest packed =
        text.toBuilder()
            .setAttributes(
                text.getAttributes().toBuilder()
                    .setRequest(
                        text.getAttributes().getRequest().toBuilder()
                            .setHttp(
                                text.getAttributes().getRequest().getHttp().toBuilder()
                                    .clearBody()
                                    .setRawBody(
                                        com.google.protobuf.ByteString.copyFromUtf8(
                                            toolCall(1, "reserve"))))))
            .build();
    assertThat(stub.check(packed).getStatus().getCode()).isEqualTo(Code.OK_VALUE);

    byte[] bytes = toolCall(1, "reserve").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    bytes[bytes.length - 5] = (byte) 0xFF;
    CheckRequest broken =
        packed.toBuilder()
            .setAttributes(
                packed.getAttributes().toBuilder()
                    .setRequest(
                        packed.getAttributes().getRequest().toBuilder()
                            .setHttp(
                                packed.getAttributes().getRequest().getHttp().toBuilder()
                                    .setRawBody(com.google.protobuf.ByteString.copyFrom(bytes)))))
            .build();
    CheckResponse response = stub.check(broken);

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(400);
    JsonNode body = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(body.at("/error/code").asInt()).isEqualTo(-32700);
    assertThat(body.at("/error/data/problem/violations/0/code").asText()).isEqualTo("not_utf8");
  }

  @Test
  void mcp_denialStatusAndCodeAreTheRoutesChoice() throws Exception {
    CheckResponse response =
        stub.check(mcp("Bearer " + token(INVENTORY), toolCall(1, "drop"), "mcp-403"));

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(403);
    JsonNode body = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(body.at("/error/code").asInt()).isEqualTo(-32010);
    // The SEP's earlier drafts: the same envelope, in error.data.
    assertThat(body.at("/error/data/authorization/reason").asText())
        .isEqualTo("insufficient_authorization");
    assertThat(body.at("/error/data/problem/violations/0/code").asText())
        .isEqualTo("not_performed");
  }

  @Test
  void mcp_minimalDisclosureNamesGateAndCodeButNoStepOrComponent() throws Exception {
    CheckResponse response =
        stub.check(mcp("Bearer " + token(INVENTORY), toolCall(1, "drop"), "mcp-minimal"));

    String body = response.getDeniedResponse().getBody();
    assertThat(
            JSON.readTree(body).at("/result/_meta/dev.hopgate~1problem/violations/0/code").asText())
        .isEqualTo("not_performed");
    assertThat(
            JSON.readTree(body)
                .at("/result/_meta/io.modelcontextprotocol~1authorization/remediationHints/0/type")
                .asText())
        .isEqualTo("dev.hopgate/declare_intent");
    assertThat(body).doesNotContain("drop-production-database").doesNotContain(INVENTORY);
    // The access log (dynamic metadata) keeps the whole problem.
    assertThat(response.getDynamicMetadata().getFieldsMap().get("problem").toString())
        .contains(INVENTORY);
  }

  @Test
  void mcp_undisclosedDenialIsGenericWithTheDecisionId() throws Exception {
    CheckResponse response =
        stub.check(mcp("Bearer " + token(INVENTORY), toolCall(1, "drop"), "mcp-undisclosed"));

    JsonNode body = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(body.at("/result/_meta/dev.hopgate~1problem/type").asText())
        .isEqualTo("urn:hopgate:problem:denied");
    assertThat(body.at("/result/_meta/io.modelcontextprotocol~1authorization/remediation").asText())
        .isEqualTo("undisclosed");
    assertThat(
            body.at("/result/_meta/io.modelcontextprotocol~1authorization").has("remediationHints"))
        .isFalse();
    assertThat(body.toString()).doesNotContain("capability").doesNotContain("drop");
    assertThat(
            body.at("/result/_meta/io.modelcontextprotocol~1authorization/authorizationContextId")
                .asText())
        .isEqualTo(
            headers(response.getDeniedResponse().getHeadersList()).get("hopgate-decision-id"));
  }

  @Test
  void mcp_tokenChallengeNamesTheResourceMetadata() {
    CheckResponse response = stub.check(mcp(null, toolCall(1, "reserve"), "mcp-metadata"));

    assertThat(headers(response.getDeniedResponse().getHeadersList()).get("www-authenticate"))
        .isEqualTo(
            "Bearer realm=\"hopgate\", resource_metadata=\"https://tools.shop.example/.well-known/oauth-protected-resource\"");
  }

  @Test
  void mcp_aGetIsAnswered405WithAllowPost_asAnMcpEndpointDoes() throws Exception {
    CheckRequest post = mcp("Bearer " + token(INVENTORY), toolCall(1, "reserve"), "mcp");
    AttributeContext.Builder attributes = post.getAttributes().toBuilder();
    attributes.getRequestBuilder().getHttpBuilder().setMethod("GET");
    CheckResponse response = stub.check(post.toBuilder().setAttributes(attributes).build());

    assertThat(response.getDeniedResponse().getStatus().getCodeValue()).isEqualTo(405);
    assertThat(response.getDeniedResponse().getHeadersList())
        .anySatisfy(
            h -> {
              assertThat(h.getHeader().getKey()).isEqualTo("allow");
              assertThat(h.getHeader().getValue()).isEqualTo("POST");
            });
    assertThat(
            JSON.readTree(response.getDeniedResponse().getBody())
                .at("/error/data/problem/violations/0/code")
                .asText())
        .isEqualTo("not_post");
  }

  @Test
  void aSettingLeftInTheContextExtensionsIsRefused() throws Exception {
    CheckResponse response =
        stub.check(
            mcp(
                "Bearer " + token(INVENTORY),
                toolCall(1, "reserve"),
                "mcp",
                Map.of("disclosure", "some")));

    assertThat(response.getStatus().getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(
            JSON.readTree(response.getDeniedResponse().getBody())
                .at("/error/data/problem/detail")
                .asText())
        .contains("'disclosure' is not read");
  }

  private static String toolCall(Object id, String tool) {
    String rawId = id instanceof String s ? "\"" + s + "\"" : id.toString();
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + rawId
        + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
        + tool
        + "\",\"arguments\":{}}}";
  }

  /**
   * An MCP route: one endpoint, the tool map in the route table ({@link #routes}), the body
   * forwarded.
   */
  private CheckRequest mcp(String authorization, String body, String route) {
    return mcp(authorization, body, route, Map.of());
  }

  private CheckRequest mcp(
      String authorization, String body, String route, Map<String, String> more) {
    CheckRequest base = request(authorization, "unused");
    AttributeContext.Builder attributes =
        base.getAttributes().toBuilder()
            .clearContextExtensions()
            .putContextExtensions(Route.EXTENSION, route)
            .putAllContextExtensions(more);
    attributes
        .getRequestBuilder()
        .getHttpBuilder()
        .setPath("/mcp")
        .setMethod("POST")
        .putHeaders("content-type", "application/json")
        .setRawBody(com.google.protobuf.ByteString.copyFromUtf8(body));
    return base.toBuilder().setAttributes(attributes).build();
  }

  /**
   * A hop token with an implicit intent (no process declared), as the fixture's token service signs
   * it.
   */
  /**
   * A traced Check hangs under the trace context Envoy sent with the gRPC call when there is one,
   * else under the request's; its stages are its children; its attributes name the decision and
   * never carry a token.
   */
  @Test
  void tracedCheck_isAChildOfItsCallersSpan_withItsStagesUnderIt() throws Exception {
    var spans = io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter.create();
    try (var tracing =
        io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
            .addSpanProcessor(io.opentelemetry.sdk.trace.export.SimpleSpanProcessor.create(spans))
            .build()) {
      var checkSpans =
          dev.hopgate.server.telemetry.CheckSpans.with(tracing.get(DecisionPoint.TRACER));
      DecisionPoint traced = checkSpans.traced(decisionPoint.get());
      String name = InProcessServerBuilder.generateName();
      Server tracedServer =
          InProcessServerBuilder.forName(name)
              .addService(
                  io.grpc.ServerInterceptors.intercept(
                      new AuthorizationService(
                          () -> traced,
                          new DecisionMetadata(
                              DecisionAuthenticator.generated(),
                              mesh.clock,
                              java.time.Duration.ofMinutes(5),
                              java.time.Duration.ZERO),
                          (decision, nanos) -> {},
                          CheckWorkers.INLINE,
                          checkSpans),
                      new dev.hopgate.server.telemetry.TraceParents()))
              .build()
              .start();
      ManagedChannel tracedChannel = InProcessChannelBuilder.forName(name).build();
      try {
        String callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
        String callerSpan = "00f067aa0ba902b7";
        String hopToken = token(INVENTORY);
        CheckRequest fromCaller =
            withHeader(
                request("Bearer " + hopToken, "urn:shop:step:reserve-stock"),
                "traceparent",
                "00-" + callerTrace + "-" + callerSpan + "-01");
        CheckResponse allowed = AuthorizationGrpc.newBlockingStub(tracedChannel).check(fromCaller);
        assertThat(allowed.getStatus().getCode()).isEqualTo(Code.OK_VALUE);

        // The Check's span ends just after its answer went out: wait for it.
        var finished =
            dev.hopgate.testing.Eventually.until(
                "the allowed Check's span ended",
                spans::getFinishedSpanItems,
                items -> items.stream().anyMatch(s -> s.getName().endsWith("Authorization/Check")));
        var check =
            finished.stream()
                .filter(s -> s.getName().endsWith("Authorization/Check"))
                .findFirst()
                .orElseThrow();
        assertThat(check.getTraceId()).isEqualTo(callerTrace);
        assertThat(check.getParentSpanId()).isEqualTo(callerSpan);
        assertThat(check.getKind()).isEqualTo(io.opentelemetry.api.trace.SpanKind.SERVER);
        assertThat(check.getAttributes().get(dev.hopgate.server.telemetry.CheckSpans.OUTCOME))
            .isEqualTo("ALLOW");
        assertThat(check.getAttributes().get(dev.hopgate.server.telemetry.CheckSpans.DECISION_ID))
            .isEqualTo(
                headers(allowed.getOkResponse().getHeadersList()).get("hopgate-decision-id"));
        assertThat(
                finished.stream()
                    .filter(s -> s.getParentSpanId().equals(check.getSpanId()))
                    .map(s -> s.getName()))
            .contains(
                "hopgate.floor",
                "hopgate.state.observe",
                "hopgate.evaluate",
                "hopgate.state.reserve");
        assertThat(finished.toString()).doesNotContain(hopToken).doesNotContain("Bearer");

        // Envoy's own span for the call (gRPC metadata) is the parent when it sent one.
        spans.reset();
        String envoySpan = "b7ad6b7169203331";
        io.grpc.Metadata md = new io.grpc.Metadata();
        md.put(
            io.grpc.Metadata.Key.of("traceparent", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
            "00-" + callerTrace + "-" + envoySpan + "-01");
        CheckResponse denied =
            AuthorizationGrpc.newBlockingStub(tracedChannel)
                .withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(md))
                .check(
                    withHeader(
                        request(
                            "Bearer " + token(INVENTORY), "urn:ops:step:drop-production-database"),
                        "traceparent",
                        "00-" + callerTrace + "-" + callerSpan + "-01"));
        assertThat(denied.getStatus().getCode()).isNotEqualTo(Code.OK_VALUE);
        var deniedCheck =
            dev.hopgate.testing.Eventually.until(
                    "the denied Check's span ended",
                    spans::getFinishedSpanItems,
                    items ->
                        items.stream().anyMatch(s -> s.getName().endsWith("Authorization/Check")))
                .stream()
                .filter(s -> s.getName().endsWith("Authorization/Check"))
                .findFirst()
                .orElseThrow();
        assertThat(deniedCheck.getParentSpanId()).isEqualTo(envoySpan);
        assertThat(deniedCheck.getAttributes().get(dev.hopgate.server.telemetry.CheckSpans.OUTCOME))
            .isEqualTo("DENY");
        assertThat(deniedCheck.getAttributes().get(dev.hopgate.server.telemetry.CheckSpans.CODE))
            .isNotBlank();

        // An untraced decision point (tracing off) records nothing at all.
        spans.reset();
        stub.check(request("Bearer " + token(INVENTORY), "urn:shop:step:reserve-stock"));
        assertThat(spans.getFinishedSpanItems()).isEmpty();
      } finally {
        tracedChannel.shutdownNow();
        tracedServer.shutdownNow();
      }
    }
  }

  private static CheckRequest withHeader(CheckRequest request, String name, String value) {
    CheckRequest.Builder b = request.toBuilder();
    b.getAttributesBuilder().getRequestBuilder().getHttpBuilder().putHeaders(name, value);
    return b.build();
  }

  private String token(String audience) {
    return mesh.hop(audience, "alice@shop.example", mesh.txn, null);
  }

  @Test
  void aPolicyMayDiscloseLessThanItsRoute_neverMore(@org.junit.jupiter.api.io.TempDir Path policies)
      throws Exception {
    java.nio.file.Files.copy(
        Path.of("..", "policies", "cedar", "hopgate.cedarschema"),
        policies.resolve("hopgate.cedarschema"));
    java.nio.file.Files.writeString(
        policies.resolve("gates.cedar"),
        java.nio.file.Files.readString(Path.of("..", "policies", "cedar", "gates.cedar"))
            .replace(
                "@code(\"not_performed\")", "@code(\"not_performed\")\n@disclosure(\"minimal\")"));
    DecisionPoint quiet =
        new DecisionPoint(
            mesh.floor(),
            new PolicySnapshot(
                new CedarEngine().prepare(policies),
                mesh.manifests,
                ProcessRegistry.of(List.of()),
                routes()),
            new OneTimeTokens(
                new InMemoryStateStore(1_000_000), Duration.ofSeconds(1), Duration.ofSeconds(30)),
            null,
            DecisionSink.NONE,
            mesh.clock,
            "https://tokens.shop.example/token",
            LedgerView.Lookup.NONE);
    decisionPoint = () -> quiet;

    // The route says full; the denying policy asks for minimal: gate and code, no step, no
    // component.
    CheckResponse response =
        stub.check(request("Bearer " + token(INVENTORY), "urn:ops:step:drop-production-database"));
    JsonNode problem = JSON.readTree(response.getDeniedResponse().getBody());
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("not_performed");
    assertThat(problem.toString())
        .doesNotContain("drop-production-database")
        .doesNotContain(INVENTORY);
    // The access log keeps everything.
    assertThat(response.getDynamicMetadata().getFieldsMap().get("problem").toString())
        .contains(INVENTORY);

    // The route says undisclosed: the policy's minimal cannot loosen it.
    JsonNode undisclosed =
        JSON.readTree(
            stub.check(mcp("Bearer " + token(INVENTORY), toolCall(1, "drop"), "mcp-undisclosed"))
                .getDeniedResponse()
                .getBody());
    assertThat(
            undisclosed
                .at("/result/_meta/io.modelcontextprotocol~1authorization/remediation")
                .asText())
        .isEqualTo("undisclosed");
  }

  /** A route per component and step, and the MCP routes of these tests (all of inventory). */
  private RouteTable routes() {
    Map<String, String> tools =
        Map.of("reserve", ChainFixture.RESERVE, "drop", "urn:ops:step:drop-production-database");
    Map<String, String> none = Map.of();
    McpRoute plain = McpRoute.of(tools, none, none, none, null, null, null, null);
    return TestRoutes.everyStep(
        mesh.manifests,
        List.of(
            mcpRoute("mcp", plain, DisclosureLevel.FULL),
            mcpRoute(
                "mcp-tools-only",
                McpRoute.of(tools, none, none, none, "deny", null, null, null),
                DisclosureLevel.FULL),
            mcpRoute(
                "mcp-403",
                McpRoute.of(tools, none, none, none, null, -32010, 403, null, "error"),
                DisclosureLevel.FULL),
            mcpRoute("mcp-minimal", plain, DisclosureLevel.MINIMAL),
            mcpRoute(
                "mcp-metadata",
                McpRoute.of(
                    tools,
                    none,
                    none,
                    none,
                    null,
                    null,
                    null,
                    "https://tools.shop.example/.well-known/oauth-protected-resource"),
                DisclosureLevel.FULL),
            mcpRoute("mcp-undisclosed", plain, DisclosureLevel.UNDISCLOSED)),
        ChainFixture.RESERVE,
        ChainFixture.CHARGE,
        "urn:ops:step:drop-production-database",
        "x");
  }

  private static Route mcpRoute(String name, McpRoute mcp, DisclosureLevel disclosure) {
    return new Route(name, INVENTORY, null, mcp, disclosure, true, RouteBinding.ANY);
  }

  private CheckRequest request(String authorization, String step) {
    return request(authorization, step, ChainFixture.INVENTORY);
  }

  private CheckRequest request(String authorization, String step, String component) {
    AttributeContext.HttpRequest.Builder http =
        AttributeContext.HttpRequest.newBuilder()
            .setMethod("POST")
            .setPath("/reserve")
            .putHeaders(":path", "/reserve")
            .putHeaders(
                "txn-token",
                mesh.origin(
                    ChainFixture.PLANNER,
                    null,
                    Set.of(
                        ChainFixture.RESERVE,
                        ChainFixture.CHARGE,
                        "urn:ops:step:drop-production-database")));
    if (authorization != null) {
      http.putHeaders("authorization", authorization);
    }
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setRequest(AttributeContext.Request.newBuilder().setHttp(http))
                .setSource(AttributeContext.Peer.newBuilder().setPrincipal(ChainFixture.PLANNER))
                .putContextExtensions(Route.EXTENSION, TestRoutes.name(component, step)))
        .build();
  }

  private static Map<String, String> headers(java.util.List<HeaderValueOption> options) {
    return options.stream()
        .collect(Collectors.toMap(o -> o.getHeader().getKey(), o -> o.getHeader().getValue()));
  }
}
