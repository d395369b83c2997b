package dev.hopgate.server.cli;

import dev.hopgate.pdp.evidence.LogVerifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hopgate log verify}: check a decision log's hash chain. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "Decision logs.",
    subcommands = LogCommand.Verify.class)
final class LogCommand {
  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Verify a decision log's hash chain; name the first altered, removed or reordered record.")
  static final class Verify implements Callable<Integer> {
    @Parameters(paramLabel = "FILE") Path file;

    @Override
    public Integer call() throws Exception {
      LogVerifier.Result result = LogVerifier.verify(file);
      if (result.intact()) {
        System.out.println(file + ": intact, " + result.records() + " records");
        return 0;
      }
      System.out.println(file + ": BROKEN at sequence " + result.firstBadSequence() + " (line " + result.line()
          + "): " + result.problem() + "; the " + result.records() + " records before it verify");
      return 1;
    }
  }
}
