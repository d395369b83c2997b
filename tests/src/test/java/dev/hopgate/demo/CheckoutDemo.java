package dev.hopgate.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.sun.net.httpserver.HttpExchange;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessDefinitions;
import dev.hopgate.tests.harness.Mesh;
import dev.hopgate.tests.harness.Tools;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * The checkout story, for {@code make demo} and {@code DemoIT}: six services, each behind its own
 * Envoy and its own hopgate with its own key; a token service that owns "may you start"; a planner
 * that gets every token from it, tries a step too early, follows the repair, retries with the
 * completion records it collected, and finally asks for something outside its declared intent.
 */
public final class CheckoutDemo implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();
  public static final String S = "urn:shop:step:";
  public static final String INVENTORY = "spiffe://shop.example/inventory";
  public static final String CUSTOMER = "spiffe://shop.example/customer";
  public static final String PAYMENTS = "spiffe://shop.example/payments";
  public static final String LEDGER = "spiffe://shop.example/ledger";
  public static final String OPS_DB = "spiffe://shop.example/ops-db";
  public static final String SHIPPING = "spiffe://shop.example/shipping";
  public static final String DROP = "urn:ops:step:drop-production-database";

  /** One call the planner made and what came back. */
  public record Call(
      String what,
      int status,
      JsonNode problem,
      List<String> completions,
      Map<String, List<String>> headers) {}

  private final Mesh mesh;
  private final SSLContext planner;
  private final SSLContext payments;
  private final ProcessDefinition process;
  private final Consumer<String> say;
  private static volatile CheckoutDemo current;

  private CheckoutDemo(Mesh mesh, Consumer<String> say) throws IOException {
    this.mesh = mesh;
    this.say = say;
    this.planner = mesh.pki().workload("planner", Mesh.PLANNER).sslContext();
    this.payments = mesh.pki().workload("payments", PAYMENTS).sslContext();
    try {
      this.process =
          ProcessDefinitions.load(
              Tools.repo().resolve("policies/processes/demo-checkout.process.yaml"));
    } catch (dev.hopgate.pdp.process.ProcessDefinitionException e) {
      throw new IOException(e);
    }
  }

  public static CheckoutDemo start(Path dir, Consumer<String> say) throws IOException {
    say.accept(
        "Starting six services, each behind its own Envoy and its own hopgate (own signing key),");
    say.accept(
        "sharing one association (the inventory's hopgate keeps the txns' completion ledger)...");
    Mesh mesh =
        Mesh.start(
            dir,
            List.of(
                new Mesh.EdgeSpec(
                    "inventory",
                    INVENTORY,
                    "/inventory/reserve",
                    S + "reserve-stock",
                    List.of(S + "reserve-stock"),
                    null,
                    ok("stock reserved")),
                new Mesh.EdgeSpec(
                    "customer",
                    CUSTOMER,
                    "/customer/confirm-address",
                    S + "confirm-address",
                    List.of(S + "confirm-address"),
                    null,
                    ok("address confirmed")),
                new Mesh.EdgeSpec(
                    "payments",
                    PAYMENTS,
                    "/payments/charge",
                    S + "charge-card",
                    List.of(S + "charge-card"),
                    List.of(S + "record-payment"),
                    exchange -> current.paymentsService(exchange)),
                new Mesh.EdgeSpec(
                    "ledger",
                    LEDGER,
                    "/ledger/record",
                    S + "record-payment",
                    List.of(S + "record-payment"),
                    null,
                    ok("payment recorded")),
                new Mesh.EdgeSpec(
                    "ops-db",
                    OPS_DB,
                    "/ops/drop-production-database",
                    DROP,
                    List.of(DROP, "urn:ops:step:contain", "urn:ops:step:remediate"),
                    null,
                    ok("database dropped")),
                new Mesh.EdgeSpec(
                    "shipping",
                    SHIPPING,
                    "/shipping/schedule",
                    S + "schedule-shipping",
                    List.of(S + "schedule-shipping"),
                    null,
                    ok("shipping scheduled"))),
            true);
    try {
      say.accept("Starting the token service (RFC 8693 token exchange over mTLS)...");
      mesh.startTokenService();
      CheckoutDemo demo = new CheckoutDemo(mesh, say);
      current = demo;
      return demo;
    } catch (IOException | RuntimeException e) {
      mesh.close();
      throw e;
    }
  }

  public Mesh mesh() {
    return mesh;
  }

  public ProcessDefinition process() {
    return process;
  }

  /** The planner's whole story; every call recorded in order. */
  public List<Call> run() throws IOException {
    List<Call> calls = new ArrayList<>();
    String origin =
        startTxn(
            List.of(
                S + "reserve-stock",
                S + "confirm-address",
                S + "charge-card",
                S + "record-payment",
                S + "schedule-shipping",
                DROP));
    List<String> collected = new ArrayList<>();

    say.accept("");
    say.accept("1. The planner charges the card first.");
    Call early =
        call("charge-card, too early", "payments", PAYMENTS, "/payments/charge", origin, collected);
    calls.add(early);
    say.accept("   -> " + early.status() + " " + early.problem().path("detail").asText());
    say.accept("      repair: " + early.problem().path("repair"));

    say.accept(
        "2. It follows the repair: it completes the steps named, in order, collecting completion records.");
    for (JsonNode step : early.problem().at("/repair/0/steps")) {
      String iri = step.asText();
      Call done =
          iri.endsWith("reserve-stock")
              ? call(
                  "reserve-stock", "inventory", INVENTORY, "/inventory/reserve", origin, collected)
              : call(
                  "confirm-address",
                  "customer",
                  CUSTOMER,
                  "/customer/confirm-address",
                  origin,
                  collected);
      calls.add(done);
      collected.addAll(done.completions());
      say.accept(
          "   "
              + iri
              + " -> "
              + done.status()
              + ", completion record received: "
              + !done.completions().isEmpty());
    }

    say.accept(
        "3. It retries the charge, sending the records in Txn-Completions. Payments records the payment");
    say.accept(
        "   in the ledger itself, forwarding the txn's headers: a chain of two hops, each hopgate its own.");
    Call charged =
        call("charge-card, retried", "payments", PAYMENTS, "/payments/charge", origin, collected);
    calls.add(charged);
    say.accept(
        "   -> "
            + charged.status()
            + "; ledger saw Txn-Chain of "
            + charged.headers().getOrDefault("x-ledger-chain-length", List.of("?")).get(0)
            + " transitions");

    say.accept(
        "4. It asks ops-db to drop the production database. alice may, ops-db can, but dropping it is not");
    say.accept("   part of the declared checkout.");
    Call drop =
        call(
            "drop-production-database",
            "ops-db",
            OPS_DB,
            "/ops/drop-production-database",
            origin,
            collected);
    calls.add(drop);
    say.accept("   -> " + drop.status() + " " + drop.problem().path("detail").asText());
    say.accept("      repair: " + drop.problem().path("repair"));

    say.accept(
        "5. It schedules shipping, which needs the payment recorded. The ledger's record never came back");
    say.accept(
        "   to the planner (payments kept it), but the ledger's hopgate wrote it to the association:");
    say.accept("   shipping's hopgate finds it there and verifies it itself.");
    Call shipped =
        call("schedule-shipping", "shipping", SHIPPING, "/shipping/schedule", origin, collected);
    calls.add(shipped);
    say.accept(
        "   -> "
            + shipped.status()
            + (shipped.status() == 200
                ? ", with " + collected.size() + " records carried (none of them the ledger's)"
                : " " + shipped.problem().path("detail")));
    String association = "127.0.0.1:" + mesh.edge("inventory").hopgate().port();
    say.accept(
        "   The association's view of the txn (what `hopgate txn show "
            + txnOf(origin)
            + " --association "
            + association
            + "` prints):");
    try (var link =
        new dev.hopgate.server.association.RemoteAssociation(
            association, java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(5))) {
      for (var hop : link.linkage(txnOf(origin))) {
        say.accept(
            "     "
                + hop.step().substring(S.length())
                + " at "
                + hop.component().substring(hop.component().lastIndexOf('/') + 1)
                + ": "
                + (hop.completedAt() != null ? "completed" : "running"));
      }
    }
    return calls;
  }

  /** The planner starts a txn: identity token + declared intent -> origin token. */
  public String startTxn(List<String> authority) throws IOException {
    say.accept(
        "The planner logs alice in and asks the token service for a txn declaring "
            + process.iri());
    HttpResponse<String> response =
        mesh.exchange(
            planner,
            Map.of(
                "subject_token",
                mesh.identityToken("alice@shop.example"),
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:id_token",
                "requested_token_type",
                "urn:ietf:params:oauth:token-type:txn_token",
                "request_details",
                JSON.writeValueAsString(
                    Map.of(
                        "intent",
                        Map.of("process", process.iri(), "digest", process.digest()),
                        "authority",
                        authority))));
    if (response.statusCode() != 200) {
      throw new IOException("token service: " + response.body());
    }
    return JSON.readTree(response.body()).get("access_token").asText();
  }

  /** One planner call: a fresh hop token from the token service, the txn's headers, the records. */
  public Call call(
      String what,
      String edge,
      String component,
      String path,
      String origin,
      List<String> completions)
      throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Txn-Token", origin);
    headers.put("Authorization", "Bearer " + hopToken(planner, origin, component));
    if (!completions.isEmpty()) {
      headers.put("Txn-Completions", String.join("~", completions));
    }
    HttpResponse<String> response = mesh.get(planner, mesh.edge(edge), path, headers);
    JsonNode problem =
        response.statusCode() == 200 ? JSON.createObjectNode() : JSON.readTree(response.body());
    return new Call(
        what,
        response.statusCode(),
        problem,
        response.headers().allValues("txn-completion"),
        response.headers().map());
  }

  String hopToken(SSLContext who, String origin, String audience) throws IOException {
    HttpResponse<String> response =
        mesh.exchange(
            who,
            Map.of(
                "subject_token",
                origin,
                "subject_token_type",
                "urn:ietf:params:oauth:token-type:txn_token",
                "requested_token_type",
                "urn:hopgate:params:oauth:token-type:hop",
                "audience",
                audience));
    if (response.statusCode() != 200) {
      throw new IOException("token service: " + response.body());
    }
    return JSON.readTree(response.body()).get("access_token").asText();
  }

  /** Payments: charges, then records the payment in the ledger through the ledger's Envoy. */
  private void paymentsService(HttpExchange exchange) throws IOException {
    String origin = exchange.getRequestHeaders().getFirst("txn-token");
    Map<String, String> headers = new HashMap<>();
    headers.put("Txn-Token", origin);
    headers.put("Txn-Chain", exchange.getRequestHeaders().getFirst("txn-chain"));
    headers.put("Authorization", "Bearer " + hopToken(payments, origin, LEDGER));
    HttpResponse<String> ledger =
        mesh.get(payments, mesh.edge("ledger"), "/ledger/record", headers);
    int chainLength =
        mesh.edge("ledger").upstream().seen().isEmpty()
            ? 0
            : mesh.edge("ledger")
                .upstream()
                .seen()
                .get(mesh.edge("ledger").upstream().hits() - 1)
                .headers()
                .getOrDefault("txn-chain", "")
                .split("~")
                .length;
    Map<String, String> out = new HashMap<>();
    out.put("x-ledger-chain-length", Integer.toString(chainLength));
    ledger.headers().firstValue("txn-completion").ifPresent(c -> out.put("x-ledger-completion", c));
    if (ledger.statusCode() == 200) {
      reply(exchange, 200, out, "card charged, payment recorded\n");
    } else {
      reply(exchange, 502, out, ledger.body());
    }
  }

  private static com.sun.net.httpserver.HttpHandler ok(String text) {
    return exchange -> reply(exchange, 200, Map.of(), text + "\n");
  }

  static void reply(HttpExchange exchange, int status, Map<String, String> headers, String body)
      throws IOException {
    headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  static String txnOf(String origin) {
    return String.valueOf(claims(origin).get("txn"));
  }

  /** The decoded claims of a compact JWS, for printing and asserting. */
  public static Map<String, Object> claims(String jws) {
    try {
      return JWSObject.parse(jws).getPayload().toJSONObject();
    } catch (java.text.ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public void close() {
    mesh.close();
  }
}
