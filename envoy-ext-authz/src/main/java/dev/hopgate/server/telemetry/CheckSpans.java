package dev.hopgate.server.telemetry;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The spans hopgate's gRPC services start: one per Check (its stages are children, started by the
 * decision point) and one per ext_proc stream. Attributes name the decision, its outcome, first
 * gate and code, the txn, component and step: never a token, a key or a header value.
 */
public final class CheckSpans {
  /** Tracing off: every span is the invalid one, and nothing is recorded. */
  public static final CheckSpans OFF = new CheckSpans(OpenTelemetry.noop().getTracer("off"), false);

  public static final AttributeKey<String> DECISION_ID =
      AttributeKey.stringKey("hopgate.decision.id");
  public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("hopgate.outcome");
  public static final AttributeKey<String> GATE = AttributeKey.stringKey("hopgate.gate");
  public static final AttributeKey<String> CODE = AttributeKey.stringKey("hopgate.code");
  public static final AttributeKey<String> TXN = AttributeKey.stringKey("hopgate.txn");
  public static final AttributeKey<String> COMPONENT = AttributeKey.stringKey("hopgate.component");
  public static final AttributeKey<String> STEP = AttributeKey.stringKey("hopgate.step");

  private final Tracer tracer;
  private final boolean on;

  private CheckSpans(Tracer tracer, boolean on) {
    this.tracer = tracer;
    this.on = on;
  }

  /** Spans made with {@code tracer} (the SDK's, when tracing is configured). */
  public static CheckSpans with(Tracer tracer) {
    return new CheckSpans(tracer, true);
  }

  /** The tracer the decision point's stages use (a no-op one when off). */
  public Tracer tracer() {
    return tracer;
  }

  /** A Check's span, started; the invalid span when tracing is off. */
  public Span check(Function<String, @Nullable String> requestHeader) {
    return start("envoy.service.auth.v3.Authorization/Check", "Check", requestHeader);
  }

  /** An ext_proc stream's span, started; the invalid span when tracing is off. */
  public Span extProc(Function<String, @Nullable String> requestHeader) {
    return start("envoy.service.ext_proc.v3.ExternalProcessor/Process", "Process", requestHeader);
  }

  private Span start(String name, String method, Function<String, @Nullable String> header) {
    if (!on) {
      return Span.getInvalid();
    }
    return tracer
        .spanBuilder(name)
        .setSpanKind(SpanKind.SERVER)
        .setParent(TraceParents.parent(header))
        .setAttribute("rpc.system", "grpc")
        .setAttribute("rpc.method", method)
        .startSpan();
  }

  /** Ends a Check's span with what was decided. */
  public static void decided(Span span, Decision decision) {
    if (span.isRecording()) {
      span.setAttribute(DECISION_ID, decision.id());
      span.setAttribute(OUTCOME, decision.outcome().name());
      if (!decision.violations().isEmpty()) {
        var first = decision.violations().get(0);
        span.setAttribute(GATE, first.gate().wireName());
        span.setAttribute(CODE, first.code());
      }
      setIfPresent(span, TXN, decision.txn());
      setIfPresent(span, COMPONENT, decision.about().component());
      setIfPresent(span, STEP, decision.about().step());
      if (decision.policyRevision() != null) {
        span.setAttribute("hopgate.policy.revision", decision.policyRevision());
      }
      if (!decision.allowed()) {
        // A denial is the Check doing its job, not a fault: its status stays unset.
        span.setAttribute("hopgate.denied", true);
        if (decision.outcome() != dev.hopgate.pdp.gate.Outcome.DENY) {
          // Failing closed (ABORT, TIMEOUT) is a fault, unlike a denial.
          span.setStatus(StatusCode.ERROR, decision.outcome().name());
        }
      }
    }
    span.end();
  }

  /** Ends a span whose Check failed outside the decision point (answered as failed closed). */
  public static void failed(Span span) {
    if (span.isRecording()) {
      span.setAttribute(OUTCOME, "ABORT");
      span.setAttribute(CODE, "internal_error");
      span.setStatus(StatusCode.ERROR, "internal_error");
    }
    span.end();
  }

  private static void setIfPresent(Span span, AttributeKey<String> key, @Nullable String value) {
    if (value != null && !value.isEmpty()) {
      span.setAttribute(key, value);
    }
  }

  /** The decision point tracing its stages with this tracer, when tracing is on. */
  public DecisionPoint traced(DecisionPoint decisionPoint) {
    return on ? decisionPoint.withTracer(tracer) : decisionPoint;
  }
}
