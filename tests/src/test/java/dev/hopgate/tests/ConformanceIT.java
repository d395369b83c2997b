package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.conformance.ConformanceRunner;
import dev.hopgate.pdp.conformance.Corpus;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.engine.rego.OpaServerEngine;
import dev.hopgate.pdp.engine.rego.OpaWasmEngine;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.tests.harness.OpaProcess;
import dev.hopgate.tests.harness.Tools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The conformance corpus on all three engines, a real OPA server among them. */
class ConformanceIT {
  @TempDir static Path dir;
  static OpaProcess opa;
  static Corpus corpus;
  static List<PreparedPolicy> engines;

  @BeforeAll
  static void start() throws Exception {
    opa = OpaProcess.start(dir);
    Path repo = Tools.repo();
    corpus =
        Corpus.load(
            repo.resolve("tests/conformance"),
            ProcessRegistry.load(repo.resolve("policies/processes")));
    engines =
        List.of(
            new CedarEngine().prepare(repo.resolve("policies/cedar")),
            new OpaWasmEngine(2, Duration.ofSeconds(5))
                .prepare(repo.resolve("policies/target/opa/policy.wasm")),
            new OpaServerEngine(opa.uri(), Duration.ofSeconds(5))
                .prepare(repo.resolve("policies/rego")));
  }

  @AfterAll
  static void stop() {
    if (opa != null) {
      opa.close();
    }
  }

  @Test
  void corpus_hasAtLeast80CasesCoveringEveryGateAloneAndTheWorkedCase() {
    assertThat(corpus.cases()).hasSizeGreaterThanOrEqualTo(80);
    assertThat(corpus.cases())
        .extracting(Corpus.Case::note)
        .anyMatch(n -> n.startsWith("scope: the worked case"))
        .anyMatch(n -> n.startsWith("capability:"))
        .anyMatch(n -> n.startsWith("authorization:"))
        .anyMatch(n -> n.startsWith("scope: implicit intent"));
  }

  @TestFactory
  Stream<DynamicTest> everyCase_sameAnswerOnEveryEngine() {
    return corpus.cases().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.file() + ": " + c.note(),
                    () -> {
                      ConformanceRunner.CaseResult result =
                          ConformanceRunner.run(c, corpus, engines);
                      assertThat(result.failures())
                          .as("case '%s' (%s)", c.note(), c.file())
                          .isEmpty();
                    }));
  }
}
