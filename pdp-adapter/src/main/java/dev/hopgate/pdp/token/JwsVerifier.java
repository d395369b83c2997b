package dev.hopgate.pdp.token;

import static dev.hopgate.pdp.token.JwsProblem.ALGORITHM;
import static dev.hopgate.pdp.token.JwsProblem.CRITICAL;
import static dev.hopgate.pdp.token.JwsProblem.MALFORMED;
import static dev.hopgate.pdp.token.JwsProblem.SIGNATURE;
import static dev.hopgate.pdp.token.JwsProblem.UNKNOWN_KEY;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.Header;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hopgate.pdp.digest.Digests;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies compact JWS of every kind hopgate reads, checking cheapest and most specific first:
 * shape, algorithm, type, key, then signature.
 *
 * <p>A verified signature is cached under (scope, typ, digest, kid, key revision): a chain re-sent
 * on every hop is verified once per instance, and removing a key changes the revision, so nothing
 * it verified is found again. Entries expire with the JWS ({@code exp}, capped) and the cache is
 * bounded by the bytes it holds (a signer chooses how long its JWS are). Only the signature is
 * cached; claims are judged again on every use. A signature that did not verify is remembered too,
 * under the same key (digests, never the unverified text): a request that carries the same bad
 * artifacts again costs no signature check.
 */
public final class JwsVerifier {
  private record CacheKey(String scope, String type, String digest, String kid, long revision) {}

  /** Weight of an entry: the compact form and the claims decoded from it, roughly, in bytes. */
  private static final int ENTRY_OVERHEAD_BYTES = 512;

  /**
   * Parsed headers by their base64url segment: every JWS one key signs for one purpose carries the
   * same header, so it is decoded once, not on every request (Nimbus's constant-time base64 and
   * JSON parsing cost more than the cached signature check). Filled only with headers of JWS whose
   * signature verified, so unauthenticated input cannot fill it; weighed by bytes.
   */
  private static final Cache<String, JWSHeader> HEADERS =
      Caffeine.newBuilder()
          .maximumWeight(1 << 20)
          .<String, JWSHeader>weigher((segment, header) -> 2 * segment.length() + 64)
          .build();

  private final Cache<CacheKey, VerifiedJws> verified;

  /** Signatures that did not verify (the value is unused: presence is the answer). */
  private final Cache<CacheKey, Boolean> refused;

  /**
   * @param maxBytes bound of the cache of verified signatures, in bytes of the JWS it holds (0
   *     disables it, and the memory of refused signatures with it)
   * @param maxAge the longest any entry stays, whatever its {@code exp}
   */
  public JwsVerifier(long maxBytes, Duration maxAge) {
    this.verified =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .<CacheKey, VerifiedJws>weigher(
                (key, jws) -> 2 * jws.compact().length() + ENTRY_OVERHEAD_BYTES)
            .recordStats()
            .expireAfter(
                Expiry.<CacheKey, VerifiedJws>creating((key, jws) -> lifetime(jws, maxAge)))
            .build();
    // Keys are digests (fixed size) and kids of held keys: bounded by count. Ten minutes, so a key
    // that is fixed in place (same kid, same revision) is not refused for long.
    this.refused =
        Caffeine.newBuilder()
            .maximumSize(maxBytes == 0 ? 0 : 20_000)
            .expireAfterWrite(Duration.ofMinutes(10))
            .build();
  }

  /** A verifier with a cache sized for one instance: 64 MiB of JWS, at most one hour each. */
  public static JwsVerifier withDefaultCache() {
    return new JwsVerifier(64L << 20, Duration.ofHours(1));
  }

