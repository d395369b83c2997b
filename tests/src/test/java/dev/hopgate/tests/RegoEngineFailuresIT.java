package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PolicyLoadException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.rego.OpaServerEngine;
import dev.hopgate.pdp.engine.rego.OpaWasmEngine;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.tests.harness.OpaProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a real OPA does when policies are slow, undefined or broken: hopgate denies, never allows.
 */
class RegoEngineFailuresIT {
  @TempDir static Path dir;
  static OpaProcess opa;

  @BeforeAll
  static void start() {
    opa = OpaProcess.start(dir);
  }

  @AfterAll
  static void stop() {
    opa.close();
  }

  @Test
  void slowPolicy_timesOut() throws Exception {
    Path rego =
        write(
            "slow",
            """
        package hopgate.gates

        decision := {"allow": count([x | some x in numbers.range(1, 3000000); x % 7 == 0]) < 0, "violations": []}
        """);
    PreparedPolicy policy = new OpaServerEngine(opa.uri(), Duration.ofMillis(20)).prepare(rego);
    assertThatThrownBy(() -> policy.evaluate(input()))
        .isInstanceOfSatisfying(EvaluationException.class, e -> assertThat(e.timedOut()).isTrue());
  }

  @Test
  void undefinedDecision_failsWithoutTimingOut() throws Exception {
    Path rego =
        write(
            "undefined",
            """
        package hopgate.gates

        decision := {"allow": true, "violations": []} if input.never_there
        """);
    PreparedPolicy policy = new OpaServerEngine(opa.uri(), Duration.ofSeconds(2)).prepare(rego);
    assertThatThrownBy(() -> policy.evaluate(input()))
        .isInstanceOfSatisfying(
            EvaluationException.class,
            e -> {
              assertThat(e.timedOut()).isFalse();
              assertThat(e.getMessage()).contains("undefined");
            });
  }

  @Test
  void allowWithViolations_isRefusedAsInconsistent() throws Exception {
    Path rego =
        write(
            "inconsistent",
            """
        package hopgate.gates

        decision := {"allow": true, "violations": [{"gate": "scope", "code": "x"}]}
        """);
    PreparedPolicy policy = new OpaServerEngine(opa.uri(), Duration.ofSeconds(2)).prepare(rego);
    assertThatThrownBy(() -> policy.evaluate(input()))
        .isInstanceOf(EvaluationException.class)
        .hasMessageContaining("allow is true with 1 violations");
  }

  @Test
  void policyOpaRefuses_doesNotLoadAndIsNamed() throws Exception {
    Path rego = write("broken", "package hopgate.gates\n\ndecision := {\n");
    assertThatThrownBy(() -> new OpaServerEngine(opa.uri(), Duration.ofSeconds(2)).prepare(rego))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("gates.rego refused by OPA");
  }

  @Test
  void missingWasmModule_doesNotLoad() {
    assertThatThrownBy(
            () -> new OpaWasmEngine(1, Duration.ofSeconds(1)).prepare(dir.resolve("absent.wasm")))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("built by scripts/opa-policies.sh");
  }

  @Test
  void opaServerUnreachable_doesNotLoad() {
    assertThatThrownBy(
            () ->
                new OpaServerEngine(
                        java.net.URI.create("http://127.0.0.1:1"), Duration.ofSeconds(1))
                    .prepare(write("any", "package hopgate.gates\n")))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("does not answer");
  }

  private static Path write(String name, String rego) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    Files.writeString(d.resolve("gates.rego"), rego);
    return d;
  }

  private static InputDocument input() {
    String step = "urn:s:a";
    return new InputDocument(
        InputDocument.VERSION,
        new InputDocument.Hop("spiffe://x/c", step, "GET", "/", null),
        new InputDocument.Origin("alice", "t", "spiffe://x/p"),
        List.of(step),
        new InputDocument.Intent(false, null, null, List.of(step), List.of(), List.of()),
        new InputDocument.ManifestFacts(true, List.of(step), List.of(), List.of()),
        List.of(),
        List.of(),
        new InputDocument.Usage(step, 0),
        List.of(),
        1L);
  }
}
