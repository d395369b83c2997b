package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.token.HopToken;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Spends one-time hop tokens ({@code once: true}): the first ALLOW claims the token's {@code jti}
 * until {@code exp} + skew; a later request with it is {@code token_consumed}.
 *
 * <p>Envoy may retry a Check that timed out. A retry carries the same request id and request time
 * (fields only Envoy sets), so the claim's owner is that pair: the same pair within the retry
 * window gets the same answer, while a client resending its request is a new request (a new id) and
 * is refused. Without a request id, each decision is its own owner and any second use is refused.
 */
public final class OneTimeTokens {
  private final StateStore store;
  private final Duration retryWindow;
  private final Duration clockSkew;

  public OneTimeTokens(StateStore store, Duration retryWindow, Duration clockSkew) {
    this.store = requireNonNull(store, "store");
    this.retryWindow = requireNonNull(retryWindow, "retryWindow");
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
  }

  public StateStore store() {
    return store;
  }

  public Duration clockSkew() {
    return clockSkew;
  }

  /**
   * Spends {@code token} for {@code request} (alone; an ALLOW that spends more reserves it together
   * with the rest through {@link #claim} and {@link #retryHonoured}).
   *
   * @return true when this request may use it (first use, or Envoy retrying the first use)
   */
  public boolean spend(HopToken token, HopRequest request, String decisionId, Instant now)
      throws StateException {
    String owner = owner(request, decisionId);
    Reservation.Outcome outcome =
        store.reserve(new Reservation(owner, List.of(claim(token, now)), List.of()));
    return !(outcome instanceof Reservation.Outcome.ClaimHeld) && retryHonoured(request, now);
  }

  /**
   * Who spends on behalf of {@code request}: Envoy's stream id and request time, to the nanosecond,
   * when it sent them (its retries carry the same pair; a client's {@code x-request-id} is
   * neither), else the decision alone.
   */
  public static String owner(HopRequest request, String decisionId) {
    Instant sent = request.requestTime();
    return retryable(request) && sent != null
        ? request.requestId() + "|" + sent.getEpochSecond() + "." + sent.getNano()
        : decisionId;
  }

  /** The claim that spends {@code token}: its issuer and jti, until it expires (plus skew). */
  public Reservation.Claim claim(HopToken token, Instant now) {
    // The key is a digest: jtis are the issuer's strings, of any length and alphabet.
    String key =
        "once:" + Digests.ofJson(java.util.List.of(token.issuer(), token.jti())).substring(7);
    return new Reservation.Claim(key, Duration.between(now, token.expiresAt().plus(clockSkew)));
  }

  /**
   * Whether a reservation this request holds may still be used: a fresh one, or Envoy's retry of it
   * within the retry window (a client resending its request later is refused).
   */
  public boolean retryHonoured(HopRequest request, Instant now) {
    Instant sent = request.requestTime();
    return !retryable(request)
        || sent == null
        || !now.isAfter(sent.plus(retryWindow).plus(clockSkew));
  }

  private static boolean retryable(HopRequest request) {
    return !request.requestId().isEmpty() && request.requestTime() != null;
  }
}
