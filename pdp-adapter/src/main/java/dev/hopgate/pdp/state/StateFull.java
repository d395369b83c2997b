package dev.hopgate.pdp.state;

/**
 * The in-memory state store holds as many live keys as it may: a new claim is refused rather than
 * an older one evicted (an evicted claim could be spent again). The decision is a denial, {@code
 * state_full}.
 */
public final class StateFull extends StateException {
  private static final long serialVersionUID = 1L;

  public StateFull(String message) {
    super(message, null);
  }
}
