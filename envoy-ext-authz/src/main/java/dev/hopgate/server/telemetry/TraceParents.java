package dev.hopgate.server.telemetry;

import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Where a Check's or an ext_proc stream's span hangs: the W3C trace context Envoy sent with the
 * gRPC call itself (its own span for the call, when Envoy traces), else the one the HTTP request
 * carries (the caller's span). Either way the span sits under the caller's.
 *
 * <p>Trace context only places a span: it grants nothing and is never trusted for a decision. The
 * interceptor runs after the caller's admission, so it reads only admitted calls' metadata.
 */
public final class TraceParents implements ServerInterceptor {
  private static final Metadata.Key<String> TRACEPARENT =
      Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> TRACESTATE =
      Metadata.Key.of("tracestate", Metadata.ASCII_STRING_MARSHALLER);

  /** The call's own trace context, as Envoy sent it; unset when it sent none. */
  private static final io.grpc.Context.Key<Headers> CALL = io.grpc.Context.key("hopgate-trace");

  private static final TextMapGetter<Function<String, @Nullable String>> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Function<String, @Nullable String> carrier) {
          return List.of("traceparent", "tracestate");
        }

        @Override
        public @Nullable String get(
            @Nullable Function<String, @Nullable String> carrier, String key) {
          return carrier == null ? null : carrier.apply(key);
        }
      };

  private record Headers(String traceparent, @Nullable String tracestate) {
    @Nullable String get(String key) {
      return key.equals("traceparent") ? traceparent : key.equals("tracestate") ? tracestate : null;
    }
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String traceparent = headers.get(TRACEPARENT);
    if (traceparent == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(
        io.grpc.Context.current()
            .withValue(CALL, new Headers(traceparent, headers.get(TRACESTATE))),
        call,
        headers,
        next);
  }

  /**
   * The parent for the current call's span: the call's own trace context, else the request's (read
   * by {@code requestHeader}); the root context when neither is valid W3C trace context.
   */
  public static Context parent(Function<String, @Nullable String> requestHeader) {
    Headers call = CALL.get();
    if (call != null) {
      Context fromCall =
          W3CTraceContextPropagator.getInstance().extract(Context.root(), call::get, GETTER);
      if (io.opentelemetry.api.trace.Span.fromContext(fromCall).getSpanContext().isValid()) {
        return fromCall;
      }
    }
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), requestHeader, GETTER);
  }
}
