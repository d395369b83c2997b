package dev.hopgate.server.grpc;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.mcp.JsonRpcOutcome;
import dev.hopgate.pdp.mcp.ListFilter;
import dev.hopgate.pdp.request.LogText;
import dev.hopgate.pdp.state.StateException;
import dev.hopgate.pdp.state.StateStore;
import dev.hopgate.server.telemetry.CheckSpans;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.ext_proc.v3.BodyMutation;
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
import io.opentelemetry.api.trace.Span;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code ExternalProcessor}, after ext_authz: observes the response of every request and,
 * when it succeeded, mints the completion record of the step hopgate allowed and returns it to the
 * caller in the {@code Txn-Completion} response header (house spec, section 5b).
 *
 * <p>The ALLOW is learned only from ext_authz's dynamic metadata, which Envoy forwards ({@code
 * metadata_options.forwarding_namespaces}), never from a request header; a denial's local reply has
 * no ALLOW and yields nothing; a decision yields at most one record. Success: HTTP 2xx response
 * headers, or {@code grpc-status: 0} for gRPC (in the trailers, or in headers of a trailers-only
 * response). An MCP tool call succeeded only when its JSON-RPC response (a JSON body or an SSE
 * stream, read whole in the body phase) is a {@code result} without {@code isError}. An MCP {@code
 * tools/list} response is cut to the tools the decision found callable. Nothing here may break a
 * response: any failure passes it through unchanged, and the lost record is counted and logged.
 */
public final class CompletionProcessor extends ExternalProcessorGrpc.ExternalProcessorImplBase {
  private static final System.Logger LOG = System.getLogger(CompletionProcessor.class.getName());

  /** The response header that carries the record back to the caller. */
  public static final String COMPLETION_HEADER = "txn-completion";

  static final String EXT_AUTHZ_NAMESPACE = "envoy.filters.http.ext_authz";

  private final Supplier<EnforcementPointSigner> signer;
  private final DecisionMetadata metadata;
  private final StateStore store;
  private final Clock clock;

  /** Decisions this instance minted for (the store says whether another replica did). */
  private final Cache<String, Boolean> minted;

  /** This instance's name as the owner of the store's once-per-decision claims. */
  private final String owner = "ext_proc-" + UUID.randomUUID();

  private final AtomicLong records = new AtomicLong();
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  /**
   * Where each minted record also goes (the association's ledger), before the response is released.
   */
  @FunctionalInterface
  public interface Ledgered {
    Ledgered NONE = (txn, component, step, decision, record, at) -> {};

    void completed(
        String txn, String component, String step, String decision, String record, Instant at);
  }

  private final Ledgered ledgered;
  private final CheckSpans spans;

  /**
   * @param metadata verifies the ALLOW ext_authz forwarded (its authenticator and age)
   * @param store where a decision is claimed once, across every replica that shares it
   */
  public CompletionProcessor(
      Supplier<EnforcementPointSigner> signer,
      DecisionMetadata metadata,
      StateStore store,
      Clock clock,
      Ledgered ledgered) {
    this(signer, metadata, store, clock, ledgered, CheckSpans.OFF);
  }

  /** The same, with a span for each stream ({@code spans}: no-ops when tracing is off). */
  public CompletionProcessor(
      Supplier<EnforcementPointSigner> signer,
      DecisionMetadata metadata,
      StateStore store,
      Clock clock,
      Ledgered ledgered,
      CheckSpans spans) {
    this.spans = requireNonNull(spans, "spans");
    this.signer = requireNonNull(signer, "signer");
    this.metadata = requireNonNull(metadata, "metadata");
    this.store = requireNonNull(store, "store");
    this.clock = requireNonNull(clock, "clock");
    this.ledgered = requireNonNull(ledgered, "ledgered");
    // As long as a tuple can still verify (max_age, plus a replica's clock running ahead).
    this.minted =
        Caffeine.newBuilder()
            .maximumSize(1_000_000)
            .expireAfterWrite(metadata.claimLifetime())
            .build();
  }

  /** Completion records minted so far. */
  public long records() {
    return records.get();
  }

  /** Successes that yielded no record because minting failed. */
  public long lost() {
    return lost.get();
  }

  /**
   * ALLOWs ext_proc did not act on: unauthenticated, altered, too old, or for a component the Envoy
   * that sent them is not bound to.
   */
  public long refused() {
    return refused.get();
  }

