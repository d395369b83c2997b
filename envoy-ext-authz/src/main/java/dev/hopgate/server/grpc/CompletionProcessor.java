package dev.hopgate.server.grpc;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.mcp.JsonRpcOutcome;
import dev.hopgate.pdp.mcp.ToolListFilter;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyMutation;
import java.util.Optional;
import java.util.Set;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.CommonResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.ExternalProcessorGrpc;
import io.envoyproxy.envoy.service.ext_proc.v3.HeaderMutation;
import io.envoyproxy.envoy.service.ext_proc.v3.HeadersResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.HttpHeaders;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingRequest;
import io.envoyproxy.envoy.service.ext_proc.v3.ProcessingResponse;
import io.envoyproxy.envoy.service.ext_proc.v3.TrailersResponse;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code ExternalProcessor}, after ext_authz: observes the response of every request and,
 * when it succeeded, mints the completion record of the step hopgate allowed and returns it to the
 * caller in the {@code Txn-Completion} response header (house spec, section 5b).
 *
 * <p>The ALLOW is learned only from ext_authz's dynamic metadata, which Envoy forwards
 * ({@code metadata_options.forwarding_namespaces}), never from a request header; a denial's local
 * reply has no ALLOW and yields nothing; a decision yields at most one record. Success: HTTP 2xx
 * response headers, or {@code grpc-status: 0} for gRPC (in the trailers, or in headers of a
 * trailers-only response). An MCP tool call succeeded only when its JSON-RPC response (a JSON body
 * or an SSE stream, read whole in the body phase) is a {@code result} without {@code isError}. An
 * MCP {@code tools/list} response is cut to the tools the decision found callable.
 * Nothing here may break a response: any failure passes it through
 * unchanged, and the lost record is counted and logged.
 */
public final class CompletionProcessor extends ExternalProcessorGrpc.ExternalProcessorImplBase {
  private static final System.Logger LOG = System.getLogger(CompletionProcessor.class.getName());
  /** The response header that carries the record back to the caller. */
  public static final String COMPLETION_HEADER = "txn-completion";
  static final String EXT_AUTHZ_NAMESPACE = "envoy.filters.http.ext_authz";

  private final Supplier<EnforcementPointSigner> signer;
  private final Clock clock;
  private final Cache<String, Boolean> minted = Caffeine.newBuilder()
      .maximumSize(1_000_000).expireAfterWrite(Duration.ofMinutes(30)).build();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();

  /** Where each minted record also goes (the association's ledger), before the response is released. */
  @FunctionalInterface
  public interface Ledgered {
    Ledgered NONE = (txn, component, step, decision, record, at) -> { };

    void completed(String txn, String component, String step, String decision, String record, Instant at);
  }

  private final Ledgered ledgered;

  public CompletionProcessor(Supplier<EnforcementPointSigner> signer, Clock clock) {
    this(signer, clock, Ledgered.NONE);
  }

  public CompletionProcessor(Supplier<EnforcementPointSigner> signer, Clock clock, Ledgered ledgered) {
    this.signer = requireNonNull(signer, "signer");
    this.clock = requireNonNull(clock, "clock");
    this.ledgered = requireNonNull(ledgered, "ledgered");
  }

  /** Completion records minted so far. */
  public long records() {
    return records.get();
  }

  /** Successes that yielded no record because minting failed. */
  public long lost() {
    return lost.get();
  }

  @Override
  public StreamObserver<ProcessingRequest> process(StreamObserver<ProcessingResponse> responses) {
    return new StreamObserver<>() {
      private @Nullable Struct allowed;
      private final McpCall mcp = new McpCall();

      @Override
      public void onNext(ProcessingRequest request) {
        Struct authz = request.getMetadataContext().getFilterMetadataMap().get(EXT_AUTHZ_NAMESPACE);
        if (authz != null && "ALLOW".equals(string(authz, "outcome"))) {
          allowed = authz;
        }
        ProcessingResponse response;
        try {
          response = respond(request, allowed, mcp);
        } catch (RuntimeException e) {
          lost.incrementAndGet();
          LOG.log(System.Logger.Level.WARNING, "completion record lost for decision {0}: {1}",
              allowed == null ? "?" : string(allowed, "decision_id"), e.toString());
          response = passThrough(request);
        }
        responses.onNext(response);
      }

      @Override
      public void onError(Throwable t) {
        // Envoy went away (the client reset the stream): nothing to answer.
      }

      @Override
      public void onCompleted() {
        responses.onCompleted();
      }
    };
  }

  /**
   * An allowed MCP tool call awaiting its response body: a 2xx only says the server answered, the
   * JSON-RPC response says whether the tool ran.
   */
  private static final class McpCall {
    boolean awaitingBody;
    boolean awaitingList;
    String contentType = "";
  }

