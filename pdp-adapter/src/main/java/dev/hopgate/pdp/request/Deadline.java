package dev.hopgate.pdp.request;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * When the caller stops waiting for a decision (Envoy's {@code grpc-timeout}), less the margin the
 * answer needs to reach it: past {@link #passed()} a decision must not spend, and is a TIMEOUT.
 * Read on {@link System#nanoTime()}, which wall-clock steps do not move.
 */
public final class Deadline {
  /** No deadline: the caller waits (tests, tools, a Check without {@code grpc-timeout}). */
  public static final Deadline NONE = new Deadline(Long.MAX_VALUE, false, () -> false);

  private final long answerByNanos;
  private final boolean set;
  private final BooleanSupplier gone;

  private Deadline(long answerByNanos, boolean set, BooleanSupplier gone) {
    this.answerByNanos = answerByNanos;
    this.set = set;
    this.gone = gone;
  }

  /**
   * A deadline {@code remaining} from now, of which {@code margin} is kept for the answer's way
   * back.
   */
  public static Deadline in(Duration remaining, Duration margin) {
    return in(remaining, margin, () -> false);
  }

  /**
   * The same, also passed once {@code gone} says the caller went away (Envoy cancelled the call:
   * its client left), so nothing is spent for a request nobody waits for.
   */
  public static Deadline in(Duration remaining, Duration margin, BooleanSupplier gone) {
    requireNonNull(remaining, "remaining");
    requireNonNull(margin, "margin");
    return new Deadline(
        System.nanoTime() + remaining.toNanos() - margin.toNanos(),
        true,
        requireNonNull(gone, "gone"));
  }

  /** A caller that sent no deadline but may still go away. */
  public static Deadline untilGone(BooleanSupplier gone) {
    return new Deadline(Long.MAX_VALUE, false, requireNonNull(gone, "gone"));
  }

  /** Whether there is a deadline at all. */
  public boolean isSet() {
    return set;
  }

  /** Whether the decision can no longer be answered with the margin left. */
  public boolean passed() {
    return (set && System.nanoTime() - answerByNanos >= 0) || gone.getAsBoolean();
  }

  /** Nanoseconds until the answer is due (0 when it is due now); Long.MAX_VALUE without one. */
  public long nanosLeft() {
    return set ? Math.max(0, answerByNanos - System.nanoTime()) : Long.MAX_VALUE;
  }

  @Override
  public String toString() {
    return set ? "answer in " + Duration.ofNanos(nanosLeft()) : "no deadline";
  }
}
