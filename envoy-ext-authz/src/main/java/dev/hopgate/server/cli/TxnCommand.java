package dev.hopgate.server.cli;

import dev.hopgate.pdp.floor.LinkedHop;
import dev.hopgate.server.association.RemoteAssociation;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hopgate txn show TXN}: a txn's hops as the association linked them. */
@Command(
    name = "txn",
    mixinStandardHelpOptions = true,
    description = "Txns as the association sees them.",
    subcommands = TxnCommand.Show.class)
final class TxnCommand {
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Print a txn's hops: each START (an ALLOW) and its COMPLETE (an observed success).")
  static final class Show implements Callable<Integer> {
    @Parameters(paramLabel = "TXN")
    String txn;

    @Option(
        names = "--association",
        defaultValue = "127.0.0.1:9191",
        description =
            "host:port of the hopgate serving the association. Default: ${DEFAULT-VALUE}.")
    String target;

    @Option(
        names = "--cert",
        description =
            "Client certificate (PEM) for an association behind mTLS: one of its "
                + "callers.hopgates identities.")
    Path cert;

    @Option(names = "--key", description = "The certificate's private key (PKCS#8 PEM).")
    Path key;

    @Option(names = "--ca", description = "The CA to trust the association's certificate by (PEM).")
    Path ca;

    @Override
    public Integer call() throws CliException {
      SslContext tls = null;
      if (cert != null || key != null || ca != null) {
        if (cert == null || key == null || ca == null) {
          throw new CliException("--cert, --key and --ca go together (mTLS to the association)", 2);
        }
        try {
          tls =
              GrpcSslContexts.forClient()
                  .keyManager(cert.toFile(), key.toFile())
                  .trustManager(ca.toFile())
                  .build();
        } catch (IOException | IllegalArgumentException e) {
          throw new CliException("--cert/--key/--ca: " + e.getMessage(), 2);
        }
      }
      List<LinkedHop> hops;
      try (RemoteAssociation association =
          new RemoteAssociation(target, Duration.ofSeconds(5), Duration.ofSeconds(5), tls)) {
        hops = association.linkage(txn);
        if (association.lookupsFailed() > 0) {
          throw new CliException(
              "the association at " + target + " did not answer or refused the query", 1);
        }
      }
      if (hops.isEmpty()) {
        System.out.println("txn " + txn + ": no hops recorded");
        return 0;
      }
      System.out.println("txn " + txn + ": " + hops.size() + " hops");
      for (LinkedHop hop : hops) {
        String state =
            hop.completedAt() != null
                ? (hop.startedAt() != null ? "completed" : "completed (no START seen)")
                : "running";
        System.out.println(
            "  "
                + hop.step()
                + " at "
                + hop.component()
                + ": "
                + state
                + " (decision "
                + hop.decisionId()
                + ", "
                + hop.enforcementPoint()
                + (hop.startedAt() != null ? ", started " + hop.startedAt() : "")
                + (hop.completedAt() != null ? ", completed " + hop.completedAt() : "")
                + ")");
      }
      return 0;
    }
  }
}
