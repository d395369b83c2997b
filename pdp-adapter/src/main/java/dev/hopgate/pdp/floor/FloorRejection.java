package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import java.util.Objects;

/** A floor rule failed. The message is safe to show: it names what failed, never a token or key. */
public final class FloorRejection extends Exception {
  private static final long serialVersionUID = 1L;

  private final FloorCode code;

  public FloorRejection(FloorCode code, String message) {
    super(requireNonNull(message, "message"), null, false, false);
    this.code = requireNonNull(code, "code");
  }

  public FloorCode code() {
    return code;
  }

  /** Never null: the constructor requires a message. */
  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
