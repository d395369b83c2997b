package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Timestamp;
import com.google.protobuf.Value;
import dev.hopgate.association.v1.AssociationGrpc;
import dev.hopgate.association.v1.Hop;
import dev.hopgate.association.v1.TxnQuery;
import dev.hopgate.testing.TestPki;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import dev.hopgate.tests.harness.MetricsScrape;
import dev.hopgate.tests.harness.Ports;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The services beside Check trust only what they can verify. Each attack is made from outside, over
 * hopgate's real gRPC port with real certificates of the mesh's CA, as a holder of another listed
 * identity (a peer hopgate) or of the Envoy's own identity would make it.
 */
class TrustBoundariesIT {
  private static final String EXT_AUTHZ = "envoy.filters.http.ext_authz";

  static int metricsPort = Ports.free();

  @RegisterExtension
  static final EdgeStackExtension edge =
      EdgeStackExtension.starting(
          dir ->
              EdgeStack.start(
                  dir,
                  "metrics: {listen: \"127.0.0.1:" + metricsPort + "\"}\n",
                  EdgeStack.Callers.WITH_PEER_AND_OPS_ENVOY));

  /** A certificate of the Envoy's own identity: the worst case, a stolen Envoy credential. */
  static TestPki.Identity envoy;

  /** A peer hopgate: an identity hopgate admits (for the association), which is not an Envoy. */
  static TestPki.Identity peer;

  /** An Envoy that fronts the ops database only. */
  static TestPki.Identity opsEnvoy;

  @BeforeAll
  static void start() throws Exception {
    envoy = edge.stack().pki().workload("envoy-edge-copy", EdgeStack.ENVOY_IDENTITY);
    peer = edge.stack().pki().workload("peer-hopgate", EdgeStack.PEER_HOPGATE);
    opsEnvoy = edge.stack().pki().workload("ops-envoy", EdgeStack.OPS_ENVOY);
  }

  @Test
  void extProc_aFabricatedAllowFromAPeer_yieldsNoRecordAndNoLedgerEntry() throws Exception {
    String txn = "txn-" + UUID.randomUUID();
    List<ProcessingResponse> answers =
        extProc(peer, fabricatedAllow(txn, EdgeStack.INVENTORY, EdgeStack.RESERVE));
    assertThat(completionHeader(answers)).as("a record signed by hopgate").isNull();
    assertThat(ledger(txn)).as("the ledger of " + txn).isEmpty();
  }

  @Test
  void extProc_aFabricatedAllowFromTheEnvoysOwnIdentity_yieldsNoRecordAndNoLedgerEntry()
      throws Exception {
    String txn = "txn-" + UUID.randomUUID();
    List<ProcessingResponse> answers =
        extProc(envoy, fabricatedAllow(txn, EdgeStack.INVENTORY, EdgeStack.RESERVE));
    assertThat(completionHeader(answers)).as("a record signed by hopgate").isNull();
    assertThat(ledger(txn)).as("the ledger of " + txn).isEmpty();
  }

  @Test
  void extProc_aGenuineAllowWithItsStepAltered_yieldsNoRecord() throws Exception {
    Map<String, String> credentials = edge.stack().credentials(EdgeStack.INVENTORY);
    CheckResponse allowed =
        check(
            envoy,
            checkRequest(
                credentials,
                EdgeStack.INVENTORY,
                EdgeStack.RESERVE,
                EdgeStack.PLANNER,
                UUID.randomUUID().toString(),
                Instant.now()));
    assertThat(allowed.getStatus().getCode()).as("the genuine Check").isZero();
    Struct genuine = allowed.getDynamicMetadata();
    String txn = genuine.getFieldsOrThrow("txn").getStringValue();
    Struct altered =
        genuine.toBuilder()
            .putFields("step", string(EdgeStack.DROP_DB))
            .putFields("component", string(EdgeStack.OPS_DB))
            .build();
    MetricsScrape before = MetricsScrape.of(metricsPort);
    List<ProcessingResponse> answers = extProc(envoy, altered);
    assertThat(completionHeader(answers)).as("a record for a step nobody was allowed").isNull();
    assertThat(ledger(txn)).noneMatch(hop -> !hop.getCompletionRecord().isEmpty());
    // Counted and logged, without the authenticator (with it, ext_proc would mint for the step).
    assertThat(
            MetricsScrape.of(metricsPort)
                .since(before, "hopgate_completion_records_total{fate=\"refused\"}"))
        .isEqualTo(1);
    assertThat(edge.stack().hopgate().logText())
        .contains("ext_proc: ignored an ALLOW")
        .doesNotContain(genuine.getFieldsOrThrow("authenticator").getStringValue());
  }

  @Test
  void check_fromAPeerThatIsNotAnEnvoy_namingThePlannerAsCaller_isRefused() throws Exception {
    Map<String, String> credentials = edge.stack().credentials(EdgeStack.INVENTORY);
    CheckResponse answer =
        checkOrNull(
            peer,
            checkRequest(
                credentials,
                EdgeStack.INVENTORY,
                EdgeStack.RESERVE,
                EdgeStack.PLANNER,
                UUID.randomUUID().toString(),
                Instant.now()));
    assertThat(answer == null || answer.getStatus().getCode() != 0)
        .as("an ALLOW with a signed transition for a caller that is no Envoy: %s", answer)
        .isTrue();
  }

