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
  private final boolean standardTokens;

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
    this(trustSet, trustDomain, jwsVerifier, clockSkew, false);
  }

  /**
   * @param standardTokens whether a Txn-Token without hopgate's {@code tctx} is taken (as an
   *     implicit intent from {@code req_wl}, its {@code scope} as authority), or refused
   */
  public OriginVerifier(
      TrustSet trustSet,
      String trustDomain,
      JwsVerifier jwsVerifier,
      Duration clockSkew,
      boolean standardTokens) {
    this.standardTokens = standardTokens;
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
    checkIssuer(all.get("iss"));
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
    // Transaction Tokens (draft-ietf-oauth-transaction-tokens-10), section 7.3: req_wl and scope
    // are required of every Txn-Token, rctx is recommended.
    String requester = Claims.string(all, "req_wl", what);
    List<String> scope = scope(all.get("scope"));
    Map<String, Object> requestContext = Claims.object(all, "rctx", what);
    Map<String, Object> tctx = Claims.object(all, "tctx", what);
    boolean hopgates = tctx != null && tctx.containsKey("origin_wl");
    if (!hopgates && !standardTokens) {
      throw new FloorRejection(
          ORIGIN_INVALID,
          "The origin token has no tctx.origin_wl, and this deployment takes only hopgate's"
              + " Txn-Tokens (trust.txn_token_service.standard_tokens).");
    }
    TxnContext context =
        tctx != null && hopgates
            ? hopgateContext(tctx)
            : standardContext(tctx, requester, exp, scope);
    String originWorkload = context.originWorkload();
    Instant deadline = context.deadline();
    Map<String, Object> intent = context.intent();
    Set<String> authority = context.authority();
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
        jws.digest(),
        new OriginToken.Claimed(requester, scope, context.foreign(), requestContext));
  }

  /** What the txn context says, in hopgate's terms. */
  private record TxnContext(
      String originWorkload,
      Instant deadline,
      @Nullable Map<String, Object> intent,
      Set<String> authority,
      Map<String, Object> foreign) {}

  /** The members of {@code tctx} hopgate's own token service writes. */
  private static final Set<String> HOPGATE_TCTX =
      Set.of("origin_wl", "deadline", "intent", "authority");

  /** hopgate's own {@code tctx}: the origin workload, the deadline, the intent, the authority. */
  private static TxnContext hopgateContext(Map<String, Object> tctx) throws FloorRejection {
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
    return new TxnContext(originWorkload, deadline, intent, authority, foreign(tctx));
  }

  /**
   * A Txn-Token from a standard transaction token service, without hopgate's {@code tctx}: an
   * implicit intent, {@code req_wl} as the origin workload, the token's own {@code exp} as the
   * txn's deadline (a Txn-Token lives as long as its call chain), and its {@code scope} values as
   * the authority (a value that names no step grants nothing).
   */
  private static TxnContext standardContext(
      @Nullable Map<String, Object> tctx, String requester, Instant exp, List<String> scope)
      throws FloorRejection {
    if (tctx != null) {
      for (String member : HOPGATE_TCTX) {
        if (tctx.containsKey(member)) {
          throw new FloorRejection(
              ORIGIN_INVALID,
              "The origin token's tctx has '"
                  + member
                  + "' but no 'origin_wl': hopgate reads its own members only all together.");
        }
      }
    }
    return new TxnContext(
        requester,
        exp,
        null,
        new java.util.LinkedHashSet<>(scope),
        tctx == null ? Map.of() : foreign(tctx));
  }

  /** The members of {@code tctx} other than hopgate's: for policies to read, never authority. */
  private static Map<String, Object> foreign(Map<String, Object> tctx) {
    Map<String, Object> rest = new java.util.TreeMap<>(tctx);
    rest.keySet().removeAll(HOPGATE_TCTX);
    return rest;
  }

  /**
   * {@code iss} is optional in a Txn-Token: absent, the issuer is the one the verifying key speaks
   * for, which is known only when the trust set names one; present, it must be one of them.
   */
  private void checkIssuer(@Nullable Object iss) throws FloorRejection {
    if (iss == null) {
      if (trustSet.issuers().size() != 1) {
        throw new FloorRejection(
            ORIGIN_INVALID,
            "The origin token names no issuer (iss), and "
                + trustSet.name()
                + " has several, so hopgate cannot tell which one signed it.");
      }
      return;
    }
    if (!(iss instanceof String issuer) || !trustSet.issuers().contains(issuer)) {
      throw new FloorRejection(
          ORIGIN_INVALID,
          "The origin token's issuer '" + iss + "' is not an issuer of " + trustSet.name() + ".");
    }
  }

  /** {@code scope}: a space-delimited string (RFC 6749 section 3.3), as a list in its order. */
  private static List<String> scope(@Nullable Object scope) throws FloorRejection {
    if (!(scope instanceof String text)) {
      throw new FloorRejection(
          ORIGIN_INVALID,
          "The origin token has no string claim 'scope' (Transaction Tokens -10 require it).");
    }
    List<String> values = new java.util.ArrayList<>();
    for (String value : text.split(" ", -1)) {
      if (!value.isEmpty() && !values.contains(value)) {
        values.add(value);
      }
    }
    return List.copyOf(values);
  }
}
