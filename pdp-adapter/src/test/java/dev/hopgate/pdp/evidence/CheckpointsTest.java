package dev.hopgate.pdp.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.token.FixedKeySource;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.TrustSet;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed checkpoints: a log cut after any record, or rehashed whole under another key, is told
 * apart from the log its enforcement point closed.
 */
class CheckpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EP = "spiffe://shop.example/hopgate";

  private final JwsSigning key = JwsSigning.of(JwsSigning.generate("ES256", "ep-1"));
  @TempDir Path dir;
  private Path file;

  @BeforeEach
  void write() throws Exception {
    file = dir.resolve("decisions.jsonl");
    DecisionLog log =
        DecisionLog.open(
            file,
            100,
            Clock.systemUTC(),
            new Checkpoints(EP, key, 3),
            DecisionLog.Fsync.CHECKPOINT);
    for (int i = 1; i <= 7; i++) {
      assertThat(log.offer("decision", "txn-1", Map.of("decision_id", "d-" + i))).isTrue();
    }
    log.close();
  }

  private static KeyResolver keys(JwsSigning... signing) {
    return KeyResolver.of(
        new TrustSet(
            "checkpoints",
            Set.of(EP),
            TrustSet.DEFAULT_ALGORITHMS,
            FixedKeySource.of(
                "ep", java.util.Arrays.stream(signing).map(JwsSigning::key).toList())));
  }

  /** The log rewritten whole, its checkpoints signed by {@code forged}. */
  private void rehash(Checkpoints forged) throws Exception {
    List<String> rewritten = new ArrayList<>();
    String prev = DecisionRecords.GENESIS;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      @SuppressWarnings("unchecked")
      Map<String, Object> record = new LinkedHashMap<>(JSON.readValue(line, Map.class));
      long sequence = ((Number) record.get("sequence")).longValue();
      @SuppressWarnings("unchecked")
      Map<String, Object> payload = (Map<String, Object>) record.get("payload");
      if (Checkpoints.EVENT_TYPE.equals(record.get("event_type"))) {
        payload =
            forged.payload(
                sequence - 1, prev, (Boolean) payload.get("closing"), java.time.Instant.now());
      } else {
        payload = new LinkedHashMap<>(payload);
        payload.put("decision_id", "forged-" + sequence);
      }
      Map<String, Object> again =
          DecisionRecords.record(
              sequence,
              java.time.Instant.parse((String) record.get("timestamp")),
              (String) record.get("event_type"),
              (String) record.get("txn"),
              payload,
              prev);
      prev = (String) again.get("hash");
      rewritten.add(JSON.writeValueAsString(again));
    }
    Files.write(file, rewritten, StandardCharsets.UTF_8);
  }

  @Test
  void aClosedLog_verifies_withACheckpointEveryThreeRecordsAndAClosingOne() throws Exception {
    LogVerifier.Result result = LogVerifier.verify(file, keys(key));

    assertThat(result.intact()).as(String.valueOf(result.problem())).isTrue();
    // 3 records, checkpoint, 3 records, checkpoint, 1 record, closing checkpoint.
    assertThat(result.records()).isEqualTo(10);
    assertThat(result.checkpoints()).isEqualTo(3);
    assertThat(result.closed()).isTrue();
    assertThat(result.signaturesChecked()).isTrue();
  }

  @Test
  void aLogWhoseLastRecordsWereCutOff_isNotClosed_whereverTheCutFalls() throws Exception {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int keep = 1; keep < lines.size(); keep++) {
      Files.write(file, lines.subList(0, keep), StandardCharsets.UTF_8);

      LogVerifier.Result result = LogVerifier.verify(file, keys(key));

      assertThat(result.intact()).as("what remains still chains").isTrue();
      assertThat(result.closed()).as("cut after %d records", keep).isFalse();
    }
  }

  @Test
  void aLogRehashedWholeUnderAnotherKey_failsAtItsFirstCheckpoint() throws Exception {
    rehash(new Checkpoints(EP, JwsSigning.of(JwsSigning.generate("ES256", "ep-1")), 3));

    assertThat(LogVerifier.verify(file).intact())
        .as("without the key, a wholly rehashed chain looks whole")
        .isTrue();
    LogVerifier.Result result = LogVerifier.verify(file, keys(key));
    assertThat(result.intact()).isFalse();
    assertThat(result.firstBadSequence()).isEqualTo(4);
    assertThat(result.problem()).contains("is not signed by the enforcement point's key");
  }

  @Test
  void aLogRehashedByAnotherEnforcementPointInTheSameKeySet_isNamedByItsIssuer() throws Exception {
    JwsSigning other = JwsSigning.of(JwsSigning.generate("ES256", "ep-2"));
    rehash(new Checkpoints("spiffe://shop.example/hopgate-b", other, 3));

    LogVerifier.Result anyOne = LogVerifier.verify(file, keys(key, other));
    LogVerifier.Result asA = LogVerifier.verify(file, keys(key, other), EP);

    assertThat(anyOne.intact()).as("one signer throughout: consistent").isTrue();
    assertThat(asA.intact()).isFalse();
    assertThat(asA.problem())
        .contains("is signed as spiffe://shop.example/hopgate-b, not as " + EP);
  }

  @Test
  void aCutBackToAnEarlierRunsClose_looksClosed_whichOnlyTheLoggedClosingSequenceTells()
      throws Exception {
    long firstRun = Files.readAllLines(file, StandardCharsets.UTF_8).size();
    DecisionLog again =
        DecisionLog.open(
            file, 100, Clock.systemUTC(), new Checkpoints(EP, key, 3), DecisionLog.Fsync.NEVER);
    again.offer("decision", "txn-2", Map.of("decision_id", "d-8"));
    again.close();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Files.write(file, lines.subList(0, (int) firstRun), StandardCharsets.UTF_8);

    LogVerifier.Result result = LogVerifier.verify(file, keys(key));

    // Documented (docs/decision-log.md): only the closing sequence hopgate logged, kept apart
    // from the log, tells this cut (log verify --expect-sequence).
    assertThat(result.closed()).isTrue();
    assertThat(result.records()).isLessThan(lines.size());
  }

  @Test
  void aLastRecordCutMidWriteByACrash_isSetAside_andTheLogContinuesWhole() throws Exception {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String partial = String.join("\n", lines.subList(0, 5)) + "\n" + lines.get(5).substring(0, 20);
    Files.writeString(file, partial);

    DecisionLog again =
        DecisionLog.open(
            file, 100, Clock.systemUTC(), new Checkpoints(EP, key, 3), DecisionLog.Fsync.NEVER);
    again.offer("decision", "txn-2", Map.of("decision_id", "d-9"));
    again.close();

    LogVerifier.Result result = LogVerifier.verify(file, keys(key));
    assertThat(result.intact()).as(String.valueOf(result.problem())).isTrue();
    assertThat(result.closed()).isTrue();
    try (var aside = Files.list(dir)) {
      assertThat(aside.map(p -> p.getFileName().toString()))
          .anyMatch(name -> name.startsWith("decisions.jsonl.partial-"));
    }
  }

  @Test
  void twoRecordsRunTogetherOnOneLine_areNotReadAsOne() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    lines.set(1, lines.get(1) + lines.get(2));
    lines.remove(2);
    Files.write(file, lines, StandardCharsets.UTF_8);

    LogVerifier.Result result = LogVerifier.verify(file, keys(key));

    assertThat(result.problem()).isEqualTo("line 2 is not JSON (truncated or edited)");
  }

  @Test
  void aRemovedCheckpoint_breaksTheChainAtIt() throws Exception {
    List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
    lines.remove(3);
    Files.write(file, lines, StandardCharsets.UTF_8);

    LogVerifier.Result result = LogVerifier.verify(file, keys(key));

    assertThat(result.firstBadSequence()).isEqualTo(4);
    assertThat(result.problem()).contains("missing");
  }

  @Test
  void aLogContinuedAfterARestart_closesAgain() throws Exception {
    DecisionLog again =
        DecisionLog.open(
            file, 100, Clock.systemUTC(), new Checkpoints(EP, key, 3), DecisionLog.Fsync.NEVER);
    again.offer("decision", "txn-2", Map.of("decision_id", "d-8"));
    again.close();

    LogVerifier.Result result = LogVerifier.verify(file, keys(key));

    assertThat(result.intact()).as(String.valueOf(result.problem())).isTrue();
    assertThat(result.closed()).isTrue();
    assertThat(result.checkpoints()).isEqualTo(4);
  }
}
