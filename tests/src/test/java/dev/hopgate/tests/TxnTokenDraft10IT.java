package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.Jwcrypto;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Txn-Token as a standard transaction token service issues it (draft-ietf-oauth-transaction-
 * tokens-10, section 7.3's claim table: no iss, scope and req_wl, a tctx and an rctx of its own,
 * none of hopgate's tctx members), minted by jwcrypto rather than hopgate's own code, through a
 * real Envoy: accepted as an implicit intent started by req_wl, its claims in the input document.
 */
class TxnTokenDraft10IT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static EdgeStack stack;
  static SSLContext planner;

  @BeforeAll
  static void start() throws Exception {
    stack = EdgeStack.start(dir, "decision_log: { path: decisions.jsonl, trace: full }\n");
    planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /** A draft-10 Txn-Token for {@code txn}, signed by jwcrypto with the trusted service's key. */
  private static String txnToken(String txn, Consumer<ObjectNode> edit) throws Exception {
    JsonNode key =
        JSON.readTree(Files.readString(dir.resolve("txn-token-service.private.jwk.json")));
    ObjectNode spec = JSON.createObjectNode();
    spec.putObject("key").set("jwk", key);
    ObjectNode token = spec.putArray("tokens").addObject();
    token
        .putObject("header")
        .put("alg", "ES256")
        .put("kid", key.path("kid").asText())
        .put("typ", "txntoken+jwt");
    ObjectNode claims = token.putObject("claims");
    claims.putObject("iat").put("now+", 0);
    claims.put("aud", EdgeStack.TRUST_DOMAIN);
    claims.putObject("exp").put("now+", 300);
    claims.put("txn", txn);
    claims.put("sub", "alice@shop.example");
    claims.put("scope", EdgeStack.RESERVE + " openid");
    claims.put("req_wl", EdgeStack.PLANNER);
    claims.putObject("tctx").put("action", "reserve").put("sku", "sku-1");
    claims.putObject("rctx").put("req_ip", "203.0.113.7").put("authn", "mfa");
    edit.accept(claims);
    return JSON.readTree(Jwcrypto.mint(JSON.writeValueAsString(spec))).at("/tokens/0").asText();
  }

  private static Map<String, String> credentials(String txn, String txnToken) {
    Map<String, String> headers =
        new HashMap<>(
            stack.credentials(EdgeStack.INVENTORY, null, txn, Set.of(EdgeStack.RESERVE), c -> c));
    headers.put("Txn-Token", txnToken);
    return headers;
  }

  @Test
  void aDraft10TxnToken_isAcceptedAndItsClaimsReachTheInputDocument() throws Exception {
    String txn = "txn-" + UUID.randomUUID();

    HttpResponse<String> response =
        stack.get(planner, "/inventory/reserve", credentials(txn, txnToken(txn, c -> {})));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode input =
        Eventually.until(
                "the decision log records the decision of " + txn,
                () -> record(txn),
                r -> r != null)
            .at("/payload/input");
    JsonNode origin = input.path("origin");
    assertThat(origin.path("workload").asText()).isEqualTo(EdgeStack.PLANNER);
    assertThat(origin.path("requester").asText()).isEqualTo(EdgeStack.PLANNER);
    assertThat(origin.path("scope").toString())
        .isEqualTo("[\"" + EdgeStack.RESERVE + "\",\"openid\"]");
    assertThat(origin.at("/context/sku").asText()).isEqualTo("sku-1");
    assertThat(origin.at("/request_context/authn").asText()).isEqualTo("mfa");
    assertThat(input.at("/intent/declared").asBoolean()).isFalse();
    assertThat(input.path("authority").toString()).contains(EdgeStack.RESERVE);
  }

  @Test
  void aTxnTokenWithoutTheDraftsRequiredScope_isRefused() throws Exception {
    String txn = "txn-" + UUID.randomUUID();

    HttpResponse<String> response =
        stack.get(
            planner, "/inventory/reserve", credentials(txn, txnToken(txn, c -> c.remove("scope"))));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
        .isEqualTo("origin_invalid");
    assertThat(response.body()).contains("'scope'");
  }

  private static JsonNode record(String txn) throws Exception {
    for (String line : Files.readAllLines(stack.decisionLog())) {
      JsonNode record = JSON.readTree(line);
      if (txn.equals(record.path("txn").asText()) && record.at("/payload/input").isObject()) {
        return record;
      }
    }
    return null;
  }
}
