package dev.hopgate.server.association;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.association.v1.Signal;
import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.InMemoryLedger;
import dev.hopgate.pdp.association.LedgerView;
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
  private static final Instant T = Instant.parse("2026-11-23T10:00:00Z");

  @Test
  void signalsAndLookupsTravelOverGrpc() throws Exception {
    InMemoryLedger ledger = new InMemoryLedger(100, 100, Duration.ofHours(1));
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new AssociationService(ledger)).build().start();
    try (RemoteAssociation link = new RemoteAssociation("127.0.0.1:" + server.getPort(), Duration.ofSeconds(2),
        Duration.ofSeconds(2))) {
      link.start(signal(BoundarySignal.Kind.START, null));
      link.complete(signal(BoundarySignal.Kind.COMPLETE, "rec-1"));
      Eventually.until("the START arrives",
          () -> !ledger.linkage("t1").isEmpty() && ledger.linkage("t1").get(0).startedAt() != null);
      LedgerView view = link.view("t1");
      assertThat(view.records()).containsExactly("rec-1");
      assertThat(link.linkage("t1").get(0).startedAt()).isEqualTo(T);
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
    try (RemoteAssociation link = new RemoteAssociation("127.0.0.1:" + port, Duration.ofMillis(50),
        Duration.ofMillis(50))) {
      assertThat(link.view("t1")).isEqualTo(LedgerView.EMPTY);
      assertThat(link.lookupsFailed()).isEqualTo(1);
      link.start(signal(BoundarySignal.Kind.START, null));
      Eventually.until("the START is given up and counted", () -> link.lost() > 0);
    }
  }

  @Test
  void theServiceRefusesASignalWithoutItsFieldsOrWithAnImpossibleTime() {
    AssociationService service = new AssociationService(new InMemoryLedger(10, 10, Duration.ofHours(1)));
    assertThat(refusal(service, Signal.newBuilder().setKind(Signal.Kind.START).setTxn("t1").build()))
        .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("are required");
    assertThat(refusal(service, AssociationService.toWire(signal(BoundarySignal.Kind.START, null)).toBuilder()
        .setAtEpochSeconds(Long.MAX_VALUE).build()))
        .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("at_epoch_seconds");
  }

  private static Throwable refusal(AssociationService service, Signal signal) {
    Throwable[] error = new Throwable[1];
    service.record(signal, new io.grpc.stub.StreamObserver<>() {
      @Override public void onNext(dev.hopgate.association.v1.Recorded value) { }
      @Override public void onError(Throwable t) { error[0] = t; }
      @Override public void onCompleted() { }
    });
    assertThat(error[0]).isInstanceOf(StatusRuntimeException.class);
    return error[0];
  }

  @Test
  void anAssociationBehindMtls_answersAClientWithItsCertificate_andNoOneElse(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    dev.hopgate.testing.TestPki pki = dev.hopgate.testing.TestPki.create(dir);
    var server = pki.server("association");
    var client = pki.workload("payments-hopgate", "spiffe://shop.example/hopgate/payments");
    InMemoryLedger ledger = new InMemoryLedger(100, 100, Duration.ofHours(1));
    ledger.record(signal(BoundarySignal.Kind.COMPLETE, "rec-1"));
    Server tls = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forServer(server.certFile().toFile(),
            server.keyFile().toFile()).trustManager(pki.caPem().toFile())
            .clientAuth(io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth.REQUIRE).build())
        .addService(new AssociationService(ledger)).build().start();
    try {
      var withCert = io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient()
          .keyManager(client.certFile().toFile(), client.keyFile().toFile())
          .trustManager(pki.caPem().toFile()).build();
      // The server certificate names localhost.
      try (RemoteAssociation link = new RemoteAssociation("localhost:" + tls.getPort(), Duration.ofSeconds(5),
          Duration.ofSeconds(5), withCert)) {
        assertThat(link.view("t1").records()).containsExactly("rec-1");
      }
      var withoutCert = io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient()
          .trustManager(pki.caPem().toFile()).build();
      try (RemoteAssociation link = new RemoteAssociation("localhost:" + tls.getPort(), Duration.ofSeconds(5),
          Duration.ofSeconds(5), withoutCert)) {
        assertThat(link.view("t1")).isEqualTo(LedgerView.EMPTY);
        assertThat(link.lookupsFailed()).isEqualTo(1);
      }
    } finally {
      tls.shutdownNow();
    }
  }

  private static BoundarySignal signal(BoundarySignal.Kind kind, String record) {
    return new BoundarySignal(kind, "t1", "d1", "spiffe://x/c", "urn:s:a", "spiffe://x/hopgate", T, record);
  }
}
