package dev.hopgate.pdp.floor;

import static dev.hopgate.pdp.floor.FloorCode.ORIGIN_INVALID;
import static dev.hopgate.pdp.floor.FloorCode.ORIGIN_LIFETIME;
import static dev.hopgate.pdp.floor.FloorCode.ORIGIN_MISSING;
import static dev.hopgate.pdp.floor.FloorCode.ORIGIN_NOT_YET_VALID;
import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.token.JwsRejection;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.NotBefore;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.token.VerifiedJws;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Verifies the origin token ({@code Txn-Token}, IETF OAuth Transaction Tokens) of a request. */
public final class OriginVerifier {
  private static final int MAX_BYTES = 16 * 1024;

  private final TrustSet trustSet;
  private final KeyResolver keys;
  private final String trustDomain;
  private final JwsVerifier jwsVerifier;
  private final Cache<String, String> bindings = Caffeine.newBuilder().maximumSize(10_000).build();
  private final Duration clockSkew;

  /**
   * @param trustDomain the {@code aud} every origin token of this deployment carries
   */
  /**
   * The longest an origin token may live ({@code exp - iat}): a Txn-Token is short-lived and
   * replaced by the token service as the txn goes on; one that lives longer is refused.
   */
  public static final Duration MAX_LIFETIME = Duration.ofHours(1);

  public OriginVerifier(
      TrustSet trustSet, String trustDomain, JwsVerifier jwsVerifier, Duration clockSkew) {
    this.trustSet = requireNonNull(trustSet, "trustSet");
    this.keys = KeyResolver.of(trustSet);
    this.trustDomain = requireNonNull(trustDomain, "trustDomain");
    this.jwsVerifier = requireNonNull(jwsVerifier, "jwsVerifier");
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
  }

  public OriginToken verify(@Nullable String header, Instant now) throws FloorRejection {
    if (header == null || header.isEmpty()) {
      throw new FloorRejection(ORIGIN_MISSING, "The request carries no origin token (Txn-Token).");
    }
    if (header.length() > MAX_BYTES) {
      throw new FloorRejection(
          ORIGIN_INVALID,
          "Txn-Token is " + header.length() + " bytes (expected: at most " + MAX_BYTES + ").");
    }
    if (header.indexOf(',') >= 0) {
      throw new FloorRejection(ORIGIN_INVALID, "Txn-Token appears twice or holds a comma.");
    }
    VerifiedJws jws;
    try {
      jws =
          jwsVerifier.verify(
              header.strip(), WireTypes.ORIGIN, trustSet.algorithms(), keys, "The origin token");
    } catch (JwsRejection e) {
      throw new FloorRejection(ORIGIN_INVALID, e.getMessage());
    }
    try {
      return read(jws, now);
    } catch (IllegalArgumentException e) {
      throw new FloorRejection(ORIGIN_INVALID, e.getMessage() + ".");
    }
  }

  private OriginToken read(VerifiedJws jws, Instant now) throws FloorRejection {
    JWTClaimsSet claims = jws.claims();
    Map<String, Object> all = claims.getClaims();
    String what = "The origin token";
    String iss = Claims.string(all, "iss", what);
    if (!trustSet.issuers().contains(iss)) {
      throw new FloorRejection(
          ORIGIN_INVALID,
          "The origin token's issuer '" + iss + "' is not an issuer of " + trustSet.name() + ".");
    }
    String txn = Claims.string(all, "txn", what);
    String sub = Claims.string(all, "sub", what);
    List<String> audience = claims.getAudience();
    if (audience.size() != 1 || !audience.get(0).equals(trustDomain)) {
      throw new FloorRejection(
          ORIGIN_INVALID,
          "The origin token is for " + audience + ", not for trust domain '" + trustDomain + "'.");
    }
    Instant iat = Claims.date(claims, "iat", what);
    Instant exp = Claims.date(claims, "exp", what);
    String early = NotBefore.refusal(claims, now, clockSkew, what);
    if (early != null) {
      throw new FloorRejection(ORIGIN_NOT_YET_VALID, early);
    }
    if (!exp.isAfter(iat) || Duration.between(iat, exp).compareTo(MAX_LIFETIME) > 0) {
      throw new FloorRejection(
          ORIGIN_LIFETIME,
          "The origin token lives "
              + Duration.between(iat, exp).toSeconds()
              + " s (expected: more than 0 and at most "
              + MAX_LIFETIME.toSeconds()
              + " s; the token service replaces it while the txn goes on).");
    }
    if (now.isAfter(exp.plus(clockSkew))) {
      throw new FloorRejection(
          ORIGIN_INVALID,
          "The origin token expired at "
              + exp
              + "; the token service "
              + "replaces it while the txn goes on.");
    }
    Map<String, Object> tctx = Claims.object(all, "tctx", what);
    if (tctx == null) {
      throw new FloorRejection(ORIGIN_INVALID, "The origin token has no 'tctx'.");
    }
    String originWorkload = Claims.string(tctx, "origin_wl", "The origin token's tctx");
    Instant deadline = Claims.epochSeconds(tctx, "deadline", "The origin token's tctx");
    Map<String, Object> intent = Claims.object(tctx, "intent", "The origin token's tctx");
    if (intent != null) {
      Claims.string(intent, "process", "The origin token's intent");
      String digest = Claims.string(intent, "digest", "The origin token's intent");
      if (!digest.startsWith(Digests.PREFIX)) {
        throw new FloorRejection(
            ORIGIN_INVALID, "The origin token's intent digest is not sha256:<hex>.");
      }
      if (intent.size() != 2) {
        throw new FloorRejection(
            ORIGIN_INVALID, "The origin token's intent holds more than process and digest.");
      }
    }
    Set<String> authority = Claims.strings(tctx, "authority", "The origin token's tctx", true);
    // The binding is a JCS digest, costly to recompute for an origin token sent on every hop of its
    // txn: it depends only on the verified token, so it is kept per token digest.
    String binding =
        bindings.get(
            jws.digest(),
            d ->
                Digests.originBinding(
                    txn, sub, trustDomain, originWorkload, deadline.getEpochSecond(), intent));
    return new OriginToken(
        txn,
        sub,
        trustDomain,
        originWorkload,
        deadline,
        intent,
        authority,
        exp,
        binding,
        jws.digest());
  }
}
