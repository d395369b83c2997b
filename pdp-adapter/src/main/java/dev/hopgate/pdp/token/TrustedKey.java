package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.util.Set;

/**
 * One public key of a trust set, with the verifier built for it once and the one algorithm it may
 * verify (RFC 8725 3.1: each key is used with exactly one algorithm). A key type with one algorithm
 * (EC P-256: ES256; OKP Ed25519: EdDSA, also named Ed25519 by RFC 9864) needs no {@code alg}; an
 * RSA key, which could verify RS256 and PS256, must name its {@code alg}.
 */
public record TrustedKey(
    String keyId, JWK jwk, Set<JWSAlgorithm> algorithms, JWSVerifier verifier) {
  public TrustedKey {
    requireNonNull(keyId, "keyId");
    requireNonNull(jwk, "jwk");
    algorithms = Set.copyOf(requireNonNull(algorithms, "algorithms"));
    requireNonNull(verifier, "verifier");
  }

  /**
   * Builds the verifier for a public JWK.
   *
   * @throws IllegalArgumentException naming the key when it is private, of an unsupported type or
   *     curve, or has no {@code kid}
   */
  public static TrustedKey of(JWK jwk) {
    String kid = jwk.getKeyID();
    if (kid == null || kid.isBlank()) {
      throw new IllegalArgumentException("key without 'kid' (every trusted key needs one)");
    }
    if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
      throw new IllegalArgumentException(
          "key '"
              + kid
              + "' has use '"
              + jwk.getKeyUse().identifier()
              + "' (expected: sig; it is not a key for verifying signatures)");
    }
    if (jwk.getKeyOperations() != null && !jwk.getKeyOperations().contains(KeyOperation.VERIFY)) {
      throw new IllegalArgumentException(
          "key '"
              + kid
              + "' has key_ops "
              + jwk.getKeyOperations().stream().map(KeyOperation::identifier).sorted().toList()
              + " without 'verify' (it is not a key for verifying signatures)");
    }
    if (jwk.isPrivate()) {
      throw new IllegalArgumentException(
          "key '" + kid + "' contains private key material (a trust set holds public keys only)");
    }
    try {
      TrustedKey key;
      if (jwk instanceof ECKey ec) {
        if (!Curve.P_256.equals(ec.getCurve())) {
          throw new IllegalArgumentException(
              "key '" + kid + "': curve " + ec.getCurve() + " (expected: P-256 for ES256)");
        }
        key =
            new TrustedKey(
                kid, jwk, Set.of(JWSAlgorithm.ES256), new BcEs256Verifier(ec.toECPublicKey()));
      } else if (jwk instanceof OctetKeyPair okp) {
        if (!Curve.Ed25519.equals(okp.getCurve())) {
          throw new IllegalArgumentException(
              "key '" + kid + "': curve " + okp.getCurve() + " (expected: Ed25519 for EdDSA)");
        }
        key =
            new TrustedKey(
                kid,
                jwk,
                Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519),
                new BcEd25519Verifier(okp.getDecodedX()));
      } else if (jwk instanceof RSAKey rsa) {
        if (rsa.size() < 2048) {
          throw new IllegalArgumentException(
              "key '" + kid + "': RSA " + rsa.size() + " bits (expected: at least 2048)");
        }
        key =
            new TrustedKey(
                kid, jwk, Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256), new RSASSAVerifier(rsa));
      } else {
        throw new IllegalArgumentException(
            "key '"
                + kid
                + "': key type "
                + jwk.getKeyType()
                + " (expected: EC P-256, OKP Ed25519 or RSA)");
      }
      if (jwk.getAlgorithm() == null && key.algorithms().size() > 1 && jwk instanceof RSAKey) {
        throw new IllegalArgumentException(
            "key '"
                + kid
                + "': an RSA key without 'alg' could verify both RS256 and PS256 (RFC 8725 3.1:"
                + " one algorithm per key); set \"alg\" in the JWK");
      }
      if (jwk.getAlgorithm() != null) {
        JWSAlgorithm declared = JWSAlgorithm.parse(jwk.getAlgorithm().getName());
        if (!key.algorithms().contains(declared)) {
          throw new IllegalArgumentException(
              "key '"
                  + kid
                  + "': alg "
                  + declared
                  + " does not fit its key type "
                  + jwk.getKeyType());
        }
        key = new TrustedKey(kid, jwk, Set.of(declared), key.verifier());
      }
      return key;
    } catch (JOSEException e) {
      throw new IllegalArgumentException("key '" + kid + "': " + e.getMessage(), e);
    }
  }
}