  @Override
  public StreamObserver<ProcessingRequest> process(StreamObserver<ProcessingResponse> responses) {
    // The components the Envoy on this stream fronts (CallerAdmission); null where callers are not
    // named.
    Set<String> bound = CallerAdmission.boundComponents();
    return new StreamObserver<>() {
      private DecisionMetadata.@Nullable Allowed allowed;
      private boolean told;
      private final McpCall mcp = new McpCall();

      /** The stream's span, from its first message to its end (a no-op when not traced). */
      private @Nullable Span span;

      @Override
      public void onNext(ProcessingRequest request) {
        Span traced = span;
        if (traced == null) {
          traced =
              spans.extProc(
                  name ->
                      request.hasRequestHeaders()
                          ? emptyToNull(header(request.getRequestHeaders(), name))
                          : null);
          span = traced;
        }
        ProcessingResponse response;
        try {
          Struct authz =
              request.getMetadataContext().getFilterMetadataMap().get(EXT_AUTHZ_NAMESPACE);
          if (authz != null && !told) {
            told = true;
            DecisionMetadata.Read read = metadata.read(authz);
            allowed = admitted(read, bound);
            if (allowed != null) {
              traced.setAttribute(CheckSpans.DECISION_ID, allowed.decisionId());
            }
            if (allowed == null && read instanceof DecisionMetadata.Read.Refused refused) {
              mcp.unverifiedListing = refused.claimsListing();
            } else if (allowed == null && read instanceof DecisionMetadata.Read.Verified verified) {
              // A listing verified for a component this Envoy does not front keeps nothing too.
              mcp.unverifiedListing = verified.allowed().listKept() != null;
            }
          }
          response = respond(request, allowed, mcp);
        } catch (RuntimeException e) {
          lost.incrementAndGet();
          LOG.log(
              System.Logger.Level.WARNING,
              "completion record lost for decision {0}: {1}",
              allowed == null ? "?" : allowed.decisionId(),
              e.toString());
          response = passThrough(request);
        }
        responses.onNext(response);
      }

      @Override
      public void onError(Throwable t) {
        // Envoy went away (the client reset the stream): nothing to answer.
        ended();
      }

      @Override
      public void onCompleted() {
        ended();
        responses.onCompleted();
      }

      private void ended() {
        if (span != null) {
          span.end();
        }
      }
    };
  }

