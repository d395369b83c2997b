package dev.hopgate.pdp.state;

import org.jspecify.annotations.Nullable;

/** The state store could not answer in time; the decision that needed it is a denial. */
public class StateException extends Exception {
  private static final long serialVersionUID = 1L;

  public StateException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