  private ProcessingResponse respond(ProcessingRequest request, @Nullable Struct allowed, McpCall mcp) {
    switch (request.getRequestCase()) {
      case RESPONSE_HEADERS -> {
        HttpHeaders headers = request.getResponseHeaders();
        String status = header(headers, ":status");
        boolean grpc = header(headers, "content-type").startsWith("application/grpc");
        boolean succeeded = grpc
            ? headers.getEndOfStream() && "0".equals(header(headers, "grpc-status"))
            : status.length() == 3 && status.charAt(0) == '2';
        String record = null;
        if (allowed != null && "mcp".equals(string(allowed, "protocol"))) {
          // Decided on the body, in the body phase (the route's ext_proc must buffer the response
          // body; with body mode NONE an MCP tool call yields no record, never a wrong one).
          boolean answered = succeeded && !headers.getEndOfStream() && !string(allowed, "jsonrpc_id").isEmpty();
          mcp.awaitingBody = answered && !string(allowed, "step").isEmpty();
          mcp.awaitingList = answered && allowed.getFieldsMap().containsKey(DecisionPoint.VISIBLE_TOOLS_METADATA);
          mcp.contentType = header(headers, "content-type");
        } else if (succeeded) {
          record = mint(allowed);
        }
        CommonResponse.Builder common = CommonResponse.newBuilder();
        if (record != null) {
          common.setHeaderMutation(HeaderMutation.newBuilder().addSetHeaders(set(record)));
        }
        return ProcessingResponse.newBuilder()
            .setResponseHeaders(HeadersResponse.newBuilder().setResponse(common)).build();
      }
      case RESPONSE_TRAILERS -> {
        String grpcStatus = "";
        for (HeaderValue h : request.getResponseTrailers().getTrailers().getHeadersList()) {
          if (h.getKey().equals("grpc-status")) {
            grpcStatus = value(h);
          }
        }
        String record = "0".equals(grpcStatus) ? mint(allowed) : null;
        TrailersResponse.Builder trailers = TrailersResponse.newBuilder();
        if (record != null) {
          trailers.setHeaderMutation(HeaderMutation.newBuilder().addSetHeaders(set(record)));
        }
        return ProcessingResponse.newBuilder().setResponseTrailers(trailers).build();
      }
      case RESPONSE_BODY -> {
        var body = request.getResponseBody();
        String record = null;
        if (mcp.awaitingBody) {
          mcp.awaitingBody = false;
          // Not end of stream: the body outgrew Envoy's buffer and was cut; it proves nothing.
          if (body.getEndOfStream() && allowed != null && JsonRpcOutcome.toolCallSucceeded(
              body.getBody().toStringUtf8(), mcp.contentType, string(allowed, "jsonrpc_id"))) {
            record = mint(allowed);
          }
        }
        CommonResponse.Builder common = CommonResponse.newBuilder();
        if (record != null) {
          common.setHeaderMutation(HeaderMutation.newBuilder().addSetHeaders(set(record)));
        }
        if (mcp.awaitingList) {
          mcp.awaitingList = false;
          String visible = string(allowed, DecisionPoint.VISIBLE_TOOLS_METADATA);
          Optional<String> filtered = !body.getEndOfStream() ? Optional.empty()
              : ToolListFilter.filter(body.getBody().toStringUtf8(), mcp.contentType, string(allowed, "jsonrpc_id"),
                  visible.isEmpty() ? Set.of() : Set.of(visible.split(",")));
          filtered.ifPresent(b -> common.setBodyMutation(
              BodyMutation.newBuilder().setBody(ByteString.copyFromUtf8(b))));
        }
        return ProcessingResponse.newBuilder().setResponseBody(BodyResponse.newBuilder().setResponse(common)).build();
      }
      default -> {
        return passThrough(request);
      }
    }
  }

  /** The record for the allowed decision, once per decision; null when there is none to mint. */
  private @Nullable String mint(@Nullable Struct allowed) {
    if (allowed == null) {
      return null;
    }
    String decision = string(allowed, "decision_id");
    String txn = string(allowed, "txn");
    String component = string(allowed, "component");
    String step = string(allowed, "step");
    String deadline = string(allowed, "deadline");
    if (decision.isEmpty() || txn.isEmpty() || component.isEmpty() || step.isEmpty() || deadline.isEmpty()) {
      return null;
    }
    if (minted.asMap().putIfAbsent(decision, Boolean.TRUE) != null) {
      return null;
    }
    Instant now = clock.instant();
    String record = signer.get().completion(txn, component, step, decision, now,
        Instant.ofEpochSecond(Long.parseLong(deadline)));
    records.incrementAndGet();
    ledgered.completed(txn, component, step, decision, record, now);
    return record;
  }

  private static ProcessingResponse passThrough(ProcessingRequest request) {
    ProcessingResponse.Builder r = ProcessingResponse.newBuilder();
    switch (request.getRequestCase()) {
      case REQUEST_HEADERS -> r.setRequestHeaders(HeadersResponse.getDefaultInstance());
      case RESPONSE_HEADERS -> r.setResponseHeaders(HeadersResponse.getDefaultInstance());
      case REQUEST_BODY -> r.setRequestBody(BodyResponse.getDefaultInstance());
      case RESPONSE_BODY -> r.setResponseBody(BodyResponse.getDefaultInstance());
      case REQUEST_TRAILERS -> r.setRequestTrailers(TrailersResponse.getDefaultInstance());
      default -> r.setResponseTrailers(TrailersResponse.getDefaultInstance());
    }
    return r.build();
  }

  private static HeaderValueOption set(String record) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(COMPLETION_HEADER)
            .setRawValue(com.google.protobuf.ByteString.copyFrom(record, StandardCharsets.US_ASCII)))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  private static String header(HttpHeaders headers, String name) {
    for (HeaderValue h : headers.getHeaders().getHeadersList()) {
      if (h.getKey().equals(name)) {
        return value(h);
      }
    }
    return "";
  }

  /** Envoy sends values as raw bytes (newer versions) or as a string. */
  private static String value(HeaderValue h) {
    return h.getRawValue().isEmpty() ? h.getValue() : h.getRawValue().toString(StandardCharsets.UTF_8);
  }

  private static String string(Struct s, String field) {
    Value v = s.getFieldsMap().get(field);
    return v == null ? "" : v.getStringValue();
  }
}
