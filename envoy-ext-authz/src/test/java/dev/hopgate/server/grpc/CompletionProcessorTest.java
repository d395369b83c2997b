package dev.hopgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.nimbusds.jose.JWSObject;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.testing.MutableClock;
import io.envoyproxy.envoy.config.core.v3.HeaderMap;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpTrailers;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ext_proc over a real gRPC stack (in-process transport): when a record is minted, and when not.
 */
class CompletionProcessorTest {
  private EnforcementPointSigner signer;
  private Server server;
  private ManagedChannel channel;
  private static final Duration MAX_AGE = Duration.ofMinutes(5);
  private final DecisionAuthenticator keys = DecisionAuthenticator.generated();
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final InMemoryStateStore store = new InMemoryStateStore(10_000);
  private DecisionMetadata metadata;
  private CompletionProcessor processor;

  @BeforeEach
  void setUp() throws Exception {
    signer =
        new EnforcementPointSigner(
            "spiffe://shop.example/hopgate",
            JwsSigning.of(JwsSigning.generate("EdDSA", "ep")),
            Duration.ofMinutes(10));
    metadata = new DecisionMetadata(keys, clock, MAX_AGE, Duration.ofSeconds(30));
    processor =
        new CompletionProcessor(
            () -> signer, metadata, store, clock, CompletionProcessor.Ledgered.NONE);
    String name = InProcessServerBuilder.generateName();
    // As an Envoy bound to the inventory would call it (CallerAdmission puts this in the call's
    // context).
    ServerInterceptor inventoryEnvoy =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, io.grpc.Metadata headers, ServerCallHandler<Q, R> next) {
            return Contexts.interceptCall(
                Context.current()
                    .withValue(
                        CallerAdmission.BOUND_COMPONENTS,
                        Set.of("spiffe://shop.example/inventory")),
                call,
                headers,
                next);
          }
        };
    server =
        InProcessServerBuilder.forName(name)
            .addService(ServerInterceptors.intercept(processor, inventoryEnvoy))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void tearDown() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  @Test
  void http2xxOfAnAllow_yieldsOneSignedRecord() throws Exception {
    List<ProcessingResponse> responses =
        exchange(headers(sealed(allow("d-1")), Map.of(":status", "201")));
    String record = setHeader(responses.get(0));
    Map<String, Object> claims = JWSObject.parse(record).getPayload().toJSONObject();
    assertThat(claims)
        .containsEntry("status", "completed")
        .containsEntry("decision", "d-1")
        .containsEntry("step", "urn:shop:step:reserve-stock")
        .containsEntry("txn", "txn-1");
    assertThat(processor.records()).isEqualTo(1);
  }

  @Test
  void theSameDecisionTwice_yieldsOneRecord() throws Exception {
    exchange(headers(sealed(allow("d-2")), Map.of(":status", "200")));
    List<ProcessingResponse> second =
        exchange(headers(sealed(allow("d-2")), Map.of(":status", "200")));
    assertThat(setHeader(second.get(0))).isNull();
    assertThat(processor.records()).isEqualTo(1);
  }

  @Test
  void anErrorStatus_orADenial_yieldsNone() throws Exception {
    assertThat(setHeader(exchange(headers(sealed(allow("d-3")), Map.of(":status", "500"))).get(0)))
        .isNull();
    Struct denied = sealed(allow("d-4")).toBuilder().putFields("outcome", string("DENY")).build();
    assertThat(setHeader(exchange(headers(denied, Map.of(":status", "200"))).get(0))).isNull();
    assertThat(setHeader(exchange(headers(null, Map.of(":status", "200"))).get(0)))
        .as("no metadata")
        .isNull();
    assertThat(processor.records()).isZero();
  }

  @Test
  void grpcSuccessIsJudgedOnTheTrailers() throws Exception {
    ProcessingRequest head =
        headers(sealed(allow("d-5")), Map.of(":status", "200", "content-type", "application/grpc"));
    ProcessingRequest ok = trailers(Map.of("grpc-status", "0"));
    List<ProcessingResponse> responses = exchange(head, ok);
    assertThat(setHeader(responses.get(0))).as("not yet at the headers").isNull();
    String record =
        responses
            .get(1)
            .getResponseTrailers()
            .getHeaderMutation()
            .getSetHeaders(0)
            .getHeader()
            .getRawValue()
            .toString(StandardCharsets.US_ASCII);
    assertThat(JWSObject.parse(record).getPayload().toJSONObject())
        .containsEntry("decision", "d-5");

    List<ProcessingResponse> failed =
        exchange(
            headers(
                sealed(allow("d-6")), Map.of(":status", "200", "content-type", "application/grpc")),
            trailers(Map.of("grpc-status", "13")));
    assertThat(failed.get(1).getResponseTrailers().getHeaderMutation().getSetHeadersCount())
        .isZero();
  }

  @Test
  void mcpToolCall_yieldsARecordOnlyForAResultWithoutIsError() throws Exception {
    Map<String, String> json = Map.of(":status", "200", "content-type", "application/json");
    List<ProcessingResponse> ran =
        exchange(
            headers(sealed(mcpAllow("d-7")), json),
            body("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[]}}", true));
    assertThat(setHeader(ran.get(0))).as("not at the headers: the body decides").isNull();
    assertThat(JWSObject.parse(bodySetHeader(ran.get(1))).getPayload().toJSONObject())
        .containsEntry("decision", "d-7");

    List<ProcessingResponse> toolError =
        exchange(
            headers(sealed(mcpAllow("d-8")), json),
            body(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"isError\":true,\"content\":[]}}",
                true));
    assertThat(bodySetHeader(toolError.get(1))).isNull();

    List<ProcessingResponse> cut =
        exchange(
            headers(sealed(mcpAllow("d-9")), json),
            body("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[]}}", false));
    assertThat(bodySetHeader(cut.get(1)))
        .as("a body cut at Envoy's buffer limit proves nothing")
        .isNull();
    assertThat(processor.records()).isEqualTo(1);
  }

  @Test
  void mcpToolCall_withoutABodyPhaseYieldsNoRecord() throws Exception {
    List<ProcessingResponse> responses =
        exchange(headers(sealed(mcpAllow("d-10")), Map.of(":status", "200")));
    assertThat(setHeader(responses.get(0))).isNull();
    assertThat(processor.records()).isZero();
  }

  @Test
  void mcpToolsList_isCutToTheVisibleToolsAndMintsNothing() throws Exception {
    Struct listing =
        Struct.newBuilder()
            .putFields("outcome", string("ALLOW"))
            .putFields("decision_id", string("d-11"))
            .putFields("txn", string("txn-1"))
            .putFields("component", string("spiffe://shop.example/inventory"))
            .putFields("protocol", string("mcp"))
            .putFields("jsonrpc_id", string("7"))
            .putFields("mcp_list_kept", string("{\"list\":\"tools/list\",\"keep\":[\"a\",\"c\"]}"))
            .build();
    List<ProcessingResponse> responses =
        exchange(
            headers(sealed(listing), Map.of(":status", "200", "content-type", "application/json")),
            body(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"tools\":[{\"name\":\"a\"},{\"name\":\"b\"},"
                    + "{\"name\":\"c\"}]}}",
                true));

    String filtered =
        responses.get(1).getResponseBody().getResponse().getBodyMutation().getBody().toStringUtf8();
    assertThat(filtered).contains("\"a\"").contains("\"c\"").doesNotContain("\"b\"");
    assertThat(processor.records()).isZero();
  }

  /** The attack: a real listing of another component, replayed on this Envoy's stream. */
  @Test
  void aListingVerifiedForAComponentThisEnvoyDoesNotFront_keepsNothing() throws Exception {
    Struct listing =
        Struct.newBuilder()
            .putFields("outcome", string("ALLOW"))
            .putFields("decision_id", string("d-12"))
            .putFields("txn", string("txn-1"))
            .putFields("component", string("spiffe://shop.example/ops-db"))
            .putFields("protocol", string("mcp"))
            .putFields("jsonrpc_id", string("7"))
            .putFields("mcp_list_kept", string("{\"list\":\"tools/list\",\"keep\":[\"a\"]}"))
            .build();
    List<ProcessingResponse> responses =
        exchange(
            headers(sealed(listing), Map.of(":status", "200", "content-type", "application/json")),
            body("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"tools\":[{\"name\":\"a\"}]}}", true));

    String filtered =
        responses.get(1).getResponseBody().getResponse().getBodyMutation().getBody().toStringUtf8();
    assertThat(filtered).contains("\"tools\":[]");
  }

  @Test
  void anAllowWithoutAnAuthenticator_mintsNothing_andIsCounted() throws Exception {
    assertThat(setHeader(exchange(headers(allow("d-20"), Map.of(":status", "200"))).get(0)))
        .isNull();
    assertThat(processor.records()).isZero();
    assertThat(processor.refused()).isEqualTo(1);
  }

  @Test
  void aSealedAllowWithAFieldChanged_mintsNothing() throws Exception {
    Struct altered =
        sealed(allow("d-21")).toBuilder()
            .putFields("step", string("urn:ops:step:drop-production-database"))
            .build();
    assertThat(setHeader(exchange(headers(altered, Map.of(":status", "200"))).get(0))).isNull();
    Struct addedList =
        sealed(allow("d-22")).toBuilder().putFields("mcp_list_kept", string("")).build();
    assertThat(setHeader(exchange(headers(addedList, Map.of(":status", "200"))).get(0)))
        .as("presence is covered too")
        .isNull();
    assertThat(processor.refused()).isEqualTo(2);
  }

  @Test
  void anAllowSealedUnderAnotherSecret_mintsNothing() throws Exception {
    Struct.Builder other = allow("d-23").toBuilder();
    new DecisionMetadata(DecisionAuthenticator.generated(), clock, MAX_AGE, Duration.ZERO)
        .seal(other);
    assertThat(setHeader(exchange(headers(other.build(), Map.of(":status", "200"))).get(0)))
        .isNull();
    assertThat(processor.refused()).isEqualTo(1);
  }

  @Test
  void anAllowOlderThanTheMaxAge_mintsNothing() throws Exception {
    Struct old = sealed(allow("d-24"));
    clock.advance(MAX_AGE.plusSeconds(1));
    assertThat(setHeader(exchange(headers(old, Map.of(":status", "200"))).get(0))).isNull();
    assertThat(processor.refused()).isEqualTo(1);
  }

  @Test
  void anAllowForAComponentTheEnvoyDoesNotFront_mintsNothing() throws Exception {
    Struct ops =
        sealed(
            allow("d-25").toBuilder()
                .putFields("component", string("spiffe://shop.example/ops-db"))
                .build());
    assertThat(setHeader(exchange(headers(ops, Map.of(":status", "200"))).get(0))).isNull();
    assertThat(processor.refused()).isEqualTo(1);
  }

  @Test
  void twoReplicasSharingAStore_mintADecisionOnce() throws Exception {
    Struct allow = sealed(allow("d-26"));
    assertThat(setHeader(exchange(headers(allow, Map.of(":status", "200"))).get(0))).isNotNull();
    CompletionProcessor replica =
        new CompletionProcessor(
            () -> signer, metadata, store, clock, CompletionProcessor.Ledgered.NONE);
    String name = InProcessServerBuilder.generateName();
    Server other = InProcessServerBuilder.forName(name).addService(replica).build().start();
    ManagedChannel toOther = InProcessChannelBuilder.forName(name).build();
    try {
      ManagedChannel mine = channel;
      channel = toOther;
      assertThat(setHeader(exchange(headers(allow, Map.of(":status", "200"))).get(0))).isNull();
      channel = mine;
      assertThat(replica.records()).isZero();
    } finally {
      toOther.shutdownNow();
      other.shutdownNow();
    }
  }

  @Test
  void aToolsListWhoseAllowDoesNotVerify_isCutToNoTools() throws Exception {
    Struct unsealed =
        Struct.newBuilder()
            .putFields("outcome", string("ALLOW"))
            .putFields("decision_id", string("d-27"))
            .putFields("txn", string("txn-1"))
            .putFields("component", string("spiffe://shop.example/inventory"))
            .putFields("protocol", string("mcp"))
            .putFields("jsonrpc_id", string("7"))
            .putFields(
                "mcp_list_kept", string("{\"list\":\"tools/list\",\"keep\":[\"a\",\"b\",\"c\"]}"))
            .build();
    List<ProcessingResponse> responses =
        exchange(
            headers(unsealed, Map.of(":status", "200", "content-type", "application/json")),
            body(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"tools\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
                true));
    String cut =
        responses.get(1).getResponseBody().getResponse().getBodyMutation().getBody().toStringUtf8();
    assertThat(cut).contains("\"tools\":[]");
    assertThat(processor.refused()).isEqualTo(1);
  }

  /** As the Check response seals an ALLOW. */
  private Struct sealed(Struct allow) {
    Struct.Builder b = allow.toBuilder();
    metadata.seal(b);
    return b.build();
  }

  private static Struct mcpAllow(String decision) {
    return allow(decision).toBuilder()
        .putFields("protocol", string("mcp"))
        .putFields("jsonrpc_id", string("7"))
        .build();
  }

  private static ProcessingRequest body(String body, boolean endOfStream) {
    return ProcessingRequest.newBuilder()
        .setResponseBody(
            io.envoyproxy.envoy.service.ext_proc.v3.HttpBody.newBuilder()
                .setBody(ByteString.copyFromUtf8(body))
                .setEndOfStream(endOfStream))
        .build();
  }

  private static String bodySetHeader(ProcessingResponse r) {
    var mutation = r.getResponseBody().getResponse().getHeaderMutation();
    return mutation.getSetHeadersCount() == 0
        ? null
        : mutation.getSetHeaders(0).getHeader().getRawValue().toString(StandardCharsets.US_ASCII);
  }

  private List<ProcessingResponse> exchange(ProcessingRequest... requests)
      throws InterruptedException {
    List<ProcessingResponse> got = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    StreamObserver<ProcessingRequest> out =
        ExternalProcessorGrpc.newStub(channel)
            .process(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ProcessingResponse r) {
                    got.add(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    done.countDown();
                  }
                });
    for (ProcessingRequest r : requests) {
      out.onNext(r);
    }
    out.onCompleted();
    assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(got).hasSize(requests.length);
    return got;
  }

  private static String setHeader(ProcessingResponse r) {
    var mutation = r.getResponseHeaders().getResponse().getHeaderMutation();
    return mutation.getSetHeadersCount() == 0
        ? null
        : mutation.getSetHeaders(0).getHeader().getRawValue().toString(StandardCharsets.US_ASCII);
  }

  private static Struct allow(String decision) {
    return Struct.newBuilder()
        .putFields("outcome", string("ALLOW"))
        .putFields("decision_id", string(decision))
        .putFields("txn", string("txn-1"))
        .putFields("component", string("spiffe://shop.example/inventory"))
        .putFields("step", string("urn:shop:step:reserve-stock"))
        .putFields("deadline", string("1895431700"))
        .build();
  }

  private static ProcessingRequest headers(Struct authz, Map<String, String> headers) {
    HeaderMap.Builder map = HeaderMap.newBuilder();
    headers.forEach(
        (k, v) ->
            map.addHeaders(
                HeaderValue.newBuilder().setKey(k).setRawValue(ByteString.copyFromUtf8(v))));
    ProcessingRequest.Builder r =
        ProcessingRequest.newBuilder().setResponseHeaders(HttpHeaders.newBuilder().setHeaders(map));
    if (authz != null) {
      r.setMetadataContext(
          Metadata.newBuilder().putFilterMetadata("envoy.filters.http.ext_authz", authz));
    }
    return r.build();
  }

  private static ProcessingRequest trailers(Map<String, String> trailers) {
    HeaderMap.Builder map = HeaderMap.newBuilder();
    trailers.forEach((k, v) -> map.addHeaders(HeaderValue.newBuilder().setKey(k).setValue(v)));
    return ProcessingRequest.newBuilder()
        .setResponseTrailers(HttpTrailers.newBuilder().setTrailers(map))
        .build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
