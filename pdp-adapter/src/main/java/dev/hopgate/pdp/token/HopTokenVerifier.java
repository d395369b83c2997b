package dev.hopgate.pdp.token;

import static dev.hopgate.pdp.token.TokenCode.TOKEN_ALGORITHM;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_AUDIENCE;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_CRITICAL;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_EXPIRED;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_MALFORMED;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_MISSING;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_NOT_YET_VALID;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_SIGNATURE;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_UNKNOWN_KEY;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Verifies the hop token of a request ({@code Authorization: Bearer}, {@code typ: hop+jwt}) against
 * the token service's trust set and the component of the route.
 *
 * <p>Checks run cheapest and most specific first, so every refusal carries the one code that says
 * what is wrong: shape, algorithm, type, key, signature, then claims. The token itself never
 * appears in a message.
 */
public final class HopTokenVerifier {
  /** The JOSE {@code typ} of a hop token. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("hop+jwt");

  /** Far larger than any hop token; bounds the work an attacker can cause before verification. */
  private static final int MAX_TOKEN_CHARS = 8 * 1024;

  private final TrustSet trustSet;
  private final KeyResolver keys;
  private final JwsVerifier jwsVerifier;
  private final Duration clockSkew;
  private final Duration maxLifetime;
  private final Clock clock;

  public HopTokenVerifier(
      TrustSet trustSet, Duration clockSkew, Duration maxLifetime, Clock clock) {
    this(trustSet, JwsVerifier.withDefaultCache(), clockSkew, maxLifetime, clock);
  }