  /**
   * The ALLOW this stream may act on, or null; a refused one is counted and logged (never its
   * authenticator).
   */
  private DecisionMetadata.@Nullable Allowed admitted(
      DecisionMetadata.Read read, @Nullable Set<String> bound) {
    String why;
    if (read instanceof DecisionMetadata.Read.Verified verified) {
      if (bound == null || bound.contains(verified.allowed().component())) {
        return verified.allowed();
      }
      why =
          "decision "
              + verified.allowed().decisionId()
              + " is for component "
              + verified.allowed().component()
              + ", which the Envoy on this stream does not front";
    } else if (read instanceof DecisionMetadata.Read.Refused refusal) {
      why = refusal.why();
    } else {
      return null;
    }
    long n = refused.incrementAndGet();
    if (n == 1 || n % 1000 == 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "ext_proc: ignored an ALLOW ({0} so far): {1}",
          n,
          LogText.of(why));
    }
    return null;
  }

  /**
   * An allowed MCP tool call awaiting its response body: a 2xx only says the server answered, the
   * JSON-RPC response says whether the tool ran.
   */
  private static final class McpCall {
    boolean awaitingBody;
    boolean awaitingList;
    String contentType = "";

    /**
     * Whether this answers a list method whose ALLOW did not verify, or is for a component this
     * Envoy does not front: its answer keeps nothing.
     */
    boolean unverifiedListing;
  }

  private ProcessingResponse respond(
      ProcessingRequest request, DecisionMetadata.@Nullable Allowed allowed, McpCall mcp) {
    switch (request.getRequestCase()) {
      case RESPONSE_HEADERS -> {
        HttpHeaders headers = request.getResponseHeaders();
        String status = header(headers, ":status");
        boolean grpc = header(headers, "content-type").startsWith("application/grpc");
        boolean succeeded =
            grpc
                ? headers.getEndOfStream() && "0".equals(header(headers, "grpc-status"))
                : status.length() == 3 && status.charAt(0) == '2';
        String record = null;
        if (allowed == null && mcp.unverifiedListing) {
          mcp.awaitingList = succeeded && !headers.getEndOfStream();
          mcp.contentType = header(headers, "content-type");
        } else if (allowed != null && allowed.mcp()) {
          // Decided on the body, in the body phase (the route's ext_proc must buffer the response
          // body; with body mode NONE an MCP tool call yields no record, never a wrong one).
          boolean answered =
              succeeded && !headers.getEndOfStream() && !allowed.jsonRpcId().isEmpty();
          mcp.awaitingBody = answered && !allowed.step().isEmpty();
          mcp.awaitingList = answered && allowed.listKept() != null;
          mcp.contentType = header(headers, "content-type");
        } else if (succeeded) {
          record = mint(allowed);
        }
        CommonResponse.Builder common = CommonResponse.newBuilder();
        if (record != null) {
          common.setHeaderMutation(HeaderMutation.newBuilder().addSetHeaders(set(record)));
        }
        return ProcessingResponse.newBuilder()
            .setResponseHeaders(HeadersResponse.newBuilder().setResponse(common))
            .build();
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
          if (body.getEndOfStream()
              && allowed != null
              && JsonRpcOutcome.toolCallSucceeded(
                  body.getBody().toStringUtf8(), mcp.contentType, allowed.jsonRpcId())) {
            record = mint(allowed);
          }
        }
        CommonResponse.Builder common = CommonResponse.newBuilder();
        if (record != null) {
          common.setHeaderMutation(HeaderMutation.newBuilder().addSetHeaders(set(record)));
        }
        if (mcp.awaitingList) {
          mcp.awaitingList = false;
          // A listing whose ALLOW did not verify (or whose kept set does not read) keeps nothing:
          // cutting only ever hides.
          ListFilter.Kept kept =
              allowed == null
                  ? null
                  : ListFilter.Kept.decode(requireNonNull(allowed.listKept())).orElse(null);
          Optional<String> filtered =
              !body.getEndOfStream()
                  ? Optional.empty()
                  : ListFilter.filter(body.getBody().toStringUtf8(), mcp.contentType, kept);
          if (filtered.isPresent()) {
            common.setBodyMutation(
                BodyMutation.newBuilder().setBody(ByteString.copyFromUtf8(filtered.get())));
            // The cut list is this credential's at this point of the txn: no HTTP cache may keep
            // it either (the body says so to MCP clients: ttlMs 0, cacheScope private).
            HeaderMutation.Builder headers =
                common.hasHeaderMutation()
                    ? common.getHeaderMutation().toBuilder()
                    : HeaderMutation.newBuilder();
            common.setHeaderMutation(
                headers.addSetHeaders(header("cache-control", "private, no-store")));
          }
        }
        return ProcessingResponse.newBuilder()
            .setResponseBody(BodyResponse.newBuilder().setResponse(common))
            .build();
      }
      default -> {
        return passThrough(request);
      }
    }
  }

  /**
   * The record for the allowed decision, once per decision across every replica sharing the state
   * store; null when there is none to mint.
   */
  private @Nullable String mint(DecisionMetadata.@Nullable Allowed allowed) {
    if (allowed == null) {
      return null;
    }
    String decision = allowed.decisionId();
    if (decision.isEmpty()
        || allowed.txn().isEmpty()
        || allowed.component().isEmpty()
        || allowed.step().isEmpty()
        || allowed.deadline().isEmpty()) {
      return null;
    }
    if (minted.asMap().putIfAbsent(decision, Boolean.TRUE) != null) {
      return null;
    }
    try {
      if (!owner.equals(store.claim("minted:" + decision, owner, metadata.claimLifetime()))) {
        return null; // another replica minted it
      }
    } catch (StateException e) {
      lost.incrementAndGet();
      LOG.log(
          System.Logger.Level.WARNING,
          "completion record lost for decision {0}: {1}",
          decision,
          e.getMessage());
      return null;
    }
    Instant now = clock.instant();
    String record =
        signer
            .get()
            .completion(
                allowed.txn(),
                allowed.component(),
                allowed.step(),
                decision,
                now,
                Instant.ofEpochSecond(Long.parseLong(allowed.deadline())));
    records.incrementAndGet();
    ledgered.completed(allowed.txn(), allowed.component(), allowed.step(), decision, record, now);
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

  private static HeaderValueOption header(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(
            HeaderValue.newBuilder()
                .setKey(name)
                .setRawValue(ByteString.copyFrom(value, StandardCharsets.US_ASCII)))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  private static HeaderValueOption set(String record) {
    return header(COMPLETION_HEADER, record);
  }

  private static @Nullable String emptyToNull(String value) {
    return value.isEmpty() ? null : value;
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
    return h.getRawValue().isEmpty()
        ? h.getValue()
        : h.getRawValue().toString(StandardCharsets.UTF_8);
  }
}
