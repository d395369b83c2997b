package dev.hopgate.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.evidence.Checkpoints;
import dev.hopgate.pdp.token.JwsSigning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading a receiver's OTLP JSON back into a decision log refuses what was relabelled or spliced.
 */
class OtlpLogFilesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String A = "spiffe://shop.example/hopgate/a";
  private static final String B = "spiffe://shop.example/hopgate/b";

  @TempDir Path dir;

  /** One OTLP export request holding {@code record} as sent by {@code point}. */
  private Path received(String point, Map<String, Object> record, long sequence, String hash)
      throws Exception {
    String body = JSON.writeValueAsString(record);
    Map<String, Object> request =
        Map.of(
            "resourceLogs",
            List.of(
                Map.of(
                    "resource",
                    Map.of("attributes", List.of(attr("hopgate.enforcement_point", point))),
                    "scopeLogs",
                    List.of(
                        Map.of(
                            "scope",
                            Map.of("name", EvidenceExporter.SCOPE),
                            "logRecords",
                            List.of(
                                Map.of(
                                    "body",
                                    Map.of("stringValue", body),
                                    "attributes",
                                    List.of(
                                        Map.of(
                                            "key",
                                            EvidenceExporter.SEQUENCE.getKey(),
                                            "value",
                                            Map.of("intValue", "" + sequence)),
                                        attr(EvidenceExporter.HASH.getKey(), hash)))))))));
    Path file = dir.resolve("received-" + System.nanoTime() + ".jsonl");
    Files.writeString(file, JSON.writeValueAsString(request) + "\n");
    return file;
  }

  private static Map<String, Object> attr(String key, String value) {
    return Map.of("key", key, "value", Map.of("stringValue", value));
  }

  private static Map<String, Object> checkpointSignedAs(String issuer, long sequence)
      throws Exception {
    String jws =
        JwsSigning.of(JwsSigning.generate("EdDSA", "k"))
            .sign(
                Checkpoints.TYPE,
                new JWTClaimsSet.Builder().issuer(issuer).claim("covers", sequence - 1).build());
    // Only what reading back looks at: the sequence and hash the attributes must match, the
    // checkpoint's signed issuer (log verify checks the rest).
    Map<String, Object> record = new java.util.LinkedHashMap<>();
    record.put("sequence", sequence);
    record.put("event_type", Checkpoints.EVENT_TYPE);
    record.put("payload", Map.of("covers", sequence - 1, "closing", true, "jws", jws));
    record.put("hash", "sha256:test-" + sequence);
    return record;
  }

  @Test
  void aCheckpointSignedByAnotherEnforcementPoint_relabelled_isRefused() throws Exception {
    Map<String, Object> bs = checkpointSignedAs(B, 1);
    Path file = received(A, bs, 1, (String) bs.get("hash"));

    assertThatThrownBy(() -> OtlpLogFiles.read(List.of(file), null))
        .isInstanceOf(OtlpLogFiles.Unreadable.class)
        .hasMessageContaining("signed as " + B)
        .hasMessageContaining("relabelled");
  }

  @Test
  void aBodyThatIsNotTheRecordItsAttributesName_isRefused() throws Exception {
    Map<String, Object> record = checkpointSignedAs(A, 1);
    Path file = received(A, record, 2, (String) record.get("hash"));

    assertThatThrownBy(() -> OtlpLogFiles.read(List.of(file), null))
        .isInstanceOf(OtlpLogFiles.Unreadable.class)
        .hasMessageContaining("not the record its attributes name");
  }

  @Test
  void itsOwnCheckpoint_isRead_andAMissingHeadIsNamed() throws Exception {
    Map<String, Object> record = checkpointSignedAs(A, 3);
    OtlpLogFiles.Read read =
        OtlpLogFiles.read(List.of(received(A, record, 3, (String) record.get("hash"))), null);

    assertThat(read.enforcementPoint()).isEqualTo(A);
    assertThat(read.records()).containsOnlyKeys(3L);
    assertThat(read.gaps()).containsExactly("1..2");
  }
}
