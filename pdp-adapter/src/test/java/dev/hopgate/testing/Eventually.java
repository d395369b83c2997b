package dev.hopgate.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A wait for observable state: a condition polled until it holds, or a failure naming what never
 * happened. The one way tests wait; none sleeps for a fixed time, so a busy machine only makes a
 * test slower, never red.
 *
 * <p>{@code Eventually.within(Duration.ofSeconds(10), "the ledger shows the START", () -> ...)}
 */
public final class Eventually {
  /**
   * How long a wait may take unless the test says otherwise: generous, since it only bounds a
   * failure.
   */
  public static final Duration DEFAULT = Duration.ofSeconds(30);

  private static final long FIRST_PAUSE_NANOS = Duration.ofMillis(5).toNanos();
  private static final long LONGEST_PAUSE_NANOS = Duration.ofMillis(200).toNanos();

  private Eventually() {}

  /** A condition that may throw: an exception counts as "not yet" and is named if time runs out. */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /** A value read from the outside world, such as a file, a metric or a response. */
  @FunctionalInterface
  public interface Probe<T> {
    T read() throws Exception;
  }

  /**
   * Thrown by a condition that knows the wait is hopeless (the process it waits for has exited):
   * the wait ends at once with it.
   */
  public static final class Hopeless extends RuntimeException {
    public Hopeless(String message) {
      super(message);
    }
  }

  /** Waits until {@code condition} holds, at most {@code bound}; fails naming {@code what}. */
  public static void within(Duration bound, String what, Condition condition) {
    within(bound, what, () -> condition.holds() ? Boolean.TRUE : null, Objects::nonNull);
  }

  /** {@link #within(Duration, String, Condition)} with {@link #DEFAULT}. */
  public static void until(String what, Condition condition) {
    within(DEFAULT, what, condition);
  }

  /** {@link #within(Duration, String, Probe, Predicate)} with {@link #DEFAULT}. */
  public static <T> T until(String what, Probe<T> probe, Predicate<? super T> accepted) {
    return within(DEFAULT, what, probe, accepted);
  }

  /**
   * Reads {@code probe} until {@code accepted} holds for what it read, at most {@code bound}, and
   * returns that value; fails naming {@code what} and the last value or error seen.
   */
  public static <T> T within(
      Duration bound, String what, Probe<T> probe, Predicate<? super T> accepted) {
    long start = System.nanoTime();
    long deadline = start + bound.toNanos();
    long pause = FIRST_PAUSE_NANOS;
    Object last = "(nothing read)";
    while (true) {
      try {
        T value = probe.read();
        if (accepted.test(value)) {
          return value;
        }
        last = value;
      } catch (Hopeless e) {
        throw e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what, e);
      } catch (Exception | AssertionError e) {
        last = e;
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        throw new AssertionError(
            "never happened within " + bound.toMillis() + " ms: " + what + "\n  last seen: " + last,
            last instanceof Throwable t ? t : null);
      }
      pause(Math.min(pause, deadline - now));
      pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
    }
  }

  // The poll interval between two reads of observable state (5 ms doubling to 200 ms): the only
  // pause in the tests, and never the thing a test waits for.
  private static void pause(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while waiting", e);
    }
  }
}
