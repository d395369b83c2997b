package dev.hopgate.server.grpc;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.decision.DecisionIds;
import dev.hopgate.pdp.mcp.ProtectedResource;
import dev.hopgate.pdp.request.Deadline;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.server.telemetry.CheckSpans;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.trace.Span;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code envoy.service.auth.v3.Authorization/Check}: a thin layer from CheckRequest to a
 * decision and back. It always answers with a CheckResponse, never a gRPC error, so that even a bug
 * in hopgate is a denial with a problem body, whatever Envoy's failure mode says.
 *
 * <p>Each Check is answered exactly once, before the deadline Envoy sent ({@code grpc-timeout})
 * less the margin: by its decision on a worker, or, if that is still running, by a TIMEOUT from the
 * deadline's timer (the decision then gives back what it spent); with every worker busy and the
 * queue full, at once by {@code overloaded}.
 */
public final class AuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {
  private static final System.Logger LOG = System.getLogger(AuthorizationService.class.getName());

  private final Supplier<DecisionPoint> decisionPoint;
  private final DecisionMetadata sealer;
  private final DecisionListener listener;
  private final CheckWorkers workers;
  private final CheckSpans spans;

  /** Decides on gRPC's own thread, with no timer (tests, warm-up). */
  public AuthorizationService(
      Supplier<DecisionPoint> decisionPoint, DecisionMetadata sealer, DecisionListener listener) {
    this(decisionPoint, sealer, listener, CheckWorkers.INLINE, CheckSpans.OFF);
  }

  /**
   * @param decisionPoint the current decision point (swapped atomically when policies reload)
   * @param sealer seals every ALLOW's dynamic metadata for ext_proc
   * @param listener told of every decision and how long the check took (metrics, the association)
   * @param workers where Checks are decided, and the deadline margin
   * @param spans each Check's span (its stages' are the decision point's)
   */
  public AuthorizationService(
      Supplier<DecisionPoint> decisionPoint,
      DecisionMetadata sealer,
      DecisionListener listener,
      CheckWorkers workers,
      CheckSpans spans) {
    this.decisionPoint = requireNonNull(decisionPoint, "decisionPoint");
    this.sealer = requireNonNull(sealer, "sealer");
    this.listener = requireNonNull(listener, "listener");
    this.workers = requireNonNull(workers, "workers");
    this.spans = requireNonNull(spans, "spans");
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> responses) {
    long start = System.nanoTime();
    if (responses instanceof ServerCallStreamObserver<CheckResponse> call) {
      // Envoy may give up first: answering a cancelled call is then a no-op, not an error.
      call.setOnCancelHandler(() -> {});
    }
    Answer answer = new Answer(responses, start);
    DecisionPoint.Pending pending;
    try {
      DecisionPoint current = decisionPoint.get();
      HopRequest hop = CheckRequests.toHopRequest(request, CallerAdmission.boundComponents());
      answer.span = spans.check(hop::header);
      ProtectedResource metadata = current.protectedResource(hop);
      if (metadata != null) {
        answer.span.setAttribute("hopgate.answer", "protected_resource_metadata");
        answer.span.end();
        responses.onNext(CheckResponses.protectedResource(metadata));
        responses.onCompleted();
        return;
      }
      pending = current.begin(hop, deadline(Context.current()), answer.span);
    } catch (RuntimeException | LinkageError e) {
      answer.failed(e);
      return;
    }
    try {
      workers.execute(answer.guarded(pending::decide));
    } catch (RejectedExecutionException e) {
      answer.guarded(pending::shed).run();
      return;
    }
    long left = pending.deadline().nanosLeft();
    if (left != Long.MAX_VALUE) {
      try {
        answer.timer(workers.at(left, answer.guarded(pending::expire)));
      } catch (RejectedExecutionException e) {
        // Shutting down: the decision still answers, between its stages' own deadline checks.
      }
    }
  }

