package dev.hopgate.pdp.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Verifies EdDSA (Ed25519) JWS signatures with Bouncy Castle's lightweight {@link Ed25519Signer}.
 *
 * <p>Nimbus's own Ed25519 verifier needs Tink and is several times slower (house spec, section 7).
 * Like Nimbus's verifiers, it refuses any {@code crit} header: hopgate understands none.
 */
final class BcEd25519Verifier implements JWSVerifier {
  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

  private final Ed25519PublicKeyParameters publicKey;
  private final JCAContext jcaContext = new JCAContext();

  BcEd25519Verifier(byte[] rawPublicKey) {
    if (rawPublicKey.length != Ed25519PublicKeyParameters.KEY_SIZE) {
      throw new IllegalArgumentException(
          "Ed25519 public key: " + rawPublicKey.length + " bytes (expected: 32)");
    }
    this.publicKey = new Ed25519PublicKeyParameters(rawPublicKey, 0);
  }

  @Override
  public boolean verify(JWSHeader header, byte[] signingInput, Base64URL signature)
      throws JOSEException {
    if (!ALGORITHMS.contains(header.getAlgorithm())) {
      throw new JOSEException("alg " + header.getAlgorithm() + " is not EdDSA");
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      return false;
    }
    byte[] sig = signature.decode();
    if (sig.length != Ed25519PublicKeyParameters.KEY_SIZE * 2) {
      return false;
    }
    // Ed25519Signer holds per-message state; one per call keeps verification thread-safe.
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(false, publicKey);
    signer.update(signingInput, 0, signingInput.length);
    return signer.verifySignature(sig);
  }

  @Override
  public Set<JWSAlgorithm> supportedJWSAlgorithms() {
    return ALGORITHMS;
  }

  @Override
  public JCAContext getJCAContext() {
    return jcaContext;
  }
}
