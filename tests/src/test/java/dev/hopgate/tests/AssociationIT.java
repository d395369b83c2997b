package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.sun.net.httpserver.HttpExchange;
import dev.hopgate.association.v1.Hop;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.LogsOnFailure;
import dev.hopgate.tests.harness.Mesh;
import dev.hopgate.tests.harness.Tools;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three hopgates, each behind its own Envoy, sharing one association (here the agent's hopgate
 * serves it; {@link AssociationRedisIT}: a ledger in Redis): the planner asks the agent to plan, the agent reserves stock at the inventory and does not
 * pass the inventory's completion record back. The planner then charges the card at payments,
 * whose manifest expects reserve-stock completed: the record reaches payments' hopgate only through
 * the ledger. When the inventory fails, its START has no COMPLETE: the repair is wait, not redo.
 */
@org.junit.jupiter.api.TestInstance(org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS)
class AssociationIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AGENT = "spiffe://shop.example/agent";
  private static final String INVENTORY = "spiffe://shop.example/inventory";
  private static final String PAYMENTS = "spiffe://shop.example/payments";
  private static final String PLAN = "urn:shop:step:plan-order";
  private static final String RESERVE = "urn:shop:step:reserve-stock";
  private static final String CHARGE = "urn:shop:step:charge-card";
  private final AtomicBoolean inventoryFails = new AtomicBoolean();

  @TempDir static Path dir;
  Mesh mesh;
  SSLContext planner;
  SSLContext agentIdentity;

  /** How the edges share their association: the first edge's hopgate serves it to the others. */
  Mesh startMesh(List<Mesh.EdgeSpec> specs) throws IOException {
    return Mesh.start(dir, specs, true);
  }

  /** The edge whose hopgate {@code hopgate txn show} asks. */
  String servingEdge() {
    return "agent";
  }

  @RegisterExtension
  final TestWatcher dumpLogs = LogsOnFailure.of(() -> mesh.logText());

  @BeforeAll
  void start() throws IOException {
    mesh = startMesh(List.of(
        new Mesh.EdgeSpec("agent", AGENT, "/agent/plan", PLAN, List.of(PLAN), List.of(RESERVE), this::agentService),
        new Mesh.EdgeSpec("inventory", INVENTORY, "/inventory/reserve", RESERVE, List.of(RESERVE), null,
            exchange -> reply(exchange, inventoryFails.get() ? 500 : 200, "inventory\n")),
        new Mesh.EdgeSpec("payments", PAYMENTS, "/payments/charge", CHARGE, List.of(CHARGE), null, List.of(RESERVE),
            exchange -> reply(exchange, 200, "charged\n"))));
    planner = mesh.pki().workload("planner", Mesh.PLANNER).sslContext();
    agentIdentity = mesh.pki().workload("agent", AGENT).sslContext();
  }

  @AfterAll
  void stop() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void aCompletionObservedDeepInTheChain_countsAtALaterHop_withoutBeingCarriedBack() throws Exception {
    inventoryFails.set(false);
    String txn = "txn-" + UUID.randomUUID();
    HttpResponse<String> plan = call("agent", "/agent/plan", AGENT, txn, null);
    assertThat(plan.statusCode()).as(plan.body()).isEqualTo(200);
    String agentDone = plan.headers().firstValue("txn-completion").orElseThrow();

    // The inventory's COMPLETE is sent before ext_proc releases its response, with a bound, then
    // retried off the path: on a busy machine it may land after the agent has answered.
    Eventually.until("the ledger shows the inventory's COMPLETE of " + RESERVE, () -> mesh.linkage(servingEdge(), txn)
        .stream().anyMatch(hop -> hop.getStep().equals(RESERVE) && !hop.getCompletionRecord().isEmpty()));

    // The planner carries only what came back to it: the agent's record, not the inventory's.
    HttpResponse<String> charge = call("payments", "/payments/charge", PAYMENTS, txn, agentDone);
    assertThat(charge.statusCode()).as(charge.body()).isEqualTo(200);
    Eventually.until("the ledger shows the agent's COMPLETE and payments' START", () -> {
      List<Hop> hops = mesh.linkage(servingEdge(), txn);
      return hops.stream().anyMatch(hop -> hop.getStep().equals(PLAN) && !hop.getCompletionRecord().isEmpty())
          && hops.stream().anyMatch(hop -> hop.getStep().equals(CHARGE) && hop.getStartedAt() > 0);
    });

    // hopgate txn show: the txn's hops as the association linked them.
    Process show = new ProcessBuilder(Tools.java().toString(), "-jar", Tools.hopgateJar().toString(), "txn", "show",
        txn, "--association", "127.0.0.1:" + mesh.edge(servingEdge()).hopgate().port()).redirectErrorStream(true).start();
    assertThat(show.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String printed = new String(show.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(printed).contains("txn " + txn + ": 3 hops")
        .contains(PLAN + " at " + AGENT + ": completed")
        .contains(RESERVE + " at " + INVENTORY + ": completed")
        .contains(CHARGE + " at " + PAYMENTS);
  }

  @Test
  void aStartWithoutItsComplete_makesTheRepairWaitNotRedo() throws Exception {
    inventoryFails.set(true);
    try {
      String txn = "txn-" + UUID.randomUUID();
      HttpResponse<String> plan = call("agent", "/agent/plan", AGENT, txn, null);
      assertThat(plan.statusCode()).isEqualTo(500); // the inventory failed after hopgate allowed it
      // The START leaves the inventory's hopgate off the Check path, after the ALLOW: wait until
      // the ledger holds it (a repair computed before then is complete_steps, rightly).
      Eventually.until("the ledger shows the inventory's START of " + RESERVE, () -> mesh.linkage(servingEdge(), txn)
          .stream().anyMatch(hop -> hop.getStep().equals(RESERVE) && hop.getStartedAt() > 0));

      HttpResponse<String> charge = call("payments", "/payments/charge", PAYMENTS, txn, null);
      assertThat(charge.statusCode()).isEqualTo(403);
      JsonNode problem = JSON.readTree(charge.body());
      assertThat(problem.at("/violations/0/code").asText()).isEqualTo("missing_prerequisites");
      assertThat(problem.at("/repair/0/action").asText()).isEqualTo("wait");
      assertThat(problem.at("/repair/0/steps/0").asText()).isEqualTo(RESERVE);
    } finally {
      inventoryFails.set(false);
    }
  }

  private HttpResponse<String> call(String edge, String path, String component, String txn,
      String completions) throws IOException {
    Map<String, String> headers = new HashMap<>();
    headers.put("Txn-Token", mesh.originToken(txn, Set.of(PLAN, RESERVE, CHARGE)));
    headers.put("Authorization", "Bearer " + mesh.hopToken(component, txn));
    if (completions != null) {
      headers.put("Txn-Completions", completions);
    }
    return mesh.get(planner, mesh.edge(edge), path, headers);
  }

  /** The agent reserves stock at the inventory, and keeps the inventory's completion to itself. */
  private void agentService(HttpExchange exchange) throws IOException {
    String origin = exchange.getRequestHeaders().getFirst("txn-token");
    String txn;
    try {
      txn = (String) JWSObject.parse(origin).getPayload().toJSONObject().get("txn");
    } catch (java.text.ParseException e) {
      throw new IOException(e);
    }
    HttpResponse<String> downstream = mesh.get(agentIdentity, mesh.edge("inventory"), "/inventory/reserve", Map.of(
        "Txn-Token", origin, "Authorization", "Bearer " + mesh.hopToken(INVENTORY, txn),
        "Txn-Chain", exchange.getRequestHeaders().getFirst("txn-chain")));
    reply(exchange, downstream.statusCode(), "planned\n");
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
