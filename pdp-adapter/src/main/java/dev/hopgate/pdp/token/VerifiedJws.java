package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jwt.JWTClaimsSet;

/**
 * A JWS whose signature verified with a trusted key: a fact that does not change, so it may be
 * cached. Whether its claims are acceptable now (expiry, audience, ...) is decided on every use.
 *
 * @param digest {@code sha256:} over the compact JWS's ASCII bytes
 */
public record VerifiedJws(
    String compact, String digest, JWTClaimsSet claims, String keyId, long keyRevision) {
  public VerifiedJws {
    requireNonNull(compact, "compact");
    requireNonNull(digest, "digest");
    requireNonNull(claims, "claims");
    requireNonNull(keyId, "keyId");
  }
}
