package dev.hopgate.pdp.token;

import static dev.hopgate.pdp.token.TokenCode.TOKEN_ALGORITHM;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_AUDIENCE;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_EXPIRED;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_MALFORMED;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_MISSING;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_SIGNATURE;
import static dev.hopgate.pdp.token.TokenCode.TOKEN_UNKNOWN_KEY;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
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

  /** RFC 6750 section 2.1: the scheme, one space, a token68. */
  private static final Pattern BEARER = Pattern.compile("(?i)bearer ([A-Za-z0-9\\-._~+/]+=*)");

  /** A compact JWS: three base64url segments; an empty signature is let through so that an
   * unsigned token is refused for its algorithm, which says more than "malformed". */
  private static final Pattern COMPACT_JWS =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  /** Far larger than any hop token; bounds the work an attacker can cause before verification. */
  private static final int MAX_TOKEN_CHARS = 8 * 1024;

  private final TrustSet trustSet;
  private final Duration clockSkew;
  private final Duration maxLifetime;
  private final Clock clock;

  public HopTokenVerifier(TrustSet trustSet, Duration clockSkew, Duration maxLifetime, Clock clock) {
    this.trustSet = requireNonNull(trustSet, "trustSet");
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
      throw new TokenRejection(TOKEN_MISSING, "The request carries no hop token (Authorization: Bearer).");
    }
    if (authorization.length() > MAX_TOKEN_CHARS + 7) {
      throw new TokenRejection(TOKEN_MALFORMED,
          "The Authorization header is " + authorization.length() + " characters (expected: at most "
              + MAX_TOKEN_CHARS + ").");
    }
    var bearer = BEARER.matcher(authorization);
    if (!bearer.matches()) {
      throw new TokenRejection(TOKEN_MALFORMED,
          "The Authorization header is not one 'Bearer <token>' credential.");
    }
    String token = bearer.group(1);
    if (!COMPACT_JWS.matcher(token).matches()) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token is not a compact JWS (three base64url parts).");
    }

    JWSHeader header = header(token);
    if (token.endsWith(".")) {
      throw new TokenRejection(TOKEN_SIGNATURE, "The hop token carries no signature.");
    }
    String kid = header.getKeyID();
    if (kid == null || kid.isEmpty()) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token's header has no 'kid'.");
    }
    TrustedKey key = trustSet.keys().find(kid).orElseThrow(() -> new TokenRejection(TOKEN_UNKNOWN_KEY,
        "The hop token is signed with key '" + kid + "', which the " + trustSet.name()
            + " trust set does not hold."));
    if (!key.algorithms().contains(header.getAlgorithm())) {
      throw new TokenRejection(TOKEN_ALGORITHM, "Key '" + kid + "' is a " + key.jwk().getKeyType()
          + " key and cannot verify alg " + header.getAlgorithm() + ".");
    }

    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token does not parse: " + e.getMessage());
    }
    try {
      if (!jwt.verify(key.verifier())) {
        throw new TokenRejection(TOKEN_SIGNATURE,
            "The hop token's signature does not verify with key '" + kid + "'.");
      }
    } catch (JOSEException e) {
      throw new TokenRejection(TOKEN_SIGNATURE,
          "The hop token's signature could not be verified with key '" + kid + "'.");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token's claims are not a JSON object.");
    }
    return claims(claims, component, kid);
  }

  private JWSHeader header(String token) throws TokenRejection {
    Header header;
    try {
      header = Header.parse(Base64URL.from(token.substring(0, token.indexOf('.'))));
    } catch (ParseException e) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token's header does not parse: " + e.getMessage());
    }
    Algorithm alg = header.getAlgorithm();
    if (Algorithm.NONE.equals(alg) || !(header instanceof JWSHeader jws)) {
      throw new TokenRejection(TOKEN_ALGORITHM, "The hop token is unsigned (alg " + alg + "); refused.");
    }
    JWSAlgorithm jwsAlg = jws.getAlgorithm();
    if (!trustSet.algorithms().contains(jwsAlg)) {
      throw new TokenRejection(TOKEN_ALGORITHM, "The hop token uses alg " + jwsAlg + "; the "
          + trustSet.name() + " trust set accepts only " + names(trustSet.algorithms()) + ".");
    }
    if (!TYPE.equals(jws.getType())) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token has typ '" + jws.getType()
          + "' (expected: hop+jwt).");
    }
    return jws;
  }

  private HopToken claims(JWTClaimsSet claims, String component, String kid) throws TokenRejection {
    String iss = requiredString(claims, "iss");
    if (!trustSet.issuers().contains(iss)) {
      throw new TokenRejection(TOKEN_UNKNOWN_KEY, "The hop token's issuer '" + iss
          + "' is not an issuer of the " + trustSet.name() + " trust set.");
    }
    String sub = requiredString(claims, "sub");
    String txn = requiredString(claims, "txn");
    String jti = requiredString(claims, "jti");
    Instant iat = requiredInstant(claims, "iat");
    Instant exp = requiredInstant(claims, "exp");

    // A one-element array names exactly one component too (RFC 7519 allows both forms).
    List<String> audiences = claims.getAudience();
    if (audiences.size() != 1) {
      throw new TokenRejection(TOKEN_AUDIENCE,
          "The hop token's aud must name exactly one component; it names " + audiences.size() + ".");
    }
    String audience = audiences.get(0);
    if (!audience.equals(component)) {
      throw new TokenRejection(TOKEN_AUDIENCE, "The hop token is for '" + audience
          + "', not for this component '" + component + "'.");
    }

    Instant now = clock.instant();
    if (!exp.isAfter(iat)) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token expires before it was issued.");
    }
    if (Duration.between(iat, exp).compareTo(maxLifetime) > 0) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token lives " + Duration.between(iat, exp)
          .toSeconds() + " s (expected: at most " + maxLifetime.toSeconds() + " s).");
    }
    if (now.isAfter(exp.plus(clockSkew))) {
      throw new TokenRejection(TOKEN_EXPIRED, "The hop token expired at " + exp + ".");
    }
    if (iat.isAfter(now.plus(clockSkew))) {
      throw new TokenRejection(TOKEN_EXPIRED, "The hop token is issued in the future (" + iat + ").");
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
    return new HopToken(iss, sub, audience, txn, jti, iat, exp, Boolean.TRUE.equals(once), intentMap, kid);
  }

  private static String requiredString(JWTClaimsSet claims, String name) throws TokenRejection {
    Object value = claims.getClaim(name);
    if (!(value instanceof String s) || s.isEmpty()) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token has no string claim '" + name + "'.");
    }
    return s;
  }

  private static Instant requiredInstant(JWTClaimsSet claims, String name) throws TokenRejection {
    Object value = claims.getClaim(name);
    if (!(value instanceof Date date)) {
      throw new TokenRejection(TOKEN_MALFORMED, "The hop token has no numeric date claim '" + name + "'.");
    }
    return date.toInstant();
  }

  private static String names(java.util.Set<JWSAlgorithm> algorithms) {
    return algorithms.stream().map(JWSAlgorithm::getName).sorted().reduce((a, b) -> a + ", " + b).orElse("");
  }
}
