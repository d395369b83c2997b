package dev.hopgate.pdp.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The lightweight ES256 verifier agrees with Nimbus's JDK verifier and refuses what JOSE refuses.
 */
class BcEs256VerifierTest {
  private final ECKey key = generate();
  private final BcEs256Verifier verifier = new BcEs256Verifier(toPublic(key));

  @Test
  void agreesWithTheJdkVerifier_onGenuineAndTamperedSignatures() throws Exception {
    ECDSAVerifier jdk = new ECDSAVerifier(key.toPublicJWK());
    for (int i = 0; i < 50; i++) {
      JWSObject jws = sign(key, "{\"n\":" + i + "}");
      assertThat(verifier.verify(jws.getHeader(), jws.getSigningInput(), jws.getSignature()))
          .isTrue();
      assertThat(jws.verify(jdk)).isTrue();

      byte[] tampered =
          ("x" + new String(jws.getSigningInput(), StandardCharsets.US_ASCII))
              .getBytes(StandardCharsets.US_ASCII);
      assertThat(verifier.verify(jws.getHeader(), tampered, jws.getSignature())).isFalse();
    }
  }

  @Test
  void refusesAnotherKeysSignature_anAllZeroSignature_andTheWrongLength() throws Exception {
    JWSObject other = sign(generate(), "{}");
    assertThat(verifier.verify(other.getHeader(), other.getSigningInput(), other.getSignature()))
        .isFalse();

    JWSObject jws = sign(key, "{}");
    assertThat(
            verifier.verify(jws.getHeader(), jws.getSigningInput(), Base64URL.encode(new byte[64])))
        .isFalse();
    byte[] sig = jws.getSignature().decode();
    assertThat(
            verifier.verify(
                jws.getHeader(),
                jws.getSigningInput(),
                Base64URL.encode(java.util.Arrays.copyOf(sig, 63))))
        .isFalse();
    assertThat(
            verifier.verify(
                jws.getHeader(),
                jws.getSigningInput(),
                Base64URL.encode(java.util.Arrays.copyOf(sig, 72))))
        .isFalse();
  }

  @Test
  void refusesACriticalHeader() throws Exception {
    JWSHeader crit =
        new JWSHeader.Builder(JWSAlgorithm.ES256)
            .criticalParams(java.util.Set.of("exp"))
            .customParam("exp", 1)
            .build();
    JWSObject jws = new JWSObject(crit, new Payload("{}"));
    jws.sign(new ECDSASigner(key));
    assertThat(verifier.verify(jws.getHeader(), jws.getSigningInput(), jws.getSignature()))
        .isFalse();
  }

  private static JWSObject sign(ECKey key, String payload) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.ES256), new Payload(payload));
    jws.sign(new ECDSASigner(key));
    return jws;
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID("k").generate();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.security.interfaces.ECPublicKey toPublic(ECKey key) {
    try {
      return key.toECPublicKey();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }
}
