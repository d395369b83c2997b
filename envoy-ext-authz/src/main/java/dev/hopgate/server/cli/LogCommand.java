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
          "Verify a decision log's hash chain; name the first altered, removed or reordered record.")
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws Exception {
      LogVerifier.Result result = LogVerifier.verify(file);
      if (result.intact()) {
        System.out.println(file + ": intact, " + result.records() + " records");
        return 0;
      }
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
