package dev.hopgate.pdp.digest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The committed golden vectors, computed outside this code base, reproduced here. */
class DigestsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path VECTORS = Path.of("..", "docs", "vectors", "digests.json");

  static Stream<JsonNode> vectors() throws Exception {
    return StreamSupport.stream(
        JSON.readTree(VECTORS.toFile()).get("vectors").spliterator(), false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void goldenVector_isReproduced(JsonNode vector) throws Exception {
    switch (vector.get("kind").asText()) {
      case "jcs" -> {
        Object input = JSON.treeToValue(vector.get("input"), Object.class);
        assertThat(Digests.canonicalJson(input)).isEqualTo(vector.get("canonical").asText());
        assertThat(Digests.ofJson(input)).isEqualTo(vector.get("digest").asText());
      }
      case "jcs-text" ->
          assertThat(Digests.canonicalJsonText(vector.get("input_text").asText()))
              .isEqualTo(vector.get("canonical").asText());
      case "jws" ->
          assertThat(Digests.ofJws(vector.get("input_text").asText()))
              .isEqualTo(vector.get("digest").asText());
      default -> throw new AssertionError("unknown kind " + vector.get("kind"));
    }
  }

  @Test
  void originBinding_matchesTheGoldenVector() throws Exception {
    JsonNode vector =
        vectors()
            .filter(v -> v.get("name").asText().equals("origin binding with declared intent"))
            .findFirst()
            .orElseThrow();
    String binding =
        Digests.originBinding(
            "txn-7f3c",
            "alice@shop.example",
            "shop.example",
            "spiffe://shop.example/planner",
            1795435200L,
            Map.of("process", "urn:shop:process:checkout", "digest", "sha256:8d4f"));
    assertThat(binding).isEqualTo(vector.get("digest").asText());
  }

  @Test
  void originBinding_omitsAnImplicitIntent() throws Exception {
    JsonNode vector =
        vectors()
            .filter(v -> v.get("name").asText().startsWith("origin binding, implicit"))
            .findFirst()
            .orElseThrow();
    assertThat(
            Digests.originBinding(
                "txn-7f3c",
                "alice@shop.example",
                "shop.example",
                "spiffe://shop.example/planner",
                1795435200L,
                null))
        .isEqualTo(vector.get("digest").asText());
  }
}
