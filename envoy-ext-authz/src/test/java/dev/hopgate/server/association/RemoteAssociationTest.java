package dev.hopgate.server.association;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.association.v1.Signal;
import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.InMemoryLedger;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.LedgerEvidence;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.testing.Eventually;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The association over real gRPC, and a hopgate that cannot reach it: it goes on, and counts. */
class RemoteAssociationTest {
  private static final Instant T = ChainFixture.NOW;
  private final ChainFixture f = new ChainFixture();

  /**
   * The inventory's hopgate allowed reserve-stock as decision-1 of the fixture's txn, and saw it
   * complete.
   */
  private final String transition =
      f.transition(
          1,
          "pred",
          ChainFixture.INVENTORY,
          ChainFixture.RESERVE,
          java.util.Set.of(ChainFixture.RESERVE));

  private final String record =
      f.enforcers
          .get(ChainFixture.INVENTORY)
          .sign(
              WireTypes.COMPLETION,
              Minting.completion(
                  ChainFixture.enforcementPoint(ChainFixture.INVENTORY),
                  f.txn,
                  ChainFixture.RESERVE,
                  ChainFixture.INVENTORY,
                  "decision-1",
                  T,
                  T.plusSeconds(600)));

  private AssociationService service(Ledger ledger) {
    return new AssociationService(
        ledger,
        () -> f.manifests,
        new LedgerEvidence(f.verifier, TrustSet.DEFAULT_ALGORITHMS, Duration.ofSeconds(30)),
        f.clock);
  }

  @Test
  void signalsAndLookupsTravelOverGrpc() throws Exception {
    InMemoryLedger ledger = new InMemoryLedger(1 << 20, 100, Duration.ofHours(1));
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(service(ledger))
            .build()
            .start();
    try (RemoteAssociation link =
        new RemoteAssociation(
            "127.0.0.1:" + server.getPort(), Duration.ofSeconds(2), Duration.ofSeconds(2))) {
      link.start(start());
      link.complete(complete());
      Eventually.until(
          "the START arrives",
          () ->
              !ledger.linkage(f.txn).isEmpty() && ledger.linkage(f.txn).get(0).startedAt() != null);
      LedgerView view = link.view(f.txn);
      assertThat(view.records()).containsExactly(record);
      assertThat(link.linkage(f.txn).get(0).startedAt()).isEqualTo(T);
      assertThat(link.linkage(f.txn).get(0).transition()).isEqualTo(transition);
      assertThat(link.lost()).isZero();
    } finally {
      server.shutdownNow();
    }
  }

