package dev.hopgate.pdp.floor;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.manifest.EnforcementPoint;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.token.JwsRejection;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.VerifiedJws;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies what an enforcement point signs (transitions, completions) against the keys that the
 * manifest of the artifact's {@code component} lists. The component is read before the signature is
 * checked only to choose those keys; nothing else of it is believed until it verifies.
 */
final class EnforcedArtifacts {
  /** Why an enforced artifact did not verify. */
  enum Failure {
    MALFORMED,
    NO_MANIFEST,
    SIGNER,
    SIGNATURE
  }

  static final class Rejected extends Exception {
    private static final long serialVersionUID = 1L;
    final Failure failure;

    Rejected(Failure failure, String message) {
      super(message, null, false, false);
      this.failure = failure;
    }

    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage());
    }
  }

  /** A verified artifact, its manifest and the enforcement point that signed it. */
  record Verified(VerifiedJws jws, Manifest manifest, EnforcementPoint signer) {}

  /**
   * The component each artifact names, by the artifact's digest: a chain and its completions are
   * re-sent on every hop, and decoding them to find the keys (base64 and JSON) cost more than the
   * cached signature check. Filled only once the signature verified (an unverified artifact costs
   * its decoding every time, and cannot fill the cache); keys are digests, so it is bounded in
   * bytes by its count.
   */
  private static final Cache<String, String> COMPONENTS =
      Caffeine.newBuilder().maximumSize(20_000).build();

  private EnforcedArtifacts() {}

  static Verified verify(
      String compact,
      JOSEObjectType type,
      Set<JWSAlgorithm> algorithms,
      ManifestRegistry manifests,
      JwsVerifier verifier,
      String what,
      Instant now)
      throws Rejected {
    String digest = Digests.ofJws(compact);
    String cached = COMPONENTS.getIfPresent(digest);
    String component = cached != null ? cached : unverifiedComponent(compact, what);
    String named = component;
    Manifest manifest =
        manifests
            .get(named)
            .orElseThrow(
                () ->
                    new Rejected(
                        Failure.NO_MANIFEST,
                        what + " is for component " + named + ", which has no manifest."));
    if (manifest.expiredAt(now, Duration.ZERO)) {
      throw new Rejected(
          Failure.NO_MANIFEST,
          what
              + " is for component "
              + named
              + ", whose manifest expired at "
              + manifest.expiresAt()
              + ": its keys no longer vouch for anything.");
    }
    KeyResolver keys = manifests.enforcementKeys(component).orElseThrow();
    VerifiedJws jws;
    try {
      jws = verifier.verify(compact, type, algorithms, keys, what);
    } catch (JwsRejection e) {
      throw new Rejected(
          switch (e.problem()) {
            case MALFORMED, CRITICAL -> Failure.MALFORMED;
            case UNKNOWN_KEY -> Failure.SIGNER;
            case ALGORITHM, SIGNATURE -> Failure.SIGNATURE;
          },
          e.getMessage());
    }
    EnforcementPoint signer = manifest.enforcerOf(jws.keyId()).orElseThrow();
    if (!signer.id().equals(jws.claims().getIssuer())) {
      throw new Rejected(
          Failure.SIGNER,
          what
              + " is issued by '"
              + jws.claims().getIssuer()
              + "' but signed with a key of enforcement point "
              + signer.id()
              + ".");
    }
    if (cached == null) {
      COMPONENTS.put(digest, component);
    }
    return new Verified(jws, manifest, signer);
  }

  private static String unverifiedComponent(String compact, String what) throws Rejected {
    try {
      Map<String, Object> unverified = JWSObject.parse(compact).getPayload().toJSONObject();
      if (unverified == null || !(unverified.get("component") instanceof String c)) {
        throw new Rejected(Failure.MALFORMED, what + " names no component.");
      }
      return c;
    } catch (ParseException e) {
      throw new Rejected(Failure.MALFORMED, what + " is not a compact JWS with a JSON payload.");
    }
  }
}