  public HopTokenVerifier(
      TrustSet trustSet,
      JwsVerifier jwsVerifier,
      Duration clockSkew,
      Duration maxLifetime,
      Clock clock) {
    this.trustSet = requireNonNull(trustSet, "trustSet");
    this.keys = KeyResolver.of(trustSet);
    this.jwsVerifier = requireNonNull(jwsVerifier, "jwsVerifier");
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
    this.maxLifetime = requireNonNull(maxLifetime, "maxLifetime");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Verifies the value of the {@code Authorization} header for a hop to {@code component}.
   *
   * @param authorization the header value, or null when the request has none
   * @throws TokenRejection with the specific {@code token_*} code
   */
  public HopToken verify(@Nullable String authorization, String component) throws TokenRejection {
    requireNonNull(component, "component");
    if (authorization == null || authorization.isEmpty()) {
      throw new TokenRejection(
          TOKEN_MISSING, "The request carries no hop token (Authorization: Bearer).");
    }
    if (authorization.length() > MAX_TOKEN_CHARS + 7) {
      throw new TokenRejection(
          TOKEN_MALFORMED,
          "The Authorization header is "
              + authorization.length()
              + " characters (expected: at most "
              + MAX_TOKEN_CHARS
              + ").");
    }
    String token = bearerToken(authorization);
    if (token == null) {
      throw new TokenRejection(
          TOKEN_MALFORMED, "The Authorization header is not one 'Bearer <token>' credential.");
    }
    VerifiedJws jws;
    try {
      jws = jws(token);
    } catch (JwsRejection e) {
      throw new TokenRejection(
          switch (e.problem()) {
            case MALFORMED -> TOKEN_MALFORMED;
            case ALGORITHM -> TOKEN_ALGORITHM;
            case CRITICAL -> TOKEN_CRITICAL;
            case UNKNOWN_KEY -> TOKEN_UNKNOWN_KEY;
            case SIGNATURE -> TOKEN_SIGNATURE;
          },
          e.getMessage());
    }
    HopToken hop = claims(jws.claims(), component, jws.keyId());
    if (hop.once()) {
      // Used once, so never looked up again: caching it would only fill the cache (and the heap
      // the garbage collector copies) with tokens that are already spent.
      jwsVerifier.forget(jws, TYPE, keys);
    }
    return hop;
  }

  /**
   * The token of one {@code Bearer} credential (RFC 6750, 2.1: the scheme case-insensitive, a
   * b64token), or null. A loop rather than a regex: it runs over every request's header.
   */
  static @Nullable String bearerToken(String authorization) {
    if (authorization.length() < 8 || !authorization.regionMatches(true, 0, "bearer ", 0, 7)) {
      return null;
    }
    int end = authorization.length();
    int padding = end;
    while (padding > 7 && authorization.charAt(padding - 1) == '=') {
      padding--;
    }
    if (padding == 7) {
      return null;
    }
    for (int i = 7; i < padding; i++) {
      char c = authorization.charAt(i);
      boolean b64token =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == '~'
              || c == '+'
              || c == '/';
      if (!b64token) {
        return null;
      }
    }
    return authorization.substring(7);
  }

  private VerifiedJws jws(String token) throws JwsRejection {
    return jwsVerifier.verify(token, TYPE, trustSet.algorithms(), keys, "The hop token");
  }

  private HopToken claims(JWTClaimsSet claims, String component, String kid) throws TokenRejection {
    String iss = requiredString(claims, "iss");
    if (!trustSet.issuers().contains(iss)) {
      throw new TokenRejection(
          TOKEN_UNKNOWN_KEY,
          "The hop token's issuer '"
              + iss
              + "' is not an issuer of the "
              + trustSet.name()
              + " trust set.");
    }
    String sub = requiredString(claims, "sub");
    String txn = requiredString(claims, "txn");
    String jti = requiredString(claims, "jti");
    Instant iat = requiredInstant(claims, "iat");
    Instant exp = requiredInstant(claims, "exp");

    // A one-element array names exactly one component too (RFC 7519 allows both forms).
    List<String> audiences = claims.getAudience();
    if (audiences.size() != 1) {
      throw new TokenRejection(
          TOKEN_AUDIENCE,
          "The hop token's aud must name exactly one component; it names "
              + audiences.size()
              + ".");
    }
    String audience = audiences.get(0);
    if (!audience.equals(component)) {
      throw new TokenRejection(
          TOKEN_AUDIENCE,
          "The hop token is for '" + audience + "', not for this component '" + component + "'.");
    }

    Instant now = clock.instant();
    if (!exp.isAfter(iat)) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token expires before it was issued.");
    }
    if (Duration.between(iat, exp).compareTo(maxLifetime) > 0) {
      throw new TokenRejection(
          TOKEN_MALFORMED,
          "The hop token lives "
              + Duration.between(iat, exp).toSeconds()
              + " s (expected: at most "
              + maxLifetime.toSeconds()
              + " s).");
    }
    if (now.isAfter(exp.plus(clockSkew))) {
      throw new TokenRejection(TOKEN_EXPIRED, "The hop token expired at " + exp + ".");
    }
    String early = NotBefore.refusal(claims, now, clockSkew, "The hop token");
    if (early != null) {
      throw new TokenRejection(TOKEN_NOT_YET_VALID, early);
    }

    Object once = claims.getClaim("once");
    if (once != null && !(once instanceof Boolean)) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token's 'once' claim is not a boolean.");
    }
    Object intent = claims.getClaim("intent");
    if (intent != null && !(intent instanceof Map)) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token's 'intent' claim is not an object.");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> intentMap = (Map<String, Object>) intent;
    Object originToken = claims.getClaim("origin_token"); // Minting.ORIGIN_TOKEN
    if (originToken != null && !(originToken instanceof String)) {
      throw new TokenRejection(
          TOKEN_MALFORMED, "The hop token's 'origin_token' claim is not a string.");
    }
    return new HopToken(
        iss,
        sub,
        audience,
        txn,
        jti,
        iat,
        exp,
        Boolean.TRUE.equals(once),
        intentMap,
        kid,
        (String) originToken);
  }

  private static String requiredString(JWTClaimsSet claims, String name) throws TokenRejection {
    Object value = claims.getClaim(name);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new TokenRejection(
          TOKEN_MALFORMED, "The hop token has no string claim '" + name + "'.");
    }
    return s;
  }

  private static Instant requiredInstant(JWTClaimsSet claims, String name) throws TokenRejection {
    Object value = claims.getClaim(name);
    if (!(value instanceof Date date)) {
      throw new TokenRejection(
          TOKEN_MALFORMED, "The hop token has no numeric date claim '" + name + "'.");
    }
    return date.toInstant();
  }
}