  @Test
  void anUnreachableAssociation_isAnEmptyViewAndCountedLosses_neverAnError() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (RemoteAssociation link =
        new RemoteAssociation("127.0.0.1:" + port, Duration.ofMillis(50), Duration.ofMillis(50))) {
      assertThat(link.view("t1")).isEqualTo(LedgerView.EMPTY);
      assertThat(link.lookupsFailed()).isEqualTo(1);
      link.start(start());
      Eventually.until("the START is given up and counted", () -> link.lost() > 0);
    }
  }

  @Test
  void theServiceRefusesASignalWithoutItsFieldsOrWithAnImpossibleTime() {
    AssociationService service = service(new InMemoryLedger(1 << 20, 10, Duration.ofHours(1)));
    assertThat(
            refusal(service, Signal.newBuilder().setKind(Signal.Kind.START).setTxn("t1").build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("are required");
    assertThat(
            refusal(
                service,
                AssociationService.toWire(start()).toBuilder()
                    .setAtEpochSeconds(Long.MAX_VALUE)
                    .build()))
        .hasMessageContaining("INVALID_ARGUMENT")
        .hasMessageContaining("at_epoch_seconds");
    assertThat(
            refusal(
                service,
                AssociationService.toWire(start()).toBuilder().setDecisionId("#chars").build()))
        .hasMessageContaining("decision_id");
  }

  @Test
  void theServiceStoresOnlyWhatItsArtifactProves() {
    InMemoryLedger ledger = new InMemoryLedger(1 << 20, 10, Duration.ofHours(1));
    AssociationService service = service(ledger);
    // A record for its own decision is stored; junk for the same decision, or a real record offered
    // for
    // another decision, step or enforcement point, is refused and changes nothing.
    assertThat(refusal(service, AssociationService.toWire(complete()))).isNull();
    assertThat(
            refusal(
                service,
                AssociationService.toWire(complete()).toBuilder()
                    .setCompletionRecord("garbage")
                    .build()))
        .hasMessageContaining("not evidence");
    assertThat(
            refusal(
                service,
                AssociationService.toWire(complete()).toBuilder()
                    .setDecisionId("decision-2")
                    .build()))
        .hasMessageContaining("another hop");
    assertThat(
            refusal(
                service,
                AssociationService.toWire(complete()).toBuilder()
                    .setStep("urn:shop:step:charge-card")
                    .build()))
        .hasMessageContaining("another hop");
    assertThat(
            refusal(
                service,
                AssociationService.toWire(start()).toBuilder()
                    .setEnforcementPoint(ChainFixture.enforcementPoint(ChainFixture.PAYMENTS))
                    .build()))
        .hasMessageContaining("another hop");
    assertThat(
            refusal(
                service,
                AssociationService.toWire(start()).toBuilder()
                    .setTransition("eyJhbGciOi.junk.sig")
                    .build()))
        .hasMessageContaining("not evidence");
    assertThat(ledger.linkage(f.txn))
        .singleElement()
        .satisfies(
            hop -> {
              assertThat(hop.completionRecord()).isEqualTo(record);
              assertThat(hop.startedAt()).isNull();
            });
    assertThat(service.refused()).isEqualTo(5);
  }

  @Test
  void anArtifactOfferedAsTheOtherKind_isRefused_withoutPoisoningItsRealSignal() {
    InMemoryLedger ledger = new InMemoryLedger(1 << 20, 10, Duration.ofHours(1));
    AssociationService service = service(ledger);
    // The genuine transition sent as a COMPLETE's record, and the genuine record as a START's
    // transition.
    assertThat(
            refusal(
                service,
                AssociationService.toWire(complete()).toBuilder()
                    .setCompletionRecord(transition)
                    .build()))
        .hasMessageContaining("not evidence");
    assertThat(
            refusal(
                service,
                AssociationService.toWire(start()).toBuilder().setTransition(record).build()))
        .hasMessageContaining("not evidence");
    // Each is still evidence of what it is.
    assertThat(refusal(service, AssociationService.toWire(start()))).isNull();
    assertThat(refusal(service, AssociationService.toWire(complete()))).isNull();
    assertThat(ledger.linkage(f.txn))
        .singleElement()
        .satisfies(
            hop -> {
              assertThat(hop.transition()).isEqualTo(transition);
              assertThat(hop.completionRecord()).isEqualTo(record);
            });
  }

  /** The refusal of {@code signal}, or null when it was stored. */
  private static Throwable refusal(AssociationService service, Signal signal) {
    Throwable[] error = new Throwable[1];
    service.record(
        signal,
        new io.grpc.stub.StreamObserver<>() {
          @Override
          public void onNext(dev.hopgate.association.v1.Recorded value) {}

          @Override
          public void onError(Throwable t) {
            error[0] = t;
          }

          @Override
          public void onCompleted() {}
        });
    if (error[0] != null) {
      assertThat(error[0]).isInstanceOf(StatusRuntimeException.class);
    }
    return error[0];
  }

  @Test
  void anAssociationBehindMtls_answersAClientWithItsCertificate_andNoOneElse(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    dev.hopgate.testing.TestPki pki = dev.hopgate.testing.TestPki.create(dir);
    var server = pki.server("association");
    var client = pki.workload("payments-hopgate", "spiffe://shop.example/hopgate/payments");
    InMemoryLedger ledger = new InMemoryLedger(1 << 20, 100, Duration.ofHours(1));
    ledger.record(complete());
    Server tls =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .sslContext(
                io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forServer(
                        server.certFile().toFile(), server.keyFile().toFile())
                    .trustManager(pki.caPem().toFile())
                    .clientAuth(io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.REQUIRE)
                    .build())
            .addService(service(ledger))
            .build()
            .start();
    try {
      var withCert =
          io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient()
              .keyManager(client.certFile().toFile(), client.keyFile().toFile())
              .trustManager(pki.caPem().toFile())
              .build();
      // The server certificate names localhost.
      try (RemoteAssociation link =
          new RemoteAssociation(
              "localhost:" + tls.getPort(),
              Duration.ofSeconds(5),
              Duration.ofSeconds(5),
              withCert)) {
        assertThat(link.view(f.txn).records()).containsExactly(record);
      }
      var withoutCert =
          io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient()
              .trustManager(pki.caPem().toFile())
              .build();
      try (RemoteAssociation link =
          new RemoteAssociation(
              "localhost:" + tls.getPort(),
              Duration.ofSeconds(5),
              Duration.ofSeconds(5),
              withoutCert)) {
        assertThat(link.view(f.txn)).isEqualTo(LedgerView.EMPTY);
        assertThat(link.lookupsFailed()).isEqualTo(1);
      }
    } finally {
      tls.shutdownNow();
    }
  }

  private BoundarySignal start() {
    return BoundarySignal.start(
        f.txn,
        "decision-1",
        ChainFixture.INVENTORY,
        ChainFixture.RESERVE,
        ChainFixture.enforcementPoint(ChainFixture.INVENTORY),
        T,
        transition);
  }

  private BoundarySignal complete() {
    return BoundarySignal.complete(
        f.txn,
        "decision-1",
        ChainFixture.INVENTORY,
        ChainFixture.RESERVE,
        ChainFixture.enforcementPoint(ChainFixture.INVENTORY),
        T,
        record);
  }
}
