package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The verified claims of a hop token ({@code typ: hop+jwt}): permission for one hop of one txn.
 *
 * @param intent the declared intent ({@code {"process", "digest"}}), or null for implicit intent
 * @param originToken the digest of the origin token it was issued from ({@code origin_token}), or
 *     null when its issuer does not say (then any origin token of the txn goes with it)
 */
public record HopToken(
    String issuer,
    String subject,
    String audience,
    String txn,
    String jti,
    Instant issuedAt,
    Instant expiresAt,
    boolean once,
    @Nullable Map<String, Object> intent,
    String keyId,
    @Nullable String originToken) {
  public HopToken {
    requireNonNull(issuer, "issuer");
    requireNonNull(subject, "subject");
    requireNonNull(audience, "audience");
    requireNonNull(txn, "txn");
    requireNonNull(jti, "jti");
    requireNonNull(issuedAt, "issuedAt");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(keyId, "keyId");
    intent = intent == null ? null : Map.copyOf(intent);
  }
}
