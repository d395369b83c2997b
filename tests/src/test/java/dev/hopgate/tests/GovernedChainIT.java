package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.sun.net.httpserver.HttpExchange;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.tests.harness.LogsOnFailure;
import dev.hopgate.tests.harness.Mesh;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * planner -> agent -> inventory, each service behind its own Envoy and its own hopgate with its own
 * key: the agent calls the inventory itself, forwarding the txn's headers, and the inventory's
 * hopgate verifies the chain the agent's hopgate started.
 */
class GovernedChainIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AGENT = "spiffe://shop.example/agent";
  private static final String INVENTORY = "spiffe://shop.example/inventory";
  private static final String PLAN = "urn:shop:step:plan-order";
  private static final String RESERVE = "urn:shop:step:reserve-stock";

  /** What the agent does with the headers it received. */
  enum Behaviour {
    FORWARD,
    DROP_CHAIN,
    FORGE_WITH_OWN_KEY,
    FORGE_UNDER_THE_TRUSTED_KID
  }

  @TempDir static Path dir;
  static Mesh mesh;
  static final AtomicReference<Behaviour> BEHAVIOUR = new AtomicReference<>(Behaviour.FORWARD);
  static SSLContext planner;
  static SSLContext agentIdentity;

  @RegisterExtension final TestWatcher dumpLogs = LogsOnFailure.of(() -> mesh.logText());

  @BeforeAll
  static void start() throws IOException {
    mesh =
        Mesh.start(
            dir,
            List.of(
                new Mesh.EdgeSpec(
                    "agent",
                    AGENT,
                    "/agent/plan",
                    PLAN,
                    List.of(PLAN),
                    List.of(RESERVE),
                    GovernedChainIT::agentService),
                new Mesh.EdgeSpec(
                    "inventory",
                    INVENTORY,
                    "/inventory/reserve",
                    RESERVE,
                    List.of(RESERVE),
                    null,
                    exchange -> reply(exchange, 200, Map.of(), "reserved\n"))));
    planner = mesh.pki().workload("planner", Mesh.PLANNER).sslContext();
    agentIdentity = mesh.pki().workload("agent", AGENT).sslContext();
  }

  @AfterAll
  static void stop() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @BeforeEach
  void forward() {
    BEHAVIOUR.set(Behaviour.FORWARD);
  }

  @Test
  @SuppressWarnings("unchecked")
  void twoHops_chainVerifiedAcrossIndependentHopgates_andBothCompletionsReturned()
      throws Exception {
    int before = mesh.edge("inventory").upstream().hits();
    HttpResponse<String> response = planCall();

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    var seen = mesh.edge("inventory").upstream().seen().get(before);
    String[] chain = seen.headers().get("txn-chain").split("~");
    assertThat(chain).hasSize(2);
    Map<String, Object> t1 = JWSObject.parse(chain[0]).getPayload().toJSONObject();
    Map<String, Object> t2 = JWSObject.parse(chain[1]).getPayload().toJSONObject();
    assertThat(t1)
        .containsEntry("iss", "spiffe://shop.example/hopgate/agent")
        .containsEntry("component", AGENT)
        .containsEntry("position", 1L);
    assertThat((List<Object>) t1.get("authority")).containsExactly((Object) RESERVE);
    assertThat(t2)
        .containsEntry("iss", "spiffe://shop.example/hopgate/inventory")
        .containsEntry("component", INVENTORY)
        .containsEntry("position", 2L)
        .containsEntry("pred", Digests.ofJws(chain[0]));
    assertThat((List<?>) t2.get("authority")).as("the inventory delegates nothing").isEmpty();

    Map<String, Object> agentDone =
        JWSObject.parse(response.headers().firstValue("txn-completion").orElseThrow())
            .getPayload()
            .toJSONObject();
    assertThat(agentDone)
        .containsEntry("step", PLAN)
        .containsEntry("iss", "spiffe://shop.example/hopgate/agent");
    Map<String, Object> inventoryDone =
        JWSObject.parse(response.headers().firstValue("x-downstream-completion").orElseThrow())
            .getPayload()
            .toJSONObject();
    assertThat(inventoryDone)
        .containsEntry("step", RESERVE)
        .containsEntry("iss", "spiffe://shop.example/hopgate/inventory")
        .containsEntry("txn", t1.get("txn"));
  }

  @Test
  void agentDroppingTheChainToPoseAsThePlanner_isRefusedAsChainCaller() throws Exception {
    BEHAVIOUR.set(Behaviour.DROP_CHAIN);
    int before = mesh.edge("inventory").upstream().hits();
    HttpResponse<String> response = planCall();

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("chain_caller");
    assertThat(mesh.edge("inventory").upstream().hits()).isEqualTo(before);
  }

  @Test
  void transitionForgedByTheAgentWithItsOwnKey_isRefusedAsChainSigner() throws Exception {
    BEHAVIOUR.set(Behaviour.FORGE_WITH_OWN_KEY);
    HttpResponse<String> response = planCall();

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("chain_signer");
  }

  @Test
  void transitionForgedUnderTheKidOfTheAgentsHopgate_isRefusedAsChainBroken() throws Exception {
    BEHAVIOUR.set(Behaviour.FORGE_UNDER_THE_TRUSTED_KID);
    HttpResponse<String> response = planCall();

    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("chain_broken");
  }

  @Test
  void hopTokenForTheAgentReusedAgainstTheInventory_isRefused() throws Exception {
    String txn = "txn-" + UUID.randomUUID();
    HttpResponse<String> response =
        mesh.get(
            planner,
            mesh.edge("inventory"),
            "/inventory/reserve",
            Map.of(
                "Txn-Token",
                mesh.originToken(txn, Set.of(PLAN, RESERVE)),
                "Authorization",
                "Bearer " + mesh.hopToken(AGENT, txn)));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("token_audience");
  }

  private static HttpResponse<String> planCall() throws IOException {
    String txn = "txn-" + UUID.randomUUID();
    return mesh.get(
        planner,
        mesh.edge("agent"),
        "/agent/plan",
        Map.of(
            "Txn-Token",
            mesh.originToken(txn, Set.of(PLAN, RESERVE)),
            "Authorization",
            "Bearer " + mesh.hopToken(AGENT, txn)));
  }

  /** The agent: reserves stock through the inventory's Envoy, forwarding the txn's headers. */
  private static void agentService(HttpExchange exchange) throws IOException {
    String origin = exchange.getRequestHeaders().getFirst("txn-token");
    String chain = exchange.getRequestHeaders().getFirst("txn-chain");
    String txn;
    try {
      txn = (String) JWSObject.parse(origin).getPayload().toJSONObject().get("txn");
    } catch (java.text.ParseException e) {
      throw new IOException(e);
    }
    Map<String, String> headers = new HashMap<>();
    headers.put("Txn-Token", origin);
    headers.put("Authorization", "Bearer " + mesh.hopToken(INVENTORY, txn));
    switch (BEHAVIOUR.get()) {
      case FORWARD -> headers.put("Txn-Chain", chain);
      case DROP_CHAIN -> {}
      case FORGE_WITH_OWN_KEY, FORGE_UNDER_THE_TRUSTED_KID -> {
        // Signed with a key of the agent's own, claiming to be the agent's enforcement point,
        // under a kid of its own or under the kid of the agent's hopgate.
        String kid =
            BEHAVIOUR.get() == Behaviour.FORGE_WITH_OWN_KEY ? "agent-own-key" : "hopgate-agent";
        JwsSigning own = JwsSigning.of(JwsSigning.generate("EdDSA", kid));
        String forged =
            own.sign(
                WireTypes.TRANSITION,
                Minting.transition(
                    "spiffe://shop.example/hopgate/agent",
                    txn,
                    1,
                    "sha256:" + "0".repeat(64),
                    AGENT,
                    PLAN,
                    Set.of(RESERVE),
                    Instant.now(),
                    Instant.now().plusSeconds(60),
                    "forged"));
        headers.put("Txn-Chain", forged);
      }
    }
    HttpResponse<String> downstream =
        mesh.get(agentIdentity, mesh.edge("inventory"), "/inventory/reserve", headers);
    Map<String, String> out = new HashMap<>();
    downstream
        .headers()
        .firstValue("txn-completion")
        .ifPresent(c -> out.put("x-downstream-completion", c));
    reply(exchange, downstream.statusCode(), out, downstream.body());
  }

  private static void reply(
      HttpExchange exchange, int status, Map<String, String> headers, String body)
      throws IOException {
    headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
