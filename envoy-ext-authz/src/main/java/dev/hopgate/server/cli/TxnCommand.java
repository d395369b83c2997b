package dev.hopgate.server.cli;

import dev.hopgate.pdp.association.LinkedHop;
import dev.hopgate.server.association.RemoteAssociation;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hopgate txn show TXN}: a txn's hops as the association linked them. */
@Command(name = "txn", mixinStandardHelpOptions = true, description = "Txns as the association sees them.",
    subcommands = TxnCommand.Show.class)
final class TxnCommand {
  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "Print a txn's hops: each START (an ALLOW) and its COMPLETE (an observed success).")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "TXN") String txn;

    @Option(names = "--association", defaultValue = "127.0.0.1:9191",
        description = "host:port of the hopgate serving the association (plaintext gRPC). Default: ${DEFAULT-VALUE}.")
    String target;

    @Override
    public Integer call() throws CliException {
      List<LinkedHop> hops;
      try (RemoteAssociation association = new RemoteAssociation(target, Duration.ofSeconds(5), Duration.ofSeconds(5))) {
        hops = association.linkage(txn);
        if (association.lookupsFailed() > 0) {
          throw new CliException("the association at " + target + " did not answer or refused the query", 1);
        }
      }
      if (hops.isEmpty()) {
        System.out.println("txn " + txn + ": no hops recorded");
        return 0;
      }
      System.out.println("txn " + txn + ": " + hops.size() + " hops");
      for (LinkedHop hop : hops) {
        String state = hop.completedAt() != null ? (hop.startedAt() != null ? "completed" : "completed (no START seen)")
            : "running";
        System.out.println("  " + hop.step() + " at " + hop.component() + ": " + state
            + " (decision " + hop.decisionId() + ", " + hop.enforcementPoint()
            + (hop.startedAt() != null ? ", started " + hop.startedAt() : "")
            + (hop.completedAt() != null ? ", completed " + hop.completedAt() : "") + ")");
      }
      return 0;
    }
  }
}