  @Test
  void check_fromAnEnvoyNotBoundToTheComponent_isAConfigurationDeny() throws Exception {
    Map<String, String> credentials = edge.stack().credentials(EdgeStack.INVENTORY);
    CheckResponse answer =
        check(
            opsEnvoy,
            checkRequest(
                credentials,
                EdgeStack.INVENTORY,
                EdgeStack.RESERVE,
                EdgeStack.PLANNER,
                UUID.randomUUID().toString(),
                Instant.now()));
    assertThat(answer.getStatus().getCode())
        .as("the ops database's Envoy asking for the inventory")
        .isNotZero();
    assertThat(answer.getDynamicMetadata().getFieldsOrThrow("gate").getStringValue())
        .isEqualTo("configuration");
    assertThat(answer.getDynamicMetadata().getFieldsOrThrow("code").getStringValue())
        .isEqualTo("caller_not_bound");
  }

  @Test
  void check_aOnceTokenReplayedWithEnvoysRequestIdAndTime_fromAPeer_isNotAllowedAgain()
      throws Exception {
    Map<String, String> once =
        edge.stack().credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));
    String requestId = UUID.randomUUID().toString();
    Instant requestTime = Instant.now();
    CheckRequest request =
        checkRequest(
            once,
            EdgeStack.INVENTORY,
            EdgeStack.RESERVE,
            EdgeStack.PLANNER,
            requestId,
            requestTime);
    assertThat(check(envoy, request).getStatus().getCode()).as("the Envoy's Check").isZero();
    CheckResponse replayed = checkOrNull(peer, request);
    assertThat(replayed == null || replayed.getStatus().getCode() != 0)
        .as("the once token allowed a second time: %s", replayed)
        .isTrue();
  }

  // --- what the attacker sends

  /**
   * An ext_authz ALLOW as Envoy would forward it, made up: any txn, component, step, decision id.
   */
  private static Struct fabricatedAllow(String txn, String component, String step) {
    return Struct.newBuilder()
        .putFields("decision_id", string(UUID.randomUUID().toString()))
        .putFields("outcome", string("ALLOW"))
        .putFields("txn", string(txn))
        .putFields("component", string(component))
        .putFields("step", string(step))
        .putFields(
            "deadline", string(Long.toString(Instant.now().plusSeconds(3600).getEpochSecond())))
        .build();
  }

  /**
   * Opens ExternalProcessor/Process as {@code who} and sends a 200's response headers with {@code
   * authz}.
   */
  private static List<ProcessingResponse> extProc(TestPki.Identity who, Struct authz)
      throws Exception {
    ManagedChannel channel = edge.stack().hopgate().channel(who);
    try {
      List<ProcessingResponse> answers = new ArrayList<>();
      CompletableFuture<Void> done = new CompletableFuture<>();
      StreamObserver<ProcessingRequest> requests =
          ExternalProcessorGrpc.newStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .process(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(ProcessingResponse value) {
                      synchronized (answers) {
                        answers.add(value);
                      }
                    }

                    @Override
                    public void onError(Throwable t) {
                      done.complete(null);
                    }

                    @Override
                    public void onCompleted() {
                      done.complete(null);
                    }
                  });
      requests.onNext(
          ProcessingRequest.newBuilder()
              .setMetadataContext(Metadata.newBuilder().putFilterMetadata(EXT_AUTHZ, authz))
              .setResponseHeaders(
                  HttpHeaders.newBuilder()
                      .setHeaders(
                          HeaderMap.newBuilder()
                              .addHeaders(
                                  HeaderValue.newBuilder().setKey(":status").setValue("200"))
                              .addHeaders(
                                  HeaderValue.newBuilder()
                                      .setKey("content-type")
                                      .setValue("text/plain"))))
              .build());
      requests.onCompleted();
      done.get(10, TimeUnit.SECONDS);
      synchronized (answers) {
        return List.copyOf(answers);
      }
    } finally {
      channel.shutdownNow();
    }
  }

  private static String completionHeader(List<ProcessingResponse> answers) {
    for (ProcessingResponse answer : answers) {
      for (var set :
          answer.getResponseHeaders().getResponse().getHeaderMutation().getSetHeadersList()) {
        if (set.getHeader().getKey().equals("txn-completion")) {
          return set.getHeader().getRawValue().toStringUtf8();
        }
      }
    }
    return null;
  }

  private static CheckRequest checkRequest(
      Map<String, String> headers,
      String component,
      String step,
      String caller,
      String requestId,
      Instant time) {
    Map<String, String> lower = new java.util.HashMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(java.util.Locale.ROOT), v));
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setSource(AttributeContext.Peer.newBuilder().setPrincipal(caller))
                // The edge's route table names this route; the extension's component and step
                // must agree with it.
                .putContextExtensions("route", "inventory-reserve")
                .putContextExtensions("component", component)
                .putContextExtensions("step", step)
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        .setTime(
                            Timestamp.newBuilder()
                                .setSeconds(time.getEpochSecond())
                                .setNanos(time.getNano()))
                        .setHttp(
                            AttributeContext.HttpRequest.newBuilder()
                                .setId(requestId)
                                .setMethod("GET")
                                .setPath("/inventory/reserve")
                                .putAllHeaders(lower))))
        .build();
  }

  private static CheckResponse check(TestPki.Identity who, CheckRequest request) {
    ManagedChannel channel = edge.stack().hopgate().channel(who);
    try {
      return AuthorizationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(request);
    } finally {
      channel.shutdownNow();
    }
  }

  /** The answer, or null when hopgate refused the caller outright (a gRPC error). */
  private static CheckResponse checkOrNull(TestPki.Identity who, CheckRequest request) {
    try {
      return check(who, request);
    } catch (StatusRuntimeException refused) {
      return null;
    }
  }

  /** The txn's hops in hopgate's ledger, asked as the peer hopgate. */
  private static List<Hop> ledger(String txn) {
    ManagedChannel channel = edge.stack().hopgate().channel(peer);
    try {
      return AssociationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .linkage(TxnQuery.newBuilder().setTxn(txn).build())
          .getHopsList();
    } finally {
      channel.shutdownNow();
    }
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
