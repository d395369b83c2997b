package dev.hopgate.pdp.floor;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Cache;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.TrustSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The attacks of issue 18 on caches keyed by unverified input: one txn participant sending
 * completions it did not sign (or signed badly) must not grow hopgate's memory, nor cost a
 * signature check per record on every request.
 */
class UnverifiedCachesTest {
  private final ChainFixture fixture = new ChainFixture();

  /** A completion whose payload is padded to about 10 KB and whose signature is not its own. */
  private String forged(int i) {
    String real = fixture.completion(ChainFixture.INVENTORY, ChainFixture.RESERVE, fixture.txn);
    String[] parts = real.split("\\.");
    String padded =
        java.util.Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                ("{\"component\":\""
                        + ChainFixture.INVENTORY
                        + "\",\"pad\":\""
                        + "x".repeat(10_000)
                        + i
                        + "\"}")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return parts[0] + "." + padded + "." + parts[2];
  }

  @SuppressWarnings("unchecked")
  private static Cache<String, ?> staticCache(Class<?> owner, String field) throws Exception {
    var f = owner.getDeclaredField(field);
    f.setAccessible(true);
    return (Cache<String, ?>) f.get(null);
  }

  private static long keyBytes(Cache<String, ?> cache) {
    return cache.asMap().keySet().stream().mapToLong(String::length).sum();
  }

  @Test
  void forgedCompletions_doNotFillTheComponentCache_withTheirWholeText() throws Exception {
    Cache<String, ?> components = staticCache(EnforcedArtifacts.class, "COMPONENTS");
    List<String> forged = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      forged.add(forged(i));
    }
    long before = keyBytes(components);

    CompletionVerifier.Result result =
        new CompletionVerifier(
                fixture.verifier, TrustSet.DEFAULT_ALGORITHMS, java.time.Duration.ofSeconds(30))
            .verify(forged, fixture.txn, fixture.manifests, fixture.now);

    assertThat(result.completed()).isEmpty();
    assertThat(result.ignored()).hasSize(200);
    assertThat(components.asMap().keySet()).doesNotContainAnyElementsOf(forged);
    assertThat(keyBytes(components) - before).isLessThan(200 * 100);
  }

  @Test
  void forgedHeaders_doNotFillTheHeaderCache() throws Exception {
    Cache<String, ?> headers = staticCache(JwsVerifier.class, "HEADERS");
    List<String> forged = new ArrayList<>();
    String real = fixture.completion(ChainFixture.INVENTORY, ChainFixture.RESERVE, fixture.txn);
    String[] parts = real.split("\\.");
    for (int i = 0; i < 200; i++) {
      String header =
          java.util.Base64.getUrlEncoder()
              .withoutPadding()
              .encodeToString(
                  ("{\"alg\":\"EdDSA\",\"typ\":\"hop-completion+jwt\",\"kid\":\"ep-inventory\","
                          + "\"x\":\""
                          + "y".repeat(5_000)
                          + i
                          + "\"}")
                      .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      forged.add(header + "." + parts[1] + "." + parts[2]);
    }

    new CompletionVerifier(
            fixture.verifier, TrustSet.DEFAULT_ALGORITHMS, java.time.Duration.ofSeconds(30))
        .verify(forged, fixture.txn, fixture.manifests, fixture.now);

    assertThat(headers.asMap().keySet())
        .doesNotContainAnyElementsOf(forged.stream().map(f -> f.split("\\.")[0]).toList());
  }
}
