package dev.hopgate.pdp.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwsVerifierTest {
  private static final JOSEObjectType TRANSITION = new JOSEObjectType("hop-transition+jwt");

  private JwsSigning signing;
  private CountingKeys keys;
  private JwsVerifier verifier;

  @BeforeEach
  void setUp() {
    signing = JwsSigning.of(JwsSigning.generate("EdDSA", "ep-1"));
    keys = new CountingKeys(TrustedKey.of(signing.key().toPublicJWK()));
    verifier = new JwsVerifier(1 << 20, Duration.ofHours(1));
  }

  @Test
  void verify_checksASignatureOnceAndThenAnswersFromTheCache() throws Exception {
    String jws = sign(TRANSITION, Instant.now().plusSeconds(60));
    VerifiedJws first =
        verifier.verify(jws, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition");
    VerifiedJws second =
        verifier.verify(jws, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition");

    assertThat(keys.verifications.get()).isEqualTo(1);
    assertThat(second).isSameAs(first);
    assertThat(first.digest()).startsWith("sha256:").hasSize(71);
  }

  @Test
  void aBadSignature_sentAgain_costsNoSecondSignatureCheck() throws Exception {
    String jws = sign(TRANSITION, Instant.now().plusSeconds(60));
    String other = sign(TRANSITION, Instant.now().plusSeconds(61));
    String forged =
        jws.substring(0, jws.lastIndexOf('.')) + other.substring(other.lastIndexOf('.'));

    for (int i = 0; i < 32; i++) {
      assertThatThrownBy(
              () ->
                  verifier.verify(
                      forged, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition"))
          .isInstanceOfSatisfying(
              JwsRejection.class, e -> assertThat(e.problem()).isEqualTo(JwsProblem.SIGNATURE));
    }

    assertThat(keys.verifications.get()).isEqualTo(1);
    assertThatThrownBy(
            () ->
                verifier.verify(
                    forged, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "Completion 7"))
        .as("a remembered failure is named by the use that meets it")
        .hasMessageStartingWith("Completion 7's signature");
  }

  @Test
  void theVerifiedCache_isBoundedByTheBytesItHolds() throws Exception {
    JwsVerifier small = new JwsVerifier(64 * 1024, Duration.ofHours(1));
    for (int i = 0; i < 100; i++) {
      String big =
          signing.sign(
              TRANSITION,
              new JWTClaimsSet.Builder()
                  .issuer("ep-1")
                  .claim("pad", "p".repeat(4_000) + i)
                  .expirationTime(Date.from(Instant.now().plusSeconds(60)))
                  .build());
      small.verify(big, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition");
    }

    assertThat(small.cachedSignatures()).isLessThanOrEqualTo(64 * 1024 / 8_000);
  }

  @Test
  void verify_checksAgainAfterTheKeysChange() throws Exception {
    String jws = sign(TRANSITION, Instant.now().plusSeconds(60));
    verifier.verify(jws, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition");
    keys.revision.incrementAndGet();
    verifier.verify(jws, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition");

    assertThat(keys.verifications.get()).isEqualTo(2);
  }

  @Test
  void verify_refusesAKeyRemovedAfterItVerified() throws Exception {
    String jws = sign(TRANSITION, Instant.now().plusSeconds(60));
    verifier.verify(jws, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition");
    keys.removed = true;
    keys.revision.incrementAndGet();

    assertThatThrownBy(
            () ->
                verifier.verify(
                    jws, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition"))
        .isInstanceOfSatisfying(
            JwsRejection.class, e -> assertThat(e.problem()).isEqualTo(JwsProblem.UNKNOWN_KEY));
  }

  @Test
  void verify_doesNotLetACachedFactOfOneTypeAnswerForAnother() throws Exception {
    String jws = sign(TRANSITION, Instant.now().plusSeconds(60));
    verifier.verify(jws, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition");

    assertThatThrownBy(
            () ->
                verifier.verify(
                    jws,
                    new JOSEObjectType("hop-completion+jwt"),
                    TrustSet.DEFAULT_ALGORITHMS,
                    keys,
                    "The completion"))
        .isInstanceOfSatisfying(
            JwsRejection.class, e -> assertThat(e.problem()).isEqualTo(JwsProblem.MALFORMED));
  }

  @Test
  void verify_doesNotKeepAnExpiredJws() throws Exception {
    String jws = sign(TRANSITION, Instant.now().minusSeconds(1));
    verifier.verify(jws, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "The transition");
    assertThat(verifier.cachedSignatures()).isZero();
  }

  @Test
  void aRememberedFailure_isCheckedAgainOnceTheKeysChange() {
    String jws = sign(TRANSITION, Instant.now().plusSeconds(60));
    String[] parts = jws.split("\\.");
    String forged = parts[0] + "." + Base64URL.encode("{\"txn\":\"other\"}") + "." + parts[2];
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(
              () -> verifier.verify(forged, TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "It"))
          .isInstanceOfSatisfying(
              JwsRejection.class, e -> assertThat(e.problem()).isEqualTo(JwsProblem.SIGNATURE));
      keys.revision.incrementAndGet();
    }
    assertThat(keys.verifications.get()).isEqualTo(2);
  }

  private String sign(JOSEObjectType type, Instant exp) {
    return signing.sign(
        type,
        new JWTClaimsSet.Builder().claim("txn", "txn-1").expirationTime(Date.from(exp)).build());
  }

  /** The real key, its verifications counted. */
  private static final class CountingKeys implements KeyResolver {
    final AtomicInteger verifications = new AtomicInteger();
    final AtomicLong revision = new AtomicLong(1);
    final TrustedKey counted;
    volatile boolean removed;

    CountingKeys(TrustedKey key) {
      JWSVerifier real = key.verifier();
      JWSVerifier counting =
          new JWSVerifier() {
            @Override
            public boolean verify(JWSHeader header, byte[] input, Base64URL signature)
                throws JOSEException {
              verifications.incrementAndGet();
              return real.verify(header, input, signature);
            }

            @Override
            public java.util.Set<com.nimbusds.jose.JWSAlgorithm> supportedJWSAlgorithms() {
              return real.supportedJWSAlgorithms();
            }

            @Override
            public JCAContext getJCAContext() {
              return real.getJCAContext();
            }
          };
      this.counted = new TrustedKey(key.keyId(), key.jwk(), key.algorithms(), counting);
    }

    @Override
    public String scope() {
      return "test enforcement keys";
    }

    @Override
    public Optional<TrustedKey> find(String kid) {
      return removed || !kid.equals(counted.keyId()) ? Optional.empty() : Optional.of(counted);
    }

    @Override
    public long revision() {
      return revision.get();
    }
  }

  @Test
  void compactShape_isThreeBase64urlSegments_theSignatureMayBeEmpty() {
    assertThat(JwsVerifier.isCompact("eyJh.eyJi.c2ln")).isTrue();
    assertThat(JwsVerifier.isCompact("eyJh.eyJi.")).isTrue();
    assertThat(JwsVerifier.isCompact("a-_Z9.b.c")).isTrue();
    for (String bad :
        java.util.List.of(
            "",
            ".",
            "..",
            "a..c",
            ".b.c",
            "a.b",
            "a.b.c.d",
            "a.b.c=",
            "a+b.c.d",
            "a.b.c ",
            " a.b.c",
            "a.b.\u00e9")) {
      assertThat(JwsVerifier.isCompact(bad)).as(bad).isFalse();
    }
  }
}
