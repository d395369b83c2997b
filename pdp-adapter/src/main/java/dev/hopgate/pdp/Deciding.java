package dev.hopgate.pdp;

import dev.hopgate.pdp.decision.DecisionIds;
import dev.hopgate.pdp.decision.Denials;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.request.Deadline;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.Reservation;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * One decision in the making: what each stage learnt that the response and the log record need,
 * whichever stage ends it.
 */
final class Deciding {
  final String id = DecisionIds.next();
  final HopRequest request;
  final Denials deny;
  final Deadline deadline;

  /** Set by whoever answers first: the decision, or its deadline ({@code Pending#expire}). */
  final AtomicBoolean answered = new AtomicBoolean();

  /** Whether the decision itself took the answer (so it must give one, even after a failure). */
  boolean wonAnswer;

  // Read by the deadline's thread too.
  volatile @Nullable Route route;
  volatile @Nullable String txn;

  /** What this decision reserved in the state store, until it is answered or given back. */
  @Nullable Reservation reserved;

  @Nullable McpFacts mcp;
  @Nullable InputDocument input;
  DecisionSink.@Nullable Slot slot;
  long floorNanos;
  long engineNanos;

  /**
   * The Check's span, the parent of each stage's; invalid when the Check is not traced (then no
   * stage is either).
   */
  io.opentelemetry.api.trace.Span span = io.opentelemetry.api.trace.Span.getInvalid();

  Deciding(
      HopRequest request,
      PolicySnapshot snapshot,
      @Nullable String tokenEndpoint,
      Deadline deadline) {
    this.request = request;
    this.deadline = deadline;
    this.deny = new Denials(id, snapshot, tokenEndpoint);
  }
}
