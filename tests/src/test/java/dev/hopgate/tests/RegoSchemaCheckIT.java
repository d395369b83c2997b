package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.tests.harness.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's Rego check (scripts/opa-policies.sh), and hopgate's at load for an OPA server ({@code
 * opa_server.check_with}), against a real OPA: a rule that reads an input field the input
 * document's schema does not have can never match, and is refused with its location.
 */
class RegoSchemaCheckIT {
  @TempDir Path dir;

  @Test
  void shippedPoliciesPassTheSchemaCheck() throws Exception {
    Result result = check(Tools.repo().resolve("policies/rego"));

    assertThat(result.exitCode()).as(result.output()).isZero();
  }

  @Test
  void aReferenceToAFieldTheSchemaLacksIsRefusedWithItsLocation() throws Exception {
    Path copy = copy(Tools.repo().resolve("policies/rego"), dir.resolve("rego"));
    Path gates = copy.resolve("hopgate/gates.rego");
    String text = Files.readString(gates);
    assertThat(text).contains("input.hop.step");
    Files.writeString(gates, text.replaceFirst("input\\.hop\\.step\\b", "input.hop.stepp"));

    Result result = check(copy);

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output())
        .contains("gates.rego:")
        .contains("undefined ref: input.hop.stepp")
        .contains("\"step\"");
  }

  @Test
  void hopgateRunsTheSameCheckAtLoad_forRegoItPushesToAnOpaServer() throws Exception {
    dev.hopgate.pdp.engine.rego.RegoTypeCheck.check(
        Tools.opa(), Tools.repo().resolve("policies/rego"));

    Path copy = copy(Tools.repo().resolve("policies/rego"), dir.resolve("rego-load"));
    Path gates = copy.resolve("hopgate/gates.rego");
    Files.writeString(
        gates, Files.readString(gates).replaceFirst("input\\.hop\\.step\\b", "input.hop.stepp"));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> dev.hopgate.pdp.engine.rego.RegoTypeCheck.check(Tools.opa(), copy))
        .isInstanceOf(dev.hopgate.pdp.engine.PolicyLoadException.class)
        .hasMessageContaining("gates.rego:")
        .hasMessageContaining("undefined ref: input.hop.stepp");
  }

  private record Result(int exitCode, String output) {}

  private static Result check(Path rego) throws IOException, InterruptedException {
    Process opa =
        new ProcessBuilder(
                Tools.opa().toString(),
                "check",
                "--strict",
                "--schema",
                Tools.repo().resolve("docs/input-document.schema.json").toString(),
                rego.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(opa.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(opa.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(opa.exitValue(), output);
  }

  private static Path copy(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
