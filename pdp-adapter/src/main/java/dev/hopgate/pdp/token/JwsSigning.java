package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.bc.BouncyCastleProviderSingleton;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * Signs compact JWS with one private key: what the token service, hopgate's own transitions and
 * completions, and the CLI's {@code token mint} share.
 */
public final class JwsSigning {
  private final JWK key;
  private final JWSAlgorithm algorithm;
  private final JWSSigner signer;

  private JwsSigning(JWK key, JWSAlgorithm algorithm, JWSSigner signer) {
    this.key = key;
    this.algorithm = algorithm;
    this.signer = signer;
  }

  /**
   * A signer for a private EC P-256 (ES256) or Ed25519 (EdDSA) JWK with a {@code kid}.
   *
   * @throws IllegalArgumentException naming what is wrong with the key
   */
  public static JwsSigning of(JWK privateKey) {
    requireNonNull(privateKey, "privateKey");
    if (privateKey.getKeyID() == null) {
      throw new IllegalArgumentException("signing key without 'kid' (verifiers find keys by kid)");
    }
    if (!privateKey.isPrivate()) {
      throw new IllegalArgumentException(
          "key '" + privateKey.getKeyID() + "' is public (expected: private)");
    }
    try {
      if (privateKey instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
        ECDSASigner signer = new ECDSASigner(ec);
        signer.getJCAContext().setProvider(BouncyCastleProviderSingleton.getInstance());
        return new JwsSigning(privateKey, JWSAlgorithm.ES256, signer);
      }
      if (privateKey instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
        return new JwsSigning(
            privateKey, JWSAlgorithm.EdDSA, new BcEd25519Signer(okp.getDecodedD()));
      }
    } catch (JOSEException e) {
      throw new IllegalArgumentException(
          "key '" + privateKey.getKeyID() + "': " + e.getMessage(), e);
    }
    throw new IllegalArgumentException(
        "key '"
            + privateKey.getKeyID()
            + "': "
            + privateKey.getKeyType()
            + " (expected: EC P-256 or OKP Ed25519)");
  }

  /** Generates a fresh private key of the named algorithm ({@code ES256} or {@code EdDSA}). */
  public static JWK generate(String algorithm, String kid) {
    try {
      return switch (algorithm) {
        case "ES256" -> new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
        case "EdDSA", "Ed25519" -> generateEd25519(kid);
        default ->
            throw new IllegalArgumentException(
                "algorithm: " + algorithm + " (expected: ES256 or EdDSA)");
      };
    } catch (JOSEException e) {
      throw new IllegalStateException("key generation failed", e);
    }
  }

  /** Nimbus's own Ed25519 generator needs Tink; Bouncy Castle's does the same job. */
  private static JWK generateEd25519(String kid) {
    Ed25519PrivateKeyParameters d = new Ed25519PrivateKeyParameters(new SecureRandom());
    return new OctetKeyPair.Builder(
            Curve.Ed25519, Base64URL.encode(d.generatePublicKey().getEncoded()))
        .d(Base64URL.encode(d.getEncoded()))
        .keyID(kid)
        .build();
  }

  public JWK key() {
    return key;
  }

  public JWSAlgorithm algorithm() {
    return algorithm;
  }

  /** Signs the claims as a compact JWS with the given {@code typ} and this key's {@code kid}. */
  public String sign(JOSEObjectType type, JWTClaimsSet claims) {
    JWSHeader header = new JWSHeader.Builder(algorithm).type(type).keyID(key.getKeyID()).build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("signing with key '" + key.getKeyID() + "' failed", e);
    }
    return jwt.serialize();
  }
}
