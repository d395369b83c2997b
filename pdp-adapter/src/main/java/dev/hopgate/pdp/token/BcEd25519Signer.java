package dev.hopgate.pdp.token;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import java.util.Set;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/** Signs EdDSA (Ed25519) JWS with Bouncy Castle, without Nimbus's optional Tink dependency. */
final class BcEd25519Signer implements JWSSigner {
  private static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

  private final Ed25519PrivateKeyParameters privateKey;
  private final JCAContext jcaContext = new JCAContext();

  BcEd25519Signer(byte[] rawPrivateKey) {
    if (rawPrivateKey.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
      throw new IllegalArgumentException(
          "Ed25519 private key: " + rawPrivateKey.length + " bytes (expected: 32)");
    }
    this.privateKey = new Ed25519PrivateKeyParameters(rawPrivateKey, 0);
  }

  @Override
  public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
    if (!ALGORITHMS.contains(header.getAlgorithm())) {
      throw new JOSEException("alg " + header.getAlgorithm() + " is not EdDSA");
    }
    Ed25519Signer signer = new Ed25519Signer();
    signer.init(true, privateKey);
    signer.update(signingInput, 0, signingInput.length);
    return Base64URL.encode(signer.generateSignature());
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
