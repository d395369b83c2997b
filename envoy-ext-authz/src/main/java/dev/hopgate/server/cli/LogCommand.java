package dev.hopgate.server.cli;

import dev.hopgate.pdp.evidence.LogReplayer;
import dev.hopgate.pdp.evidence.LogVerifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hopgate log verify}: check a decision log's hash chain. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Decision logs.",
    subcommands = {LogCommand.Verify.class, LogCommand.Replay.class})
final class LogCommand {
  @Command(
      name = "verify",
      mixinStandardHelpOptions = true,
      description =
          "Verify a decision log's hash chain and signed checkpoints; name the first altered,"
              + " removed or reordered record, a log rehashed under another key, and a log that"
              + " does not end with its closing checkpoint (a cut tail).")
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @picocli.CommandLine.Option(
        names = "--key",
        paramLabel = "JWK",
        description =
            "The enforcement point's key (a JWK or JWKS file; a private JWK is read as its public"
                + " half): each checkpoint's signature is checked against it.")
    @org.jspecify.annotations.Nullable
    Path key;

    @picocli.CommandLine.Option(
        names = "--open",
        description =
            "The log's hopgate is still running: records after the last checkpoint are expected.")
    boolean open;

    @Override
    public Integer call() throws Exception {
      LogVerifier.Result result =
          LogVerifier.verify(file, key == null ? null : CheckpointKeys.read(key));
      if (!result.intact()) {
        System.out.println(
            file
                + ": BROKEN at sequence "
                + result.firstBadSequence()
                + " (line "
                + result.line()
                + "): "
                + result.problem()
                + "; the "
                + result.records()
                + " records before it verify");
        return 1;
      }
      String signatures =
          result.checkpoints() == 0
              ? "no checkpoints"
              : result.checkpoints()
                  + " checkpoints"
                  + (result.signaturesChecked() ? " signed" : " (signatures not checked: --key)");
      if (!result.closed() && !open) {
        System.out.println(
            file
                + ": NOT CLOSED: "
                + result.records()
                + " records chain ("
                + signatures
                + "), but the log does not end with its closing checkpoint: "
                + (result.lastCheckpoint() == 0
                    ? "no checkpoint at all"
                    : result.tail()
                        + " records follow the checkpoint at sequence "
                        + result.lastCheckpoint())
                + " (its tail was cut, or its hopgate is running (--open) or was killed)");
        return 1;
      }
      System.out.println(
          file
              + ": intact, "
              + result.records()
              + " records, "
              + signatures
              + (result.closed() ? ", closed" : ", open"));
      return 0;
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description =
          "Re-evaluate the FULL records of a decision log with the same policy revision; report differences.")
  static final class Replay implements Callable<Integer> {
    @picocli.CommandLine.Option(
        names = "--engine",
        defaultValue = "cedar",
        description = "cedar, opa-wasm or opa-server.")
    String engine;

    @picocli.CommandLine.Mixin PolicyCommands.Engines engines;

    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws Exception {
      var policy = engines.prepare(engine);
      LogReplayer.Result result = LogReplayer.replay(file, policy);
      result.differences().forEach(d -> System.out.println("DIFFERS " + d));
      System.out.println(
          file
              + ": "
              + result.replayed()
              + " replayed with revision "
              + policy.revision()
              + ", "
              + result.skipped()
              + " skipped (no input, another revision, or decided outside the engine), "
              + result.differences().size()
              + " differ");
      return result.deterministic() ? 0 : 1;
    }
  }
}
