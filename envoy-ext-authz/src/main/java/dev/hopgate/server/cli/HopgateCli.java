package dev.hopgate.server.cli;

import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code hopgate} command: serve, and the tools people need around it. */
@Command(
    name = "hopgate",
    mixinStandardHelpOptions = true,
    versionProvider = HopgateCli.Version.class,
    description =
        "Policy enforcement point for multi-hop agent and service chains (Envoy ext_authz).",
    subcommands = {
      ServeCommand.class,
      KeysCommand.class,
      TokenCommand.class,
      ManifestCommand.class,
      ProcessCommand.class,
      PolicyCommands.Eval.class,
      PolicyCommands.Conformance.class,
      TokenServiceCommand.class,
      LogCommand.class,
      TxnCommand.class
    })
public final class HopgateCli {
  public static void main(String[] args) {
    // Must precede the first use of java.util.logging, so it is the first statement.
    System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
    configureLogging(System.getenv().getOrDefault("HOPGATE_LOG_LEVEL", "INFO"));
    int code = commandLine().execute(args);
    if (code != 0 || !ServeCommand.isServing()) {
      System.exit(code);
    }
  }

  /** The command line with hopgate's error handling: one clear line, exit 2 on bad usage. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new HopgateCli());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("hopgate: " + e.getMessage());
          return e instanceof CliException cliException ? cliException.exitCode() : 1;
        });
    return cli;
  }

  /** One line per record, UTC timestamps: what an operator greps and a collector parses. */
  static void configureLogging(String level) {
    System.setProperty(
        "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
    Logger root = LogManager.getLogManager().getLogger("");
    Level parsed;
    try {
      parsed = Level.parse(level.toUpperCase(java.util.Locale.ROOT).replace("DEBUG", "FINE"));
    } catch (IllegalArgumentException e) {
      parsed = Level.INFO;
    }
    root.setLevel(parsed);
    boolean json = "json".equalsIgnoreCase(System.getenv("HOPGATE_LOG_FORMAT"));
    for (var handler : root.getHandlers()) {
      handler.setLevel(parsed);
      handler.setFormatter(json ? new JsonLogFormatter() : new SimpleFormatter());
    }
    // grpc-netty is chatty at FINE; its debug output is not hopgate's.
    Logger.getLogger("io.grpc.netty.shaded").setLevel(Level.INFO);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = HopgateCli.class.getPackage().getImplementationVersion();
      return new String[] {"hopgate " + (version == null ? "(development build)" : version)};
    }
  }
}
