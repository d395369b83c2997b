package dev.hopgate.pdp.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.conformance.CaseInputs;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.gate.Disclosure;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problems;
import dev.hopgate.pdp.process.ProcessRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A FULL log of the whole conformance corpus replays to the same decisions. */
class LogReplayTest {
  @TempDir Path dir;

  @Test
  void aFullLogOfTheConformanceCorpus_replaysIdentically_andAnAlteredDecisionIsReported()
      throws Exception {
    PreparedPolicy policy = new CedarEngine().prepare(Path.of("..", "policies", "cedar"));
    var corpus =
        dev.hopgate.pdp.conformance.Corpus.load(
            Path.of("..", "tests", "conformance"),
            ProcessRegistry.load(Path.of("..", "policies", "processes")));
    Path file = dir.resolve("full.jsonl");
    DecisionLog log = DecisionLog.open(file, 1000, Clock.systemUTC());
    DecisionLogSink sink =
        new DecisionLogSink(log, DecisionLogSink.Trace.FULL, true, policy.engine());
    int n = 0;
    for (var c : corpus.cases()) {
      InputDocument input = CaseInputs.build(c.input(), corpus);
      EngineDecision d = policy.evaluate(input);
      String id = "d-" + (++n);
      Decision decision =
          d.allow()
              ? Decision.allow(id, "txn", policy.revision(), Map.of(), Decision.About.NOTHING)
              : Decision.deny(
                  id,
                  Disclosure.apply(d.violations()),
                  Problems.configuration(id, "route_unknown", "x"),
                  "txn",
                  policy.revision());
      assertThat(sink.record(decision, input)).isTrue();
    }
    log.close();

    LogReplayer.Result result = LogReplayer.replay(file, policy);
    assertThat(result.replayed()).isEqualTo(corpus.cases().size());
    assertThat(result.differences()).isEmpty();

    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    int allow = 0;
    while (!lines.get(allow).contains("\"outcome\":\"ALLOW\"")) {
      allow++;
    }
    lines.set(allow, lines.get(allow).replace("\"outcome\":\"ALLOW\"", "\"outcome\":\"DENY\""));
    Files.write(file, lines, StandardCharsets.UTF_8);
    assertThat(LogReplayer.replay(file, policy).differences())
        .singleElement()
        .asString()
        .contains("logged DENY [], replayed ALLOW []");
  }

  @Test
  void aDenyTheStateStoreDecided_isSkipped_forTheEngineAllowedIt() throws Exception {
    PreparedPolicy policy = new CedarEngine().prepare(Path.of("..", "policies", "cedar"));
    var corpus =
        dev.hopgate.pdp.conformance.Corpus.load(
            Path.of("..", "tests", "conformance"),
            ProcessRegistry.load(Path.of("..", "policies", "processes")));
    var allowed = corpus.cases().stream().filter(c -> c.want().allow()).findFirst().orElseThrow();
    InputDocument input = CaseInputs.build(allowed.input(), corpus);
    Path file = dir.resolve("raced.jsonl");
    DecisionLog log = DecisionLog.open(file, 10, Clock.systemUTC());
    DecisionLogSink sink =
        new DecisionLogSink(log, DecisionLogSink.Trace.FULL, true, policy.engine());
    List<dev.hopgate.pdp.gate.Violation> lost =
        List.of(
            new dev.hopgate.pdp.gate.Violation(
                dev.hopgate.pdp.gate.Gate.SEQUENCE,
                "consumed",
                java.util.Map.of("consumed", List.of("urn:x"))));
    assertThat(
            sink.record(
                Decision.deny(
                        "d-1",
                        lost,
                        Problems.configuration("d-1", "route_unknown", "x"),
                        "txn",
                        policy.revision())
                    .withAbout(
                        new Decision.About(
                            null, null, null, null, null, DisclosureLevel.FULL, true, null)),
                input))
        .isTrue();
    log.close();

    LogReplayer.Result result = LogReplayer.replay(file, policy);
    assertThat(result.skipped()).isEqualTo(1);
    assertThat(result.differences()).isEmpty();
  }
}
