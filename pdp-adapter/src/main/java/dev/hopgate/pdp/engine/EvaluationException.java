package dev.hopgate.pdp.engine;

import org.jspecify.annotations.Nullable;

/**
 * The engine could not decide (an evaluation error, an undefined result, no answer in time);
 * hopgate denies, with outcome TIMEOUT when {@link #timedOut()} and ABORT otherwise.
 */
public final class EvaluationException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean timedOut;

  public EvaluationException(String message) {
    this(message, null, false);
  }

  public EvaluationException(String message, @Nullable Throwable cause) {
    this(message, cause, false);
  }

  private EvaluationException(String message, @Nullable Throwable cause, boolean timedOut) {
    super(message, cause);
    this.timedOut = timedOut;
  }

  /** The engine did not answer within its time limit. */
  public static EvaluationException timedOut(String message, @Nullable Throwable cause) {
    return new EvaluationException(message, cause, true);
  }

  public boolean timedOut() {
    return timedOut;
  }
}
