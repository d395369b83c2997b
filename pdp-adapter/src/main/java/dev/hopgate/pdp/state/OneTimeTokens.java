package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.HopRequest;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.token.HopToken;
import java.time.Duration;
import java.time.Instant;

/**
 * Spends one-time hop tokens ({@code once: true}): the first ALLOW claims the token's {@code jti}
 * until {@code exp} + skew; a later request with it is {@code token_consumed}.
 *
 * <p>Envoy may retry a Check that timed out. A retry carries the same request id and request time
 * (fields only Envoy sets), so the claim's owner is that pair: the same pair within the retry window
 * gets the same answer, while a client resending its request is a new request (a new id) and is
 * refused. Without a request id, each decision is its own owner and any second use is refused.
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

  /**
   * Spends {@code token} for {@code request}.
   *
   * @return true when this request may use it (first use, or Envoy retrying the first use)
   */
  public boolean spend(HopToken token, HopRequest request, String decisionId, Instant now) throws StateException {
    // The key is a digest: jtis are the issuer's strings, of any length and alphabet.
    String key = "once:" + Digests.ofJson(java.util.List.of(token.issuer(), token.jti())).substring(7);
    boolean retryable = !request.requestId().isEmpty() && request.requestTime() != null;
    String owner = retryable ? request.requestId() + "|" + request.requestTime().toEpochMilli() : decisionId;
    Duration ttl = Duration.between(now, token.expiresAt().plus(clockSkew));
    if (ttl.isNegative() || ttl.isZero()) {
      ttl = Duration.ofSeconds(1);
    }
    String holder = store.claim(key, owner, ttl);
    if (!holder.equals(owner)) {
      return false;
    }
    // Our own claim: fresh, or Envoy's retry of it, which is only a retry within the window.
    return !retryable || !now.isAfter(request.requestTime().plus(retryWindow).plus(clockSkew));
  }
}
