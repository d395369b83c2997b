package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The walking skeleton over real HTTP: a workload with a client certificate calls through a real
 * Envoy (downstream mTLS, ext_authz in gRPC mode) to an upstream, and hopgate decides every
 * request.
 */
class WalkingSkeletonIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final EdgeStackExtension edge = EdgeStackExtension.of("");

  @Test
  void validHopToken_reachesTheUpstreamWithoutTheTokenAndWithTheDecisionId() throws Exception {
    int before = edge.stack().upstream().hits();
    HttpResponse<String> response =
        edge.stack()
            .get(
                edge.planner(),
                "/inventory/reserve",
                edge.stack().credentials(EdgeStack.INVENTORY));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("upstream saw /inventory/reserve\n");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before + 1);
    var seen = edge.stack().upstream().seen().get(before);
    assertThat(seen.headers()).doesNotContainKey("authorization");
    // hopgate extended the (empty) chain with its own transition for this hop, replacing the
    // header.
    String chain = seen.headers().get("txn-chain");
    assertThat(chain).doesNotContain("~").doesNotContain(",");
    Map<String, Object> transition =
        com.nimbusds.jose.JWSObject.parse(chain).getPayload().toJSONObject();
    assertThat(transition)
        .containsEntry("iss", EdgeStack.ENFORCEMENT_POINT)
        .containsEntry("component", EdgeStack.INVENTORY)
        .containsEntry("step", EdgeStack.RESERVE)
        .containsEntry("position", 1L)
        .containsEntry("decision", seen.headers().get("hopgate-decision-id"));
    // The inventory's manifest delegates nothing: the next hop may cause nothing.
    assertThat((List<?>) transition.get("authority")).isEmpty();
    // ext_proc observed the 2xx and returned the completion record of this decision.
    String record = response.headers().firstValue("txn-completion").orElseThrow();
    Map<String, Object> completion =
        com.nimbusds.jose.JWSObject.parse(record).getPayload().toJSONObject();
    assertThat(completion)
        .containsEntry("status", "completed")
        .containsEntry("step", EdgeStack.RESERVE)
        .containsEntry("component", EdgeStack.INVENTORY)
        .containsEntry("iss", EdgeStack.ENFORCEMENT_POINT)
        .containsEntry("decision", seen.headers().get("hopgate-decision-id"))
        .containsEntry("txn", transition.get("txn"));
    assertThat(seen.headers().get("hopgate-decision-id"))
        .matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-.*");
    // hopgate's dynamic metadata reached Envoy's access log, with the caller's SPIFFE id.
    String decisionId = seen.headers().get("hopgate-decision-id");
    // Envoy writes its access log asynchronously.
    Eventually.until(
        "Envoy's access log records the ALLOW " + decisionId,
        () ->
            edge.stack()
                .accessLog()
                .contains("decision=" + decisionId + " outcome=ALLOW caller=" + EdgeStack.PLANNER));
  }

  @Test
  void badHopToken_is401WithProblemDocumentAndChallenge() throws Exception {
    int before = edge.stack().upstream().hits();
    Map<String, String> headers = new HashMap<>(edge.stack().credentials(EdgeStack.INVENTORY));
    headers.put("Authorization", "Bearer not.a.token");
    HttpResponse<String> response = edge.stack().get(edge.planner(), "/inventory/reserve", headers);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(response.headers().firstValue("www-authenticate").orElseThrow())
        .startsWith("Bearer realm=\"hopgate\", error=\"invalid_token\"");
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.get("type").asText()).isEqualTo("urn:hopgate:problem:token");
    assertThat(problem.get("status").asInt()).isEqualTo(401);
    assertThat(response.headers().firstValue("txn-completion"))
        .as("a denial yields no record")
        .isEmpty();
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("token_malformed");
    assertThat(problem.get("decision_id").asText())
        .isEqualTo(response.headers().firstValue("hopgate-decision-id").orElseThrow());
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void missingHopToken_is401TokenMissing() throws Exception {
    Map<String, String> headers = new HashMap<>(edge.stack().credentials(EdgeStack.INVENTORY));
    headers.remove("Authorization");
    HttpResponse<String> response = edge.stack().get(edge.planner(), "/inventory/reserve", headers);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate"))
        .hasValue("Bearer realm=\"hopgate\"");
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("token_missing");
  }

  @Test
  void expiredHopToken_is401TokenExpired() throws Exception {
    Instant past = Instant.now().minusSeconds(600);
    HttpResponse<String> response =
        edge.stack()
            .get(
                edge.planner(),
                "/inventory/reserve",
                edge.stack()
                    .credentials(
                        EdgeStack.INVENTORY,
                        c ->
                            c.issueTime(Date.from(past))
                                .expirationTime(Date.from(past.plusSeconds(60)))));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("token_expired");
  }

  @Test
  void hopTokenForAnotherComponent_is401TokenAudience() throws Exception {
    HttpResponse<String> response =
        edge.stack()
            .get(
                edge.planner(),
                "/inventory/reserve",
                edge.stack().credentials("spiffe://shop.example/payments"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("token_audience");
  }

  @Test
  void theWorkedCase_droppingTheProductionDatabaseOutsideTheDeclaredIntent_is403Scope()
      throws Exception {
    // The originator holds the right, the ops-db manifest performs the step, and the txn declares
    // the incident-response process, which does not include it: only the scope gate refuses.
    int before = edge.stack().upstream().hits();
    HttpResponse<String> response =
        edge.stack()
            .get(
                edge.planner(),
                "/ops/drop-production-database",
                edge.stack()
                    .credentials(EdgeStack.OPS_DB, "incident-response.process.yaml", c -> c));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(response.headers().firstValue("www-authenticate")).isEmpty();
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.get("type").asText()).isEqualTo("urn:hopgate:problem:scope");
    assertThat(problem.get("status").asInt()).isEqualTo(403);
    assertThat(problem.at("/violations/0/gate").asText()).isEqualTo("scope");
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("step_not_in_intent");
    assertThat(problem.at("/violations/0/process").asText())
        .isEqualTo("urn:ops:process:incident-response");
    assertThat(problem.get("violations")).hasSize(1);
    assertThat(problem.get("repair")).hasSize(1);
    assertThat(problem.at("/repair/0/action").asText()).isEqualTo("declare_intent");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void aRouteTheRouteTableDoesNotHold_isDeniedNeverAllowed() throws Exception {
    int before = edge.stack().upstream().hits();
    HttpResponse<String> response =
        edge.stack()
            .get(edge.planner(), "/unconfigured", edge.stack().credentials(EdgeStack.INVENTORY));

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("route_unmatched");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void callerIdentityFromTheClientCertificate_mustBeTheOriginWorkloadForAFirstHop()
      throws Exception {
    // A valid origin token and hop token, presented by another workload than the one that started
    // the txn: the caller's SPIFFE id from its client certificate reached hopgate's floor.
    SSLContext rogue =
        edge.stack().pki().workload("rogue", "spiffe://shop.example/rogue").sslContext();
    int before = edge.stack().upstream().hits();
    HttpResponse<String> response =
        edge.stack()
            .get(rogue, "/inventory/reserve", edge.stack().credentials(EdgeStack.INVENTORY));

    assertThat(response.statusCode()).isEqualTo(403);
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.at("/violations/0/gate").asText()).isEqualTo("identity");
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("chain_caller");
    assertThat(problem.get("detail").asText()).contains("spiffe://shop.example/rogue");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void onceHopToken_isSpentByTheFirstAllow_andAResentRequestIsRefused() throws Exception {
    Map<String, String> once =
        edge.stack().credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));
    int before = edge.stack().upstream().hits();

    assertThat(edge.stack().get(edge.planner(), "/inventory/reserve", once).statusCode())
        .isEqualTo(200);
    HttpResponse<String> resent = edge.stack().get(edge.planner(), "/inventory/reserve", once);

    assertThat(resent.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(resent.body()).at("/violations/0/code").asText())
        .isEqualTo("token_consumed");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before + 1);
  }

  @Test
  void onceHopToken_isNotSpentByADeny() throws Exception {
    Map<String, String> once =
        edge.stack().credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));
    // The same token on a route for another component is refused before anything is spent ...
    assertThat(edge.stack().get(edge.planner(), "/ops/drop-production-database", once).statusCode())
        .isEqualTo(401);
    // ... so it still works where it belongs.
    assertThat(edge.stack().get(edge.planner(), "/inventory/reserve", once).statusCode())
        .isEqualTo(200);
  }

  @Test
  void missingOriginToken_is401OriginMissing() throws Exception {
    Map<String, String> headers = new HashMap<>(edge.stack().credentials(EdgeStack.INVENTORY));
    headers.remove("Txn-Token");
    HttpResponse<String> response = edge.stack().get(edge.planner(), "/inventory/reserve", headers);

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("origin_missing");
  }

  @Test
  void txnChainSentTwice_isRefusedAsMalformed() throws Exception {
    // Envoy joins a repeated header with a comma; hopgate refuses it instead of guessing.
    Map<String, String> headers = new HashMap<>(edge.stack().credentials(EdgeStack.INVENTORY));
    headers.put("Txn-Chain", "a.b.c,d.e.f");
    HttpResponse<String> response = edge.stack().get(edge.planner(), "/inventory/reserve", headers);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("chain_malformed");
  }

  @Test
  void manifestSignedByAnUntrustedKey_isNotLoadedAndIsNamed() {
    assertThat(edge.stack().hopgate().logText()).contains("not loaded: manifest forged.jws");
  }

  @Test
  void callerWithoutAClientCertificate_cannotConnect() {
    int before = edge.stack().upstream().hits();
    assertThatThrownBy(
            () ->
                edge.stack()
                    .get(
                        edge.stack().pki().anonymousClient(),
                        "/inventory/reserve",
                        edge.stack().credentials(EdgeStack.INVENTORY)))
        .isInstanceOf(IOException.class);
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void hopgate_reportsServingAndListsItsServicesByReflection() throws Exception {
    assertThat(edge.stack().hopgate().health(""))
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
    assertThat(edge.stack().hopgate().health("envoy.service.auth.v3.Authorization"))
        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);

    ManagedChannel channel = edge.stack().hopgate().channel();
    try {
      CompletableFuture<List<ServiceResponse>> services = new CompletableFuture<>();
      StreamObserver<ServerReflectionRequest> requests =
          ServerReflectionGrpc.newStub(channel)
              .serverReflectionInfo(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse response) {
                      services.complete(response.getListServicesResponse().getServiceList());
                    }

                    @Override
                    public void onError(Throwable t) {
                      services.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {}
                  });
      requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
      requests.onCompleted();
      assertThat(services.get(10, TimeUnit.SECONDS))
          .extracting(ServiceResponse::getName)
          .contains("envoy.service.auth.v3.Authorization", "grpc.health.v1.Health");
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void theTraceOfARequest_reachesItsDecisionRecord_andTheLogVerifies() throws Exception {
    Map<String, String> headers = new HashMap<>(edge.stack().credentials(EdgeStack.INVENTORY));
    headers.put("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(edge.stack().get(edge.planner(), "/inventory/reserve", headers).statusCode())
        .isEqualTo(200);

    Eventually.until(
        "the decision log records the trace id",
        () ->
            java.nio.file.Files.readString(edge.stack().decisionLog())
                .contains("4bf92f3577b34da6a3ce929d0e0e4736"));
    // The record may still be being appended: the log verifies once it is whole.
    var verified =
        Eventually.until(
            "the decision log verifies",
            () -> dev.hopgate.pdp.evidence.LogVerifier.verify(edge.stack().decisionLog()),
            v -> v.intact());
    assertThat(verified.intact()).as(String.valueOf(verified.problem())).isTrue();
    assertThat(java.nio.file.Files.readString(edge.stack().decisionLog())).doesNotContain("eyJ");
  }

  @Test
  void hopgate_refusesAGrpcClientWithoutACertificate() {
    ManagedChannel channel = edge.stack().hopgate().channel(null);
    try {
      assertThatThrownBy(
              () ->
                  AuthorizationGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .check(CheckRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void hopgate_refusesACertifiedClientThatIsNotAnAllowedEnvoy() {
    var stranger = edge.stack().pki().workload("stranger", "spiffe://shop.example/not-an-envoy");
    ManagedChannel channel = edge.stack().hopgate().channel(stranger);
    try {
      assertThatThrownBy(
              () ->
                  AuthorizationGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .check(CheckRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    } finally {
      channel.shutdownNow();
    }
  }
}
