package dev.hopgate.tests;

import static dev.hopgate.tests.harness.ShopChain.AGENT;
import static dev.hopgate.tests.harness.ShopChain.CHARGE;
import static dev.hopgate.tests.harness.ShopChain.INVENTORY;
import static dev.hopgate.tests.harness.ShopChain.PAYMENTS;
import static dev.hopgate.tests.harness.ShopChain.RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.association.v1.AssociationGrpc;
import dev.hopgate.association.v1.Hop;
import dev.hopgate.association.v1.Recorded;
import dev.hopgate.association.v1.Signal;
import dev.hopgate.association.v1.TxnLinkage;
import dev.hopgate.association.v1.TxnQuery;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.LogsOnFailure;
import dev.hopgate.tests.harness.Mesh;
import dev.hopgate.tests.harness.ShopChain;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The association's ledger only ever adds evidence: signals sent to it by someone who can reach it
 * (here anyone: the mesh's hopgates serve it in plaintext on loopback), and answers from an
 * association that lies, change no decision. Over {@link ShopChain}: payments, which expects
 * reserve-stock completed, learns of the inventory's record only from the ledger the agent's
 * hopgate serves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AssociationAttacksIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  ShopChain chain;
  Mesh mesh;

  @RegisterExtension
  final TestWatcher dumpLogs = LogsOnFailure.of(() -> mesh == null ? "" : mesh.logText());

  @BeforeAll
  void start() throws IOException {
    chain = ShopChain.start(Files.createDirectories(dir.resolve("mesh")), true, "");
    mesh = chain.mesh();
  }

  @AfterAll
  void stop() {
    if (chain != null) {
      chain.close();
    }
  }

  @Test
  void aGarbageCompleteForARealDecision_erasesNoDeepCompletion() throws Exception {
    String txn = "txn-" + UUID.randomUUID();
    HttpResponse<String> plan = chain.call("agent", "/agent/plan", AGENT, txn, null);
    assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
    Hop reserved =
        Eventually.until(
                "the ledger holds the inventory's record",
                () -> mesh.linkage("agent", txn),
                hops ->
                    hops.stream()
                        .anyMatch(
                            h -> h.getStep().equals(RESERVE) && !h.getCompletionRecord().isEmpty()))
            .stream()
            .filter(h -> h.getStep().equals(RESERVE))
            .findFirst()
            .orElseThrow();

    assertThat(
            send(
                signal(
                        Signal.Kind.COMPLETE,
                        txn,
                        reserved.getDecisionId(),
                        INVENTORY,
                        RESERVE,
                        reserved.getEnforcementPoint())
                    .setCompletionRecord("garbage")
                    .build()))
        .as("the garbage is refused")
        .isFalse();

    HttpResponse<String> charge =
        chain.call(
            "payments",
            "/payments/charge",
            PAYMENTS,
            txn,
            plan.headers().firstValue("txn-completion").orElseThrow());
    assertThat(charge.statusCode())
        .as("the deep completion still counts: %s", charge.body())
        .isEqualTo(200);
  }

  @Test
  void aForgedStart_doesNotTurnTheRepairIntoWait() throws Exception {
    String txn = "txn-" + UUID.randomUUID();
    // A transition as the inventory's hopgate would sign it, signed with the attacker's own key.
    String decision = UUID.randomUUID().toString();
    String inventoryHopgate = Mesh.enforcementId(mesh.edge("inventory").spec());
    Instant now = Instant.now();
    String forged =
        JwsSigning.of(JwsSigning.generate("EdDSA", "hopgate-inventory"))
            .sign(
                WireTypes.TRANSITION,
                Minting.transition(
                    inventoryHopgate,
                    txn,
                    1,
                    "pred",
                    INVENTORY,
                    RESERVE,
                    Set.of(RESERVE),
                    now,
                    now.plusSeconds(600),
                    decision));
    assertThat(
            send(
                signal(Signal.Kind.START, txn, decision, INVENTORY, RESERVE, inventoryHopgate)
                    .setTransition(forged)
                    .build()))
        .as("the forged START is refused")
        .isFalse();

    HttpResponse<String> charge = chain.call("payments", "/payments/charge", PAYMENTS, txn, null);
    assertThat(charge.statusCode()).isEqualTo(403);
    JsonNode problem = JSON.readTree(charge.body());
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("missing_prerequisites");
    assertThat(problem.at("/repair/0/action").asText())
        .as("nobody started reserve-stock")
        .isEqualTo("complete_steps");
  }

  @Test
  void junkHops_crowdOutNoGenuineEvidence() throws Exception {
    String txn = "txn-" + UUID.randomUUID();
    for (int i = 0; i < 300; i++) {
      send(
          signal(
                  Signal.Kind.START,
                  txn,
                  "junk-" + i,
                  "spiffe://shop.example/junk",
                  "urn:junk:step:" + i,
                  "spiffe://shop.example/hopgate/junk")
              .setTransition("junk")
              .build());
    }
    HttpResponse<String> plan = chain.call("agent", "/agent/plan", AGENT, txn, null);
    assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
    Eventually.until(
        "the ledger holds the inventory's record",
        () ->
            mesh.linkage("agent", txn).stream()
                .anyMatch(h -> h.getStep().equals(RESERVE) && !h.getCompletionRecord().isEmpty()));

    HttpResponse<String> charge =
        chain.call(
            "payments",
            "/payments/charge",
            PAYMENTS,
            txn,
            plan.headers().firstValue("txn-completion").orElseThrow());
    assertThat(charge.statusCode()).as(charge.body()).isEqualTo(200);
  }

  @Test
  void aRemoteAssociationAnsweringImpossibleTimes_changesNoDecision() throws Exception {
    Server liar =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new ImpossibleTimes())
            .build()
            .start();
    try (Mesh lied =
        Mesh.start(
            Files.createDirectories(dir.resolve("lied")),
            List.of(
                new Mesh.EdgeSpec(
                    "payments",
                    PAYMENTS,
                    "/payments/charge",
                    CHARGE,
                    List.of(CHARGE),
                    null,
                    List.of(RESERVE),
                    exchange -> ShopChain.reply(exchange, 200, "charged\n"))),
            false,
            "association: {target: \"127.0.0.1:"
                + liar.getPort()
                + "\", lookup_timeout: 1s, record_timeout: 1s}\n")) {
      String txn = "txn-" + UUID.randomUUID();
      Map<String, String> headers =
          Map.of(
              "Txn-Token",
              lied.originToken(txn, Set.of(CHARGE)),
              "Authorization",
              "Bearer " + lied.hopToken(PAYMENTS, txn));
      HttpResponse<String> charge =
          lied.get(planner(lied), lied.edge("payments"), "/payments/charge", headers);
      assertThat(charge.statusCode()).isEqualTo(403);
      JsonNode problem = JSON.readTree(charge.body());
      assertThat(problem.at("/violations/0/code").asText())
          .as("decided as if the ledger had nothing: %s", charge.body())
          .isEqualTo("missing_prerequisites");
    } finally {
      liar.shutdownNow();
    }
  }

  /** An association that answers every txn with a hop whose times no clock can hold. */
  private static final class ImpossibleTimes extends AssociationGrpc.AssociationImplBase {
    @Override
    public void record(Signal request, StreamObserver<Recorded> response) {
      response.onNext(Recorded.getDefaultInstance());
      response.onCompleted();
    }

    @Override
    public void linkage(TxnQuery request, StreamObserver<TxnLinkage> response) {
      response.onNext(
          TxnLinkage.newBuilder()
              .setTxn(request.getTxn())
              .addHops(
                  Hop.newBuilder()
                      .setDecisionId("d-liar")
                      .setComponent(INVENTORY)
                      .setStep(RESERVE)
                      .setEnforcementPoint("spiffe://shop.example/hopgate/inventory")
                      .setStartedAt(Long.MAX_VALUE)
                      .setCompletedAt(Long.MIN_VALUE))
              .build());
      response.onCompleted();
    }
  }

  private static SSLContext planner(Mesh m) {
    return m.pki().workload("planner", Mesh.PLANNER).sslContext();
  }

  private static Signal.Builder signal(
      Signal.Kind kind,
      String txn,
      String decision,
      String component,
      String step,
      String enforcementPoint) {
    return Signal.newBuilder()
        .setKind(kind)
        .setTxn(txn)
        .setDecisionId(decision)
        .setComponent(component)
        .setStep(step)
        .setEnforcementPoint(enforcementPoint)
        .setAtEpochSeconds(Instant.now().getEpochSecond());
  }

  /**
   * Sends {@code signal} to the association the agent's hopgate serves, as anyone who reaches it;
   * false when the association refused it.
   */
  private boolean send(Signal signal) {
    ManagedChannel channel = mesh.edge("agent").hopgate().channel();
    try {
      AssociationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .record(signal);
      return true;
    } catch (StatusRuntimeException refused) {
      return false;
    } finally {
      channel.shutdownNow();
    }
  }
}
