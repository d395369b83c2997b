package dev.hopgate.pdp.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.token.JwsSigning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestRegistryTest {
  @TempDir Path dir;
  private final ChainFixture f = new ChainFixture();
  private final JwsSigning ep = ChainFixture.signer("EdDSA", "ep");

  @Test
  void load_indexesVerifiedManifestsAndNamesTheOnesItRefuses() throws Exception {
    write(
        "inventory.jws",
        f.registry,
        claims("spiffe://x/inventory", List.of("urn:s:reserve")).build());
    write(
        "forged.jws",
        ChainFixture.signer("EdDSA", "reg-1"),
        claims("spiffe://x/forged", List.of("urn:s:a")).build());
    write(
        "contradiction.jws",
        f.registry,
        claims("spiffe://x/odd", List.of("urn:s:a"))
            .claim("does_not_perform", List.of("urn:s:a"))
            .build());
    write(
        "no-enforcement.jws",
        f.registry,
        new JWTClaimsSet.Builder()
            .issuer(ChainFixture.REGISTRY)
            .claim("component", "spiffe://x/lonely")
            .claim("performs", List.of("urn:s:a"))
            .build());
    Files.writeString(dir.resolve("truncated.jws"), "eyJhbGciOiJFZERTQSJ9.eyJ");
    Files.writeString(dir.resolve("README.md"), "not a manifest");

    ManifestRegistry registry = ManifestRegistry.load(dir, f.registryTrust(), f.verifier, f.clock);

    assertThat(registry.all())
        .extracting(Manifest::component)
        .containsExactly("spiffe://x/inventory");
    assertThat(registry.get("spiffe://x/inventory").orElseThrow().delegates())
        .isEqualTo(Delegation.NONE);
    assertThat(registry.problems())
        .hasSize(4)
        .anySatisfy(
            p -> assertThat(p).startsWith("manifest forged.jws:").contains("does not verify"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("manifest contradiction.jws:")
                    .contains("both performed and not"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("manifest no-enforcement.jws:")
                    .contains("'enforcement' missing"))
        .anySatisfy(p -> assertThat(p).startsWith("manifest truncated.jws:"));
  }

  @Test
  void load_refusesBothManifestsOfAComponentNamedTwice() throws Exception {
    write("a.jws", f.registry, claims("spiffe://x/twice", List.of("urn:s:a")).build());
    write("b.jws", f.registry, claims("spiffe://x/twice", List.of("urn:s:b")).build());

    ManifestRegistry registry = ManifestRegistry.load(dir, f.registryTrust(), f.verifier, f.clock);
    assertThat(registry.get("spiffe://x/twice")).isEmpty();
    assertThat(registry.problems()).singleElement().asString().contains("already has a manifest");
  }

  @Test
  void delegates_star_passesOnEverythingGiven_andAListNarrows() throws Exception {
    write(
        "star.jws",
        f.registry,
        claims("spiffe://x/star", List.of("urn:s:a")).claim("delegates", "*").build());
    write(
        "list.jws",
        f.registry,
        claims("spiffe://x/list", List.of("urn:s:a"))
            .claim("delegates", List.of("urn:s:b"))
            .build());
    ManifestRegistry registry = ManifestRegistry.load(dir, f.registryTrust(), f.verifier, f.clock);

    assertThat(
            registry
                .get("spiffe://x/star")
                .orElseThrow()
                .delegates()
                .narrow(java.util.Set.of("urn:s:b", "urn:s:c")))
        .containsExactlyInAnyOrder("urn:s:b", "urn:s:c");
    assertThat(
            registry
                .get("spiffe://x/list")
                .orElseThrow()
                .delegates()
                .narrow(java.util.Set.of("urn:s:b", "urn:s:c")))
        .containsExactly("urn:s:b");
  }

  private JWTClaimsSet.Builder claims(String component, List<String> performs) {
    return new JWTClaimsSet.Builder()
        .issuer(ChainFixture.REGISTRY)
        .claim("component", component)
        .claim("performs", performs)
        .claim(
            "enforcement",
            List.of(
                Map.of(
                    "id",
                    "spiffe://x/hopgate",
                    "keys",
                    new JWKSet(ep.key().toPublicJWK()).toJSONObject())));
  }

  private void write(String name, JwsSigning signer, JWTClaimsSet claims) throws Exception {
    Files.writeString(dir.resolve(name), signer.sign(ManifestRegistry.TYPE, claims));
  }
}
