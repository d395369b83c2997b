package dev.hopgate.server.cli;

import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessDefinitionException;
import dev.hopgate.pdp.process.ProcessDefinitions;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code hopgate process check}: validate a process definition, print its digest and order. */
@Command(
    name = "process",
    mixinStandardHelpOptions = true,
    description = "Process definitions.",
    subcommands = ProcessCommand.Check.class)
final class ProcessCommand {
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Validate a process definition (.flow or .yaml); print its digest and order.")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws Exception {
      ProcessDefinition d;
      try {
        d = ProcessDefinitions.load(file);
      } catch (ProcessDefinitionException e) {
        throw new CliException(e.getMessage(), 1);
      }
      System.out.println("process " + d.iri() + " version " + d.version());
      System.out.println("digest  " + d.digest());
      System.out.println("entry   " + String.join(", ", d.entry()));
      System.out.println("exit    " + String.join(", ", d.exit()));
      System.out.println("order");
      int i = 1;
      for (String step : d.topologicalOrder()) {
        String pre =
            d.prerequisites(step).isEmpty()
                ? ""
                : "   after " + String.join(", ", d.prerequisites(step));
        System.out.println("  " + (i++) + ". " + step + pre);
      }
      return 0;
    }
  }
}
