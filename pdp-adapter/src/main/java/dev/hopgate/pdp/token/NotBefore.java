package dev.hopgate.pdp.token;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.jspecify.annotations.Nullable;

/**
 * RFC 7519 section 4.1.5: a JWT must not be accepted before its {@code nbf}, nor (hopgate's rule
 * for every artifact it verifies) before its {@code iat}, both with the configured clock skew. Each
 * artifact maps a refusal to its own code.
 */
public final class NotBefore {
  private NotBefore() {}

  /**
   * Why {@code claims} is not valid yet at {@code now}, or null when it is (an absent {@code nbf}
   * or {@code iat} does not refuse).
   *
   * @param what how the message names it, as in "The hop token"
   */
  public static @Nullable String refusal(
      JWTClaimsSet claims, Instant now, Duration skew, String what) {
    Instant latest = now.plus(skew);
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(latest)) {
      return what + " is not valid before " + nbf.toInstant() + " (nbf).";
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.toInstant().isAfter(latest)) {
      return what + " is issued in the future (" + iat.toInstant() + ").";
    }
    return null;
  }
}