  /** The call's deadline less the margin; passed early if Envoy cancels the call. */
  private Deadline deadline(Context call) {
    io.grpc.Deadline grpc = call.getDeadline();
    return grpc == null
        ? Deadline.untilGone(call::isCancelled)
        : Deadline.in(
            Duration.ofNanos(grpc.timeRemaining(TimeUnit.NANOSECONDS)),
            workers.deadlineMargin(),
            call::isCancelled);
  }

  /** Decides on this thread and answers (tests). */
  CheckResponse decide(CheckRequest request) {
    long start = System.nanoTime();
    try {
      Decision decision =
          decisionPoint
              .get()
              .decide(CheckRequests.toHopRequest(request, CallerAdmission.boundComponents()));
      CheckResponse response = CheckResponses.of(decision, sealer);
      listener.decided(decision, System.nanoTime() - start);
      return response;
    } catch (RuntimeException | LinkageError e) {
      return failure(e);
    }
  }

  private static CheckResponse failure(Throwable e) {
    String id = DecisionIds.next();
    LOG.log(
        System.Logger.Level.ERROR,
        "decision " + id + " failed closed outside the decision point",
        e);
    return CheckResponses.of(Decision.abort(id, null, "internal_error", null));
  }

  /** The one answer of one Check; whoever holds a decision answers with it (only one does). */
  private final class Answer {
    private final StreamObserver<CheckResponse> responses;
    private final long start;
    private final AtomicReference<@Nullable ScheduledFuture<?>> timer = new AtomicReference<>();
    private final AtomicBoolean sent = new AtomicBoolean();
    private volatile boolean answered;

    /** The Check's span, ended with its answer; invalid when the Check is not traced. */
    volatile Span span = Span.getInvalid();

    Answer(StreamObserver<CheckResponse> responses, long start) {
      this.responses = responses;
      this.start = start;
    }

    void timer(@Nullable ScheduledFuture<?> scheduled) {
      timer.set(scheduled);
      if (answered && scheduled != null) {
        // Decided before its timer was set: the timer would find nothing to answer.
        scheduled.cancel(false);
      }
    }

    void with(@Nullable Decision decision) {
      if (decision == null) {
        return; // the other one answered
      }
      answered = true;
      ScheduledFuture<?> scheduled = timer.getAndSet(null);
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      CheckResponse response;
      try {
        LOG.log(
            System.Logger.Level.DEBUG,
            "decision {0} {1} {2}",
            decision.id(),
            decision.outcome(),
            decision.violations());
        response = CheckResponses.of(decision, sealer);
        listener.decided(decision, System.nanoTime() - start);
      } catch (RuntimeException | LinkageError e) {
        response = failure(e);
        CheckSpans.failed(span);
      }
      send(response);
      try {
        // After the answer and apart from it: a span cannot change what was decided.
        CheckSpans.decided(span, decision);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.DEBUG, "span of decision {0}: {1}", decision.id(), e);
      }
    }

    void failed(Throwable e) {
      CheckResponse response = failure(e);
      CheckSpans.failed(span);
      send(response);
    }

    /**
     * Runs {@code answering} and answers with what it returns (null: another one answers); if it
     * throws anything at all, the Check is still answered, as failed closed.
     */
    Runnable guarded(Supplier<@Nullable Decision> answering) {
      return () -> {
        try {
          with(answering.get());
        } catch (Throwable t) {
          failed(t);
        }
      };
    }

    private void send(CheckResponse response) {
      if (!sent.compareAndSet(false, true)) {
        return; // answered already (a failure after the answer went out)
      }
      try {
        responses.onNext(response);
        responses.onCompleted();
      } catch (RuntimeException e) {
        // The call is gone (Envoy gave up, the connection closed): nobody is left to answer.
        LOG.log(
            System.Logger.Level.DEBUG, "check answered after its call ended: {0}", e.toString());
      }
    }
  }
}
