package dev.hopgate.pdp.engine;

/** The engine could not decide (an evaluation error, an undefined result); hopgate denies. */
public final class EvaluationException extends Exception {
  private static final long serialVersionUID = 1L;

  public EvaluationException(String message) {
    super(message);
  }

  public EvaluationException(String message, Throwable cause) {
    super(message, cause);
  }
}
