package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import dev.hopgate.pdp.token.JwksFileKeySource;
import dev.hopgate.pdp.token.JwsProblem;
import dev.hopgate.pdp.token.JwsRejection;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.KeySource;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.tests.harness.Jwcrypto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue 18 on algorithms per key (RFC 8725 3.1: one algorithm per key; 3.5: a key's
 * {@code use} and {@code key_ops}), with keys and tokens minted by jwcrypto, read by the same JWKS
 * loading and JWS verification every hopgate trust set uses.
 */
class KeyAlgorithmsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JOSEObjectType TYPE = new JOSEObjectType("hop+jwt");
  private static final Set<JWSAlgorithm> RSA_ALGS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.PS256);

  @TempDir Path dir;

  private static JsonNode mint(String publicExtra, String... algs) throws Exception {
    ObjectNode spec = JSON.createObjectNode();
    spec.putObject("key").putObject("generate").put("kty", "RSA").put("size", 2048);
    spec.set("public_extra", JSON.readTree(publicExtra));
    var tokens = spec.putArray("tokens");
    for (String alg : algs) {
      ObjectNode token = tokens.addObject();
      token.putObject("header").put("alg", alg).put("kid", "rsa-1").put("typ", "hop+jwt");
      token.putObject("claims").put("iss", "https://idp.example").putObject("exp").put("now+", 600);
    }
    return JSON.readTree(Jwcrypto.mint(JSON.writeValueAsString(spec)));
  }

  private KeySource load(JsonNode minted) throws Exception {
    ObjectNode jwk = (ObjectNode) minted.get("public").deepCopy();
    jwk.put("kid", "rsa-1");
    Path file = dir.resolve("jwks.json");
    Files.writeString(
        file,
        JSON.writeValueAsString(
            JSON.createObjectNode().set("keys", JSON.createArrayNode().add(jwk))));
    return JwksFileKeySource.load(
        file, Duration.ofSeconds(1), Duration.ofHours(1), Clock.systemUTC());
  }

  private static KeyResolver resolver(KeySource keys) {
    return KeyResolver.of(
        new TrustSet("rsa-issuer", Set.of("https://idp.example"), RSA_ALGS, keys));
  }

  @Test
  void anRsaKeyWithoutAlg_verifiesBothRs256AndPs256_isLeftOut() throws Exception {
    JsonNode minted = mint("{}", "RS256", "PS256");

    assertThatThrownBy(() -> load(minted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no key for verifying signatures")
        .hasMessageContaining("RSA key without alg");
  }

  @Test
  void aPs256Token_signedWithAKeyPinnedToRs256_isRefusedAsTheWrongAlgorithm() throws Exception {
    JsonNode minted = mint("{\"alg\": \"RS256\"}", "RS256", "PS256");
    KeyResolver keys = resolver(load(minted));
    JwsVerifier verifier = new JwsVerifier(1 << 20, Duration.ofHours(1));

    assertThat(
            verifier
                .verify(minted.at("/tokens/0").asText(), TYPE, RSA_ALGS, keys, "The hop token")
                .claims()
                .getIssuer())
        .isEqualTo("https://idp.example");
    assertThatThrownBy(
            () ->
                verifier.verify(
                    minted.at("/tokens/1").asText(), TYPE, RSA_ALGS, keys, "The hop token"))
        .isInstanceOfSatisfying(
            JwsRejection.class, e -> assertThat(e.problem()).isEqualTo(JwsProblem.ALGORITHM))
        .hasMessageContaining("cannot verify alg PS256");
  }

  @Test
  void anEncryptionKey_inAJwks_isNotTrustedForSignatures() throws Exception {
    JsonNode minted = mint("{\"alg\": \"RS256\", \"use\": \"enc\"}", "RS256");

    assertThatThrownBy(() -> load(minted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no key for verifying signatures");
  }

  @Test
  void aKeyWhoseKeyOpsLackVerify_isNotTrustedForSignatures() throws Exception {
    JsonNode minted = mint("{\"alg\": \"RS256\", \"key_ops\": [\"encrypt\"]}", "RS256");

    assertThatThrownBy(() -> load(minted))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no key for verifying signatures");
  }
}
