package dev.hopgate.pdp.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.problem.Problems;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A written log verifies; every kind of tampering is found at the right sequence number. */
class DecisionLogTest {
  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void write() throws Exception {
    file = dir.resolve("decisions.jsonl");
    DecisionLog log = DecisionLog.open(file, 100, Clock.systemUTC());
    for (int i = 1; i <= 6; i++) {
      Decision d =
          i % 2 == 0
              ? Decision.allow("d-" + i, "txn-1", "sha256:rev", Map.of(), Decision.About.NOTHING)
              : Decision.deny(
                  "d-" + i,
                  Violation.of(Gate.SCOPE, "step_not_in_intent"),
                  Problems.configuration("d-" + i, "route_unknown", "x"),
                  "txn-1",
                  "sha256:rev");
      assertThat(
              log.offer(
                  "decision", "txn-1", DecisionRecords.payload(d, "cedar", "sha256:in" + i, null)))
          .isTrue();
    }
    log.close();
  }

  @Test
  void aReservedPlace_countsAgainstTheQueue_untilItsRecordIsWritten() throws Exception {
    DecisionLog log = DecisionLog.open(dir.resolve("reserved.jsonl"), 1, Clock.systemUTC());
    try {
      DecisionLog.Place place = log.reserve();

      assertThat(place).isNotNull();
      assertThat(log.reserve()).as("the one place is held").isNull();
      assertThat(log.offer("decision", "t", Map.of("decision_id", "x"))).isFalse();
      assertThat(log.commit(place, "decision", "t", Map.of("decision_id", "d-r"))).isTrue();
      dev.hopgate.testing.Eventually.until("the record is written", () -> log.written() == 1);
      dev.hopgate.testing.Eventually.until(
          "its place is free again",
          () -> {
            DecisionLog.Place again = log.reserve();
            return again != null
                && log.commit(again, "decision", "t", Map.of("decision_id", "d-s"));
          });
    } finally {
      log.close();
    }
    assertThat(log.reserve()).as("a closed log holds no place").isNull();
  }

  @Test
  void anUntouchedLog_verifies() throws Exception {
    LogVerifier.Result result = LogVerifier.verify(file);
    assertThat(result.intact()).isTrue();
    assertThat(result.records()).isEqualTo(6);
  }

  @Test
  void aLogContinuedAfterARestart_staysOneChain() throws Exception {
    DecisionLog again = DecisionLog.open(file, 10, Clock.systemUTC());
    again.offer("decision", "txn-2", Map.of("decision_id", "d-7", "outcome", "ALLOW"));
    again.close();
    assertThat(LogVerifier.verify(file).records()).isEqualTo(7);
    assertThat(LogVerifier.verify(file).intact()).isTrue();
  }

  @Test
  void anEditedRecord_isFoundAtItsSequence() throws Exception {
    edit(lines -> lines.set(2, lines.get(2).replace("\"DENY\"", "\"ALLOW\"")));
    assertBroken(3, "record 3 was altered");
  }

  @Test
  void aRemovedRecord_isFoundAtItsSequence() throws Exception {
    edit(lines -> lines.remove(3));
    assertBroken(4, "record 4 is missing");
  }

  @Test
  void reorderedRecords_areFound() throws Exception {
    edit(
        lines -> {
          String third = lines.remove(2);
          lines.add(3, third);
        });
    assertBroken(3, "record 3 is out of order");
  }

  @Test
  void aTruncatedRecord_isFound() throws Exception {
    edit(lines -> lines.set(5, lines.get(5).substring(0, lines.get(5).length() / 2)));
    assertBroken(6, "is not JSON");
  }

  @Test
  void aRecordRehashedAfterEditing_breaksTheNextLink() throws Exception {
    // A careful forger recomputes the edited record's own hash; the next record still points at the
    // old one.
    edit(
        lines -> {
          var json = new com.fasterxml.jackson.databind.ObjectMapper();
          try {
            @SuppressWarnings("unchecked")
            Map<String, Object> record =
                json.readValue(lines.get(1).replace("\"ALLOW\"", "\"DENY\""), Map.class);
            record.put("hash", DecisionRecords.hash(record));
            lines.set(1, json.writeValueAsString(record));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    assertBroken(3, "does not link");
  }

  private void assertBroken(long sequence, String problem) throws Exception {
    LogVerifier.Result result = LogVerifier.verify(file);
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBadSequence()).isEqualTo(sequence);
    assertThat(result.problem()).contains(problem);
  }

  private void edit(java.util.function.Consumer<List<String>> change) throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    change.accept(lines);
    Files.write(file, lines, StandardCharsets.UTF_8);
  }
}
