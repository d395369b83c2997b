package dev.hopgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a person runs it, against the shipped examples. */
class HopgateCliTest {
  private static final Path REPO = Path.of("..");

  @TempDir Path dir;

  @Test
  void processCheck_printsDigestAndOrder() {
    Run run =
        run(
            "process",
            "check",
            REPO.resolve("policies/processes/checkout.process.yaml").toString());
    assertThat(run.code).isZero();
    assertThat(run.out)
        .contains("process urn:shop:process:checkout version 1")
        .contains("digest  sha256:e544fd8f1debc8fcb870a028bace10d85389d4fc624a92650cb432f8b504dfe9")
        .contains(
            "3. urn:shop:step:charge-card   after urn:shop:step:confirm-address, urn:shop:step:reserve-stock");
  }

  @Test
  void processCheck_namesTheCycle() throws Exception {
    Path flow =
        java.nio.file.Files.writeString(
            dir.resolve("loop.flow"), "process urn:p:l 1\nurn:a -> urn:b -> urn:a\n");
    Run run = run("process", "check", flow.toString());
    assertThat(run.code).isEqualTo(1);
    assertThat(run.err).contains("cycle: urn:a -> urn:b -> urn:a");
  }

  @Test
  void mintedHopToken_inspectsAsVerifiedWithItsJwks_andNotWithAnother() {
    Run mint =
        run(
            "token",
            "mint",
            "hop",
            "--key",
            REPO.resolve("examples/keys/token-service.private.jwk.json").toString(),
            "--iss",
            "https://tokens.shop.example",
            "--sub",
            "alice",
            "--aud",
            "spiffe://shop.example/inventory",
            "--once",
            "--process",
            REPO.resolve("policies/processes/checkout.process.yaml").toString());
    assertThat(mint.code).isZero();
    String token = mint.out.strip();

    Run good =
        run(
            "token",
            "inspect",
            token,
            "--jwks",
            REPO.resolve("examples/keys/token-service.jwks.json").toString());
    assertThat(good.code).isZero();
    assertThat(good.out)
        .contains("\"verification\" : \"verified\"")
        .contains("\"once\" : true")
        .contains("sha256:e544fd8f1debc8fcb870a028bace10d85389d4fc624a92650cb432f8b504dfe9");

    Run wrong =
        run(
            "token",
            "inspect",
            token,
            "--jwks",
            REPO.resolve("examples/keys/registry.jwks.json").toString());
    assertThat(wrong.code).isEqualTo(1);
    assertThat(wrong.out)
        .contains("unknown_key: The token is signed with key 'demo-token-service-2026'");
  }

  /** Before: "Not a JWS header", which hid that the token was unsigned. */
  @Test
  void logVerify_refusesASymmetricKey_inOneLine() throws Exception {
    java.nio.file.Path log = dir.resolve("decisions.jsonl");
    java.nio.file.Files.writeString(log, "");
    java.nio.file.Path oct = dir.resolve("oct.jwk.json");
    java.nio.file.Files.writeString(
        oct, "{\"kty\":\"oct\",\"kid\":\"s-1\",\"k\":\"c2VjcmV0c2VjcmV0c2VjcmV0\"}");

    Run run = run("log", "verify", "--key", oct.toString(), log.toString());

    assertThat(run.code).isEqualTo(1);
    assertThat(run.err).contains("key 's-1' is not a public key pair").doesNotContain("\tat ");
  }

  @Test
  void inspect_anUnsignedToken_namesTheRefusedAlgorithm() {
    String unsigned =
        java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"alg\":\"none\"}".getBytes())
            + "."
            + java.util.Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString("{\"sub\":\"a\"}".getBytes())
            + ".";

    Run run = run("token", "inspect", unsigned);

    assertThat(run.code).isEqualTo(1);
    assertThat(run.err).contains("alg none");
  }

  @Test
  void eval_cedarAndOpaWasmGiveTheSameDecisionAndRepair() {
    String input = REPO.resolve("docs/examples/input-charge-card-too-early.json").toString();
    Run cedar =
        run(
            "eval",
            "--engine",
            "cedar",
            "--cedar",
            REPO.resolve("policies/cedar").toString(),
            "--processes",
            REPO.resolve("policies/processes").toString(),
            input);
    Run wasm =
        run(
            "eval",
            "--engine",
            "opa-wasm",
            "--wasm",
            REPO.resolve("policies/target/opa/policy.wasm").toString(),
            "--processes",
            REPO.resolve("policies/processes").toString(),
            input);
    assertThat(cedar.code).isZero();
    assertThat(cedar.out)
        .contains("\"code\" : \"missing_prerequisites\"")
        .contains("\"action\" : \"complete_steps\"");
    assertThat(strip(wasm.out)).isEqualTo(strip(cedar.out));
  }

  @Test
  void conformance_runsTheCorpusOnBothInProcessEngines() {
    Run run =
        run(
            "conformance",
            "--cedar",
            REPO.resolve("policies/cedar").toString(),
            "--wasm",
            REPO.resolve("policies/target/opa/policy.wasm").toString(),
            "--processes",
            REPO.resolve("policies/processes").toString(),
            REPO.resolve("tests/conformance").toString());
    assertThat(run.code).as(run.out).isZero();
    assertThat(run.out).containsPattern("\\d+ passed, 0 failed on \\[cedar, opa-wasm]");
  }

  /** The engine and revision lines differ by engine; the decision must not. */
  private static String strip(String out) {
    return out.replaceAll("(?m)^.*\"(engine|revision)\".*$", "");
  }

  @Test
  void serve_refusesAnInvalidConfigurationWithOneLine() throws Exception {
    Path config = java.nio.file.Files.writeString(dir.resolve("bad.yaml"), "clock_skew: forever\n");
    Run run = run("serve", "--config", config.toString());
    assertThat(run.code).isEqualTo(2);
    assertThat(run.err.strip())
        .startsWith("hopgate: config ")
        .contains("clock_skew")
        .doesNotContain("\tat ");
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    PrintStream original = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      var cli = HopgateCli.commandLine();
      cli.setErr(new PrintWriter(err, true));
      int code = cli.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(original);
    }
  }
}
