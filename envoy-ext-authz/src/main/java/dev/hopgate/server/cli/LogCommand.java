package dev.hopgate.server.cli;

import dev.hopgate.pdp.evidence.LogReplayer;
import dev.hopgate.pdp.evidence.LogVerifier;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code hopgate log verify}: check a decision log's hash chain; {@code replay}; {@code from-otlp}:
 * a log back from the records a receiver kept.
 */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    description = "Decision logs.",
    subcommands = {LogCommand.Verify.class, LogCommand.Replay.class, LogCommand.FromOtlp.class})
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
        names = "--issuer",
        paramLabel = "ID",
        description =
            "The enforcement point every checkpoint must be signed as (its iss); without it, any"
                + " one, the same throughout the log.")
    @org.jspecify.annotations.Nullable
    String issuer;

    @picocli.CommandLine.Option(
        names = "--expect-sequence",
        paramLabel = "N",
        description =
            "The sequence hopgate logged when it closed the log (\"decision log ... closed at"
                + " sequence N\"), kept apart from the log: a log ending earlier was cut back,"
                + " even to an earlier run's closing checkpoint.")
    @org.jspecify.annotations.Nullable
    Long expectSequence;

    @picocli.CommandLine.Option(
        names = "--open",
        description =
            "The log's hopgate is still running: records after the last checkpoint are expected.")
    boolean open;

    @Override
    public Integer call() throws Exception {
      LogVerifier.Result result =
          LogVerifier.verify(file, key == null ? null : CheckpointKeys.read(key), issuer);
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
      if (key == null) {
        // Unsigned, "closing" is text anyone can write: only the chain is vouched for.
        System.out.println(
            file
                + ": chain intact, "
                + result.records()
                + " records; "
                + result.checkpoints()
                + " checkpoints not checked, nor whether the log was closed or cut (--key)");
        return 0;
      }
      if (expectSequence != null && result.records() < expectSequence) {
        System.out.println(
            file
                + ": CUT: it ends at sequence "
                + result.records()
                + ", before the "
                + expectSequence
                + " its hopgate closed it at");
        return 1;
      }
      String signed = result.checkpoints() + " checkpoints signed";
      if (!result.closed() && !open) {
        System.out.println(
            file
                + ": NOT CLOSED: "
                + result.records()
                + " records chain ("
                + signed
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
              + signed
              + (result.closed() ? ", closed" : ", open")
              + (expectSequence == null
                  ? " (a cut back to an earlier run's close shows only with --expect-sequence)"
                  : ""));
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

  @Command(
      name = "from-otlp",
      mixinStandardHelpOptions = true,
      description =
          "Write the decision log that shipped records (telemetry.evidence) make, read from a"
              + " receiver's OTLP JSON files (the Collector's file exporter), in sequence order,"
              + " each record's line as hopgate wrote it: then verify it with log verify.")
  static final class FromOtlp implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", arity = "1..*")
    java.util.List<Path> files;

    @picocli.CommandLine.Option(
        names = "--enforcement-point",
        paramLabel = "ID",
        description =
            "Whose records (the files may hold several hopgates'; each has its own chain).")
    @org.jspecify.annotations.Nullable
    String enforcementPoint;

    @picocli.CommandLine.Option(
        names = "--out",
        paramLabel = "LOG",
        required = true,
        description = "The decision log to write (replaced).")
    Path out;

    @Override
    public Integer call() throws Exception {
      dev.hopgate.server.telemetry.OtlpLogFiles.Read read;
      try {
        read = dev.hopgate.server.telemetry.OtlpLogFiles.read(files, enforcementPoint);
      } catch (dev.hopgate.server.telemetry.OtlpLogFiles.Unreadable e) {
        System.err.println("hopgate log from-otlp: " + e.getMessage());
        return 1;
      }
      java.nio.file.Files.write(
          out, read.records().values(), java.nio.charset.StandardCharsets.UTF_8);
      java.util.List<String> gaps = read.gaps();
      System.out.println(
          out
              + ": "
              + read.records().size()
              + " records of "
              + read.enforcementPoint()
              + (read.records().isEmpty()
                  ? ""
                  : ", sequences " + read.records().firstKey() + ".." + read.records().lastKey())
              + (read.duplicates() == 0 ? "" : ", " + read.duplicates() + " received twice")
              + (gaps.isEmpty() ? "" : "; MISSING " + String.join(", ", gaps)));
      // A log with holes is still written (log verify names where it breaks), but is not whole.
      return gaps.isEmpty() ? 0 : 1;
    }
  }
}
