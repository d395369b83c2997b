package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.Tools;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real hopgate's decision log carries signed checkpoints, and one written as it stops: `hopgate
 * log verify --key` says it is intact and closed, and names a copy whose tail was cut and a key
 * that did not sign it.
 */
class DecisionLogCheckpointsIT {
  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private Run verify(Path log, String... options) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Tools.java().toString());
    command.add("-jar");
    command.add(Tools.hopgateJar().toString());
    command.add("log");
    command.add("verify");
    command.add(log.toString());
    command.addAll(List.of(options));
    Path out = dir.resolve("verify-" + System.nanoTime() + ".txt");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("log verify finished").isTrue();
    return new Run(p.exitValue(), Files.readString(out));
  }

  @Test
  void aStoppedHopgatesLog_isClosedAndSigned_aCutCopyAndAnotherKeyAreNamed() throws Exception {
    Path stackDir = Files.createDirectories(dir.resolve("stack"));
    EdgeStack stack =
        EdgeStack.start(stackDir, "decision_log: { path: decisions.jsonl, checkpoint_every: 2 }\n");
    try (stack) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> response =
            stack.get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      }
    }
    Path log = stackDir.resolve("decisions.jsonl");
    Path key = stackDir.resolve("hopgate.private.jwk.json");

    Run whole = verify(log, "--key", key.toString());
    assertThat(whole.exit()).as(whole.output()).isZero();
    assertThat(whole.output()).contains("intact").contains("checkpoints signed").contains("closed");

    // hopgate said where it closed the log, outside it: a copy cut back before that is CUT.
    java.util.regex.Matcher closedAt =
        java.util.regex.Pattern.compile("closed at sequence (\\d+)")
            .matcher(stack.hopgate().logText());
    assertThat(closedAt.find()).as(stack.hopgate().logText()).isTrue();
    long last = Long.parseLong(closedAt.group(1));
    assertThat(verify(log, "--key", key.toString(), "--expect-sequence", "" + last).exit())
        .isZero();
    Run cutBack = verify(log, "--key", key.toString(), "--expect-sequence", "" + (last + 1));
    assertThat(cutBack.exit()).isEqualTo(1);
    assertThat(cutBack.output()).contains("CUT");

    Run unsigned = verify(log);
    assertThat(unsigned.exit()).isZero();
    assertThat(unsigned.output()).contains("chain intact").doesNotContain("closed,");

    Path other = dir.resolve("other.jwk.json");
    Files.writeString(other, JwsSigning.generate("EdDSA", "demo-hopgate-2026").toJSONString());
    Run wrongKey = verify(log, "--key", other.toString());
    assertThat(wrongKey.exit()).isEqualTo(1);
    assertThat(wrongKey.output())
        .contains("BROKEN")
        .contains("not signed by the enforcement point's key");

    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    Path cut = dir.resolve("cut.jsonl");
    Files.write(cut, lines.subList(0, lines.size() - 1), StandardCharsets.UTF_8);
    Run cutTail = verify(cut, "--key", key.toString());
    assertThat(cutTail.exit()).isEqualTo(1);
    assertThat(cutTail.output()).contains("NOT CLOSED");
  }
}
