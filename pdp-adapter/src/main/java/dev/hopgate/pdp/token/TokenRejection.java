package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import java.util.Objects;

/**
 * A hop token failed verification. The message is safe to show the caller: it names what was wrong,
 * never the token or a key.
 */
public final class TokenRejection extends Exception {
  private static final long serialVersionUID = 1L;

  private final TokenCode code;

  public TokenRejection(TokenCode code, String message) {
    super(requireNonNull(message, "message"), null, false, false);
    this.code = requireNonNull(code, "code");
  }

  public TokenCode code() {
    return code;
  }

  /** Never null: the constructor requires a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