  /**
   * Verifies {@code compact} as a JWS of type {@code type} signed by a key of {@code keys} with one
   * of {@code algorithms}.
   *
   * @param what how messages name it, as in "The hop token"
   */
  public VerifiedJws verify(
      String compact,
      JOSEObjectType type,
      Set<JWSAlgorithm> algorithms,
      KeyResolver keys,
      String what)
      throws JwsRejection {
    if (!isCompact(compact)) {
      throw new JwsRejection(MALFORMED, what + " is not a compact JWS (three base64url parts).");
    }
    JWSHeader header = header(compact, type, algorithms, keys, what);
    String kid = header.getKeyID();
    if (kid == null || kid.isEmpty()) {
      throw new JwsRejection(MALFORMED, what + " has no 'kid' in its header.");
    }
    KeyResolver.Resolved resolved = keys.resolve(kid);
    TrustedKey key =
        resolved
            .key()
            .orElseThrow(
                () ->
                    new JwsRejection(
                        UNKNOWN_KEY,
                        what
                            + " is signed with key '"
                            + kid
                            + "', which "
                            + keys.scope()
                            + " does not hold."));
    if (!key.algorithms().contains(header.getAlgorithm())) {
      throw new JwsRejection(
          ALGORITHM,
          "Key '"
              + kid
              + "' is a "
              + key.jwk().getKeyType()
              + " key and cannot verify alg "
              + header.getAlgorithm()
              + ".");
    }
    if (compact.endsWith(".")) {
      throw new JwsRejection(SIGNATURE, what + " carries no signature.");
    }

    String digest = Digests.ofJws(compact);
    CacheKey cacheKey =
        new CacheKey(keys.scope(), type.getType(), digest, kid, resolved.revision());
    VerifiedJws cached = verified.getIfPresent(cacheKey);
    if (cached != null) {
      return cached;
    }
    if (refused.getIfPresent(cacheKey) != null) {
      throw badSignature(what, kid);
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(compact);
    } catch (ParseException e) {
      throw new JwsRejection(MALFORMED, what + " does not parse: " + e.getMessage());
    }
    boolean valid;
    try {
      valid = jwt.verify(key.verifier());
    } catch (JOSEException e) {
      valid = false;
    }
    if (!valid) {
      refused.put(cacheKey, Boolean.TRUE);
      throw badSignature(what, kid);
    }
    HEADERS.put(compact.substring(0, compact.indexOf('.')), header);
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new JwsRejection(MALFORMED, what + "'s claims are not a JSON object.");
    }
    VerifiedJws result = new VerifiedJws(compact, digest, claims, kid, cacheKey.revision());
    verified.put(cacheKey, result);
    return result;
  }

  /** Named by this use ({@code what}): a remembered failure may be sent at another position. */
  private static JwsRejection badSignature(String what, String kid) {
    return new JwsRejection(
        SIGNATURE, what + "'s signature does not verify with key '" + kid + "'.");
  }

  /** Drops {@code jws} from the cache of verified signatures (a one-time token, used once). */
  public void forget(VerifiedJws jws, JOSEObjectType type, KeyResolver keys) {
    verified.invalidate(
        new CacheKey(keys.scope(), type.getType(), jws.digest(), jws.keyId(), jws.keyRevision()));
  }

  /** Lookups of the verified-signature cache that found (hits) or did not find (misses) a fact. */
  public long[] cacheHitsAndMisses() {
    var stats = verified.stats();
    return new long[] {stats.hitCount(), stats.missCount()};
  }

  /** How many verified signatures are cached now (for tests and metrics). */
  public long cachedSignatures() {
    verified.cleanUp();
    return verified.estimatedSize();
  }

  /**
   * A compact JWS: three base64url segments, the first two non-empty; an empty signature is let
   * through so it is refused as unsigned, not malformed. A loop, not a regex: it runs over every
   * token of every request (a regex cost ~10 % of a Check under load).
   */
  static boolean isCompact(String compact) {
    int dots = 0;
    int segmentLength = 0;
    for (int i = 0; i < compact.length(); i++) {
      char c = compact.charAt(i);
      if (c == '.') {
        if (segmentLength == 0 || ++dots > 2) {
          return false;
        }
        segmentLength = 0;
      } else if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_') {
        segmentLength++;
      } else {
        return false;
      }
    }
    return dots == 2;
  }

  private static JWSHeader header(
      String compact,
      JOSEObjectType type,
      Set<JWSAlgorithm> algorithms,
      KeyResolver keys,
      String what)
      throws JwsRejection {
    String segment = compact.substring(0, compact.indexOf('.'));
    Header header = HEADERS.getIfPresent(segment);
    if (header == null) {
      try {
        header = Header.parse(Base64URL.from(segment));
      } catch (ParseException e) {
        throw new JwsRejection(MALFORMED, what + "'s header does not parse: " + e.getMessage());
      }
    }
    Algorithm alg = header.getAlgorithm();
    if (Algorithm.NONE.equals(alg) || !(header instanceof JWSHeader jws)) {
      throw new JwsRejection(ALGORITHM, what + " is unsigned (alg " + alg + "); refused.");
    }
    if (!algorithms.contains(jws.getAlgorithm())) {
      throw new JwsRejection(
          ALGORITHM,
          what
              + " uses alg "
              + jws.getAlgorithm()
              + "; "
              + keys.scope()
              + " accepts only "
              + algorithms.stream()
                  .map(JWSAlgorithm::getName)
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ".");
    }
    if (!type.equals(jws.getType())) {
      throw new JwsRejection(
          MALFORMED, what + " has typ '" + jws.getType() + "' (expected: " + type + ").");
    }
    if (jws.getCriticalParams() != null && !jws.getCriticalParams().isEmpty()) {
      throw new JwsRejection(
          CRITICAL,
          what
              + " marks header parameters "
              + new java.util.TreeSet<>(jws.getCriticalParams())
              + " critical (crit); hopgate understands no extension, so it refuses them.");
    }
    return jws;
  }

  private static Duration lifetime(VerifiedJws jws, Duration maxAge) {
    Date exp = jws.claims().getExpirationTime();
    Duration cap = maxAge;
    if (exp == null) {
      return cap;
    }
    Duration untilExpiry = Duration.between(Instant.now(), exp.toInstant());
    return untilExpiry.isNegative()
        ? Duration.ZERO
        : (untilExpiry.compareTo(cap) < 0 ? untilExpiry : cap);
  }
}
