package dev.hopgate.tests.harness;

import com.nimbusds.jose.JWSObject;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;

/**
 * A three-hop chain whose middle step is completed deep in it: the planner asks the agent to plan,
 * the agent reserves stock at the inventory and does not pass the inventory's completion record
 * back; payments, whose manifest expects reserve-stock completed, can learn of it only from the
 * association's ledger. Each component behind its own Envoy and hopgate ({@link Mesh}).
 */
public final class ShopChain implements AutoCloseable {
  public static final String AGENT = "spiffe://shop.example/agent";
  public static final String INVENTORY = "spiffe://shop.example/inventory";
  public static final String PAYMENTS = "spiffe://shop.example/payments";
  public static final String PLAN = "urn:shop:step:plan-order";
  public static final String RESERVE = "urn:shop:step:reserve-stock";
  public static final String CHARGE = "urn:shop:step:charge-card";

  private final AtomicBoolean inventoryFails = new AtomicBoolean();
  private Mesh mesh;
  private SSLContext planner;
  private SSLContext agentIdentity;

  private ShopChain() {}

  /**
   * @param sharedAssociation the agent's hopgate serves the association to the others (else each
   *     keeps its own, or {@code extraConfig} shares one in Redis)
   */
  public static ShopChain start(Path dir, boolean sharedAssociation, String extraConfig)
      throws IOException {
    ShopChain chain = new ShopChain();
    chain.mesh =
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
                    chain::agentService),
                new Mesh.EdgeSpec(
                    "inventory",
                    INVENTORY,
                    "/inventory/reserve",
                    RESERVE,
                    List.of(RESERVE),
                    null,
                    exchange ->
                        reply(exchange, chain.inventoryFails.get() ? 500 : 200, "inventory\n")),
                new Mesh.EdgeSpec(
                    "payments",
                    PAYMENTS,
                    "/payments/charge",
                    CHARGE,
                    List.of(CHARGE),
                    null,
                    List.of(RESERVE),
                    exchange -> reply(exchange, 200, "charged\n"))),
            sharedAssociation,
            extraConfig);
    chain.planner = chain.mesh.pki().workload("planner", Mesh.PLANNER).sslContext();
    chain.agentIdentity = chain.mesh.pki().workload("agent", AGENT).sslContext();
    return chain;
  }

  public Mesh mesh() {
    return mesh;
  }

  /** From now on the inventory answers 500: its hopgate allowed it, and it failed. */
  public void inventoryFails(boolean fails) {
    inventoryFails.set(fails);
  }

  /**
   * The planner calls {@code path} at {@code edge} for a hop to {@code component} of {@code txn},
   * carrying {@code completions} ({@code Txn-Completions}) when not null.
   */
  public HttpResponse<String> call(
      String edge,
      String path,
      String component,
      String txn,
      @org.jspecify.annotations.Nullable String completions)
      throws IOException {
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
    HttpResponse<String> downstream =
        mesh.get(
            agentIdentity,
            mesh.edge("inventory"),
            "/inventory/reserve",
            Map.of(
                "Txn-Token",
                origin,
                "Authorization",
                "Bearer " + mesh.hopToken(INVENTORY, txn),
                "Txn-Chain",
                exchange.getRequestHeaders().getFirst("txn-chain")));
    reply(exchange, downstream.statusCode(), "planned\n");
  }

  /** Answers {@code exchange} with {@code status} and a short text body. */
  public static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    if (mesh != null) {
      mesh.close();
    }
  }
}
