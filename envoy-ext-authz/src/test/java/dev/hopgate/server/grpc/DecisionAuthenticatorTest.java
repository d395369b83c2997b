package dev.hopgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecisionAuthenticatorTest {
  private static final List<String> VALUES = List.of("d-1", "ALLOW", "txn-1");

  @TempDir Path dir;

  @Test
  void verifies_whatItSigned_andNothingChanged() {
    DecisionAuthenticator keys = DecisionAuthenticator.generated();
    String mac = keys.sign(VALUES);
    assertThat(keys.verifies(keys.currentKid(), mac, VALUES)).isTrue();
    assertThat(keys.verifies(keys.currentKid(), mac, List.of("d-1", "ALLOW", "txn-2"))).isFalse();
    // Length-prefixed: moving a character from one value to the next is another input.
    assertThat(keys.verifies(keys.currentKid(), mac, List.of("d-1A", "LLOW", "txn-1"))).isFalse();
    assertThat(keys.verifies("other", mac, VALUES)).isFalse();
    assertThat(keys.verifies(keys.currentKid(), "not base64 !", VALUES)).isFalse();
    assertThat(DecisionAuthenticator.generated().verifies("generated", mac, VALUES))
        .as("another secret")
        .isFalse();
  }

  @Test
  void rotation_theNewKeySigns_theOldStillVerifies() throws Exception {
    var old = new OctetSequenceKeyGenerator(256).keyID("k1").generate();
    Path file = Files.writeString(dir.resolve("keys.json"), new JWKSet(old).toString(false));
    String fromBefore = DecisionAuthenticator.load(file).sign(VALUES);

    var next = new OctetSequenceKeyGenerator(256).keyID("k2").generate();
    Files.writeString(file, new JWKSet(List.of(next, old)).toString(false));
    DecisionAuthenticator rotated = DecisionAuthenticator.load(file);
    assertThat(rotated.currentKid()).isEqualTo("k2");
    assertThat(rotated.verifies("k1", fromBefore, VALUES)).isTrue();
    assertThat(rotated.toString())
        .doesNotContain(old.getKeyValue().toString())
        .contains("k1", "k2");
  }

  @Test
  void load_refusesWhatIsNotASharedSecretOfEnoughBits() throws Exception {
    Path ec =
        Files.writeString(
            dir.resolve("ec.json"),
            new JWKSet(new ECKeyGenerator(Curve.P_256).keyID("e").generate()).toString(false));
    assertThatThrownBy(() -> DecisionAuthenticator.load(ec)).hasMessageContaining("expected: oct");
    Path shortKey =
        Files.writeString(
            dir.resolve("short.json"),
            new JWKSet(new OctetSequenceKeyGenerator(128).keyID("s").generate()).toString(false));
    assertThatThrownBy(() -> DecisionAuthenticator.load(shortKey))
        .hasMessageContaining("128 bits (expected: at least 256)");
    Path noKid =
        Files.writeString(
            dir.resolve("nokid.json"),
            new JWKSet(new OctetSequenceKeyGenerator(256).generate()).toString(false));
    assertThatThrownBy(() -> DecisionAuthenticator.load(noKid)).hasMessageContaining("no kid");
  }
}
