package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import java.util.Objects;

/** A JWS did not verify. The message is safe to show: it never contains the JWS or a key. */
public final class JwsRejection extends Exception {
  private static final long serialVersionUID = 1L;

  private final JwsProblem problem;

  public JwsRejection(JwsProblem problem, String message) {
    super(requireNonNull(message, "message"), null, false, false);
    this.problem = requireNonNull(problem, "problem");
  }

  public JwsProblem problem() {
    return problem;
  }

  /** Never null: the constructor requires a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
