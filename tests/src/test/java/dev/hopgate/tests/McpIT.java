package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import dev.hopgate.tests.harness.McpAnswers;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MCP through a real Envoy to a real MCP server: the route forwards the JSON-RPC body to hopgate,
 * which reads the tool call as the route's mapped step, and answers a denial in a form an MCP
 * client survives (HTTP 200, a JSON-RPC error with the same id, the repair in {@code error.data}).
 */
class McpIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final EdgeStackExtension edge = EdgeStackExtension.of("");

  @Test
  void mappedToolCall_reachesTheMcpServerAsItsStep() throws Exception {
    int before = edge.stack().upstream().hits();
    HttpResponse<String> response =
        call(edge.stack().credentials(EdgeStack.INVENTORY), toolCall(11, "reserve_stock"));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("id").asInt()).isEqualTo(11);
    assertThat(body.at("/result/content/0/text").asText()).isEqualTo("ran reserve_stock");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before + 1);
    // The chain grew by this hop's transition, naming the mapped step, never the tool's own claim.
    String chain = edge.stack().upstream().seen().get(before).headers().get("txn-chain");
    assertThat(com.nimbusds.jose.JWSObject.parse(chain).getPayload().toJSONObject())
        .containsEntry("step", EdgeStack.RESERVE);
    // ext_proc read the JSON-RPC result (no isError) and returned the step's completion record.
    String record = response.headers().firstValue("txn-completion").orElseThrow();
    assertThat(com.nimbusds.jose.JWSObject.parse(record).getPayload().toJSONObject())
        .containsEntry("step", EdgeStack.RESERVE)
        .containsEntry("status", "completed")
        .containsEntry(
            "decision",
            edge.stack().upstream().seen().get(before).headers().get("hopgate-decision-id"));
  }

  @Test
  void toolCallAnsweredAsAnSseStream_yieldsItsCompletionToo() throws Exception {
    HttpResponse<String> response =
        call(
            edge.stack().credentials(EdgeStack.INVENTORY),
            "{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\",\"params\":{\"name\":\"reserve_stock\","
                + "\"arguments\":{\"stream\":true}}}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(response.body()).contains("notifications/progress").contains("ran reserve_stock");
    assertThat(response.headers().firstValue("txn-completion")).isPresent();
  }

  @Test
  void toolError_reachesTheClientButYieldsNoCompletion() throws Exception {
    HttpResponse<String> response =
        call(
            edge.stack().credentials(EdgeStack.INVENTORY),
            "{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\",\"params\":{\"name\":\"reserve_stock\","
                + "\"arguments\":{\"fail\":true}}}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).at("/result/isError").asBoolean()).isTrue();
    assertThat(response.headers().firstValue("txn-completion"))
        .as("the tool did not do its work")
        .isEmpty();
  }

  @Test
  void deniedToolCall_isAToolErrorWithTheEnvelopeAndNeverReachesTheServer() throws Exception {
    int before = edge.stack().upstream().hits();
    HttpResponse<String> response =
        call(edge.stack().credentials(EdgeStack.INVENTORY), toolCall("call-2", "drop_database"));

    assertThat(response.statusCode()).as("MCP clients drop the session on a 4xx").isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(body.get("id").asText()).isEqualTo("call-2");
    assertThat(body.at("/result/isError").asBoolean()).isTrue();
    JsonNode envelope = McpAnswers.envelope(body);
    assertThat(envelope.path("reason").asText()).isEqualTo("insufficient_authorization");
    assertThat(McpAnswers.violation(body)).isEqualTo("capability/not_performed");
    assertThat(envelope.path("authorizationContextId").asText())
        .isEqualTo(response.headers().firstValue("hopgate-decision-id").orElseThrow());
    assertThat(McpAnswers.problem(body).at("/violations/0/component").asText())
        .isEqualTo(EdgeStack.INVENTORY);
    assertThat(envelope.path("remediationHints").isArray()).isTrue();
    assertThat(response.headers().firstValue("txn-completion"))
        .as("a denial yields no record")
        .isEmpty();
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void unmappedTool_isDeniedEvenThoughTheServerHasIt() throws Exception {
    int before = edge.stack().upstream().hits();
    HttpResponse<String> response =
        call(edge.stack().credentials(EdgeStack.INVENTORY), toolCall(3, "list_orders"));

    JsonNode body = JSON.readTree(response.body());
    assertThat(McpAnswers.problem(body).at("/violations/0/code").asText())
        .isEqualTo("tool_unmapped");
    assertThat(McpAnswers.problem(body).at("/violations/0/tool").asText()).isEqualTo("list_orders");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void sessionMethods_passWithAValidHopTokenAndYieldNoCompletion() throws Exception {
    Map<String, String> credentials = edge.stack().credentials(EdgeStack.INVENTORY);
    HttpResponse<String> init =
        call(
            credentials,
            "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"e2e\",\"version\":\"1\"}}}");
    HttpResponse<String> list =
        call(credentials, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    HttpResponse<String> initialized =
        call(credentials, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");

    assertThat(init.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(init.body()).at("/result/serverInfo/name").asText())
        .isEqualTo("e2e-tools");
    assertThat(list.statusCode()).isEqualTo(200);
    // The server has three tools; the chain could call one: drop_database fails the capability gate
    // (the inventory's manifest does not perform it), list_orders is not mapped on this route.
    JsonNode tools = JSON.readTree(list.body()).at("/result/tools");
    assertThat(tools).hasSize(1);
    assertThat(tools.get(0).get("name").asText()).isEqualTo("reserve_stock");
    // This credential's list at this point of the txn: no cache may keep or share it.
    assertThat(JSON.readTree(list.body()).at("/result/ttlMs").asInt(-1)).isZero();
    assertThat(JSON.readTree(list.body()).at("/result/cacheScope").asText()).isEqualTo("private");
    assertThat(list.headers().firstValue("cache-control")).hasValue("private, no-store");
    assertThat(initialized.statusCode()).isEqualTo(202);
    assertThat(list.headers().firstValue("txn-completion")).as("no step, no completion").isEmpty();
  }

  @Test
  void tokenProblems_stay401WithTheChallengeMcpAuthorizationNeeds() throws Exception {
    Map<String, String> headers = new HashMap<>(edge.stack().credentials(EdgeStack.INVENTORY));
    headers.remove("Authorization");
    HttpResponse<String> response = call(headers, toolCall(1, "reserve_stock"));

    assertThat(response.statusCode()).isEqualTo(401);
    // The route serves its protected resource metadata: the challenge says where (RFC 9728).
    assertThat(response.headers().firstValue("www-authenticate"))
        .hasValue(
            "Bearer realm=\"hopgate\", resource_metadata="
                + "\"https://localhost/.well-known/oauth-protected-resource/mcp\"");
    assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
  }

  @Test
  void protectedResourceMetadata_isServedByHopgateFromTheRouteTable_withoutAToken()
      throws Exception {
    int before = edge.stack().upstream().hits();
    HttpResponse<String> response =
        edge.stack().get(edge.planner(), "/.well-known/oauth-protected-resource/mcp", Map.of());
    HttpResponse<String> unknown =
        edge.stack()
            .get(edge.planner(), "/.well-known/oauth-protected-resource/elsewhere", Map.of());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonNode metadata = JSON.readTree(response.body());
    assertThat(metadata.path("resource").asText()).isEqualTo("https://localhost/mcp");
    assertThat(metadata.path("authorization_servers").toString())
        .isEqualTo("[\"https://tokens.shop.example\"]");
    assertThat(metadata.path("bearer_methods_supported").toString()).isEqualTo("[\"header\"]");
    assertThat(metadata.path("scopes_supported").toString()).contains(EdgeStack.RESERVE);
    assertThat(metadata.path("resource_name").asText()).isEqualTo("Inventory tools");
    // A path of no route's metadata is decided like any other request: no route, denied.
    assertThat(unknown.statusCode()).isEqualTo(403);
    // On another host than the resource's, it is not this route's document.
    HttpResponse<String> otherHost =
        edge.stack()
            .getByAddress(edge.planner(), "/.well-known/oauth-protected-resource/mcp", Map.of());
    assertThat(otherHost.statusCode()).isEqualTo(403);
    assertThat(edge.stack().upstream().hits()).as("no upstream sees either").isEqualTo(before);
  }

  @Test
  void ambiguousBody_isRefusedNotGuessed() throws Exception {
    int before = edge.stack().upstream().hits();
    // A parser that keeps the last 'name' runs drop_database; one that keeps the first,
    // reserve_stock.
    HttpResponse<String> response =
        call(
            edge.stack().credentials(EdgeStack.INVENTORY),
            "{\"jsonrpc\":\"2.0\",\"id\":5,"
                + "\"method\":\"tools/call\",\"params\":{\"name\":\"reserve_stock\",\"name\":\"drop_database\"}}");

    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.at("/error/code").asInt()).isEqualTo(-32600);
    assertThat(McpAnswers.problem(body).at("/violations/0/code").asText())
        .isEqualTo("duplicate_key");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void bodyLargerThanEnvoyForwards_isRefusedAsTruncated() throws Exception {
    int before = edge.stack().upstream().hits();
    String big =
        "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"reserve_stock\","
            + "\"arguments\":{\"note\":\""
            + "x".repeat(20_000)
            + "\"}}}";
    HttpResponse<String> response = call(edge.stack().credentials(EdgeStack.INVENTORY), big);

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(McpAnswers.problem(JSON.readTree(response.body())).at("/violations/0/code").asText())
        .isEqualTo("body_truncated");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void disclosureLevels_showExactlyWhatTheyPromise() throws Exception {
    JsonNode full =
        JSON.readTree(
            call(edge.stack().credentials(EdgeStack.INVENTORY), toolCall(21, "drop_database"))
                .body());
    JsonNode minimal =
        JSON.readTree(
            edge.stack()
                .post(
                    edge.planner(),
                    "/mcp/minimal",
                    edge.stack().credentials(EdgeStack.INVENTORY),
                    toolCall(22, "drop_database"))
                .body());
    HttpResponse<String> undisclosedResponse =
        edge.stack()
            .post(
                edge.planner(),
                "/mcp/undisclosed",
                edge.stack().credentials(EdgeStack.INVENTORY),
                toolCall(23, "drop_database"));
    JsonNode undisclosed = JSON.readTree(undisclosedResponse.body());

    assertThat(McpAnswers.problem(full).at("/violations/0/component").asText())
        .isEqualTo(EdgeStack.INVENTORY);
    assertThat(full.toString()).contains(EdgeStack.DROP_DB);

    assertThat(minimal.get("id").asInt()).isEqualTo(22);
    assertThat(McpAnswers.violation(minimal)).isEqualTo("capability/not_performed");
    assertThat(minimal.toString())
        .doesNotContain(EdgeStack.DROP_DB)
        .doesNotContain(EdgeStack.INVENTORY);

    assertThat(undisclosed.get("id").asInt()).isEqualTo(23);
    assertThat(McpAnswers.problem(undisclosed).at("/title").asText()).isEqualTo("Request denied");
    assertThat(McpAnswers.envelope(undisclosed).path("remediation").asText())
        .isEqualTo("undisclosed");
    assertThat(undisclosed.toString())
        .doesNotContain(EdgeStack.DROP_DB)
        .doesNotContain("capability");
    String decision = undisclosedResponse.headers().firstValue("hopgate-decision-id").orElseThrow();
    assertThat(McpAnswers.envelope(undisclosed).path("authorizationContextId").asText())
        .isEqualTo(decision);
    // The detail is in the decision log, found by that id.
    Eventually.until(
        "the decision log records " + decision,
        () -> java.nio.file.Files.readString(edge.stack().decisionLog()).contains(decision));
    String record =
        java.nio.file.Files.readAllLines(edge.stack().decisionLog()).stream()
            .filter(line -> line.contains(decision))
            .findFirst()
            .orElseThrow();
    assertThat(record).contains("not_performed");
  }

  @Test
  void tokenChallenge_namesTheResourceMetadataWhereTheRouteSetsIt() throws Exception {
    Map<String, String> headers = new HashMap<>(edge.stack().credentials(EdgeStack.INVENTORY));
    headers.remove("Authorization");
    HttpResponse<String> response =
        edge.stack().post(edge.planner(), "/mcp/minimal", headers, toolCall(1, "reserve_stock"));

    assertThat(response.statusCode()).isEqualTo(401);
    assertThat(response.headers().firstValue("www-authenticate"))
        .hasValue(
            "Bearer realm=\"hopgate\", "
                + "resource_metadata=\"https://tools.shop.example/.well-known/oauth-protected-resource\"");
  }

  private static HttpResponse<String> call(Map<String, String> headers, String body)
      throws IOException {
    return edge.stack().post(edge.planner(), "/mcp", headers, body);
  }

  private static String toolCall(Object id, String tool) {
    String rawId = id instanceof String s ? "\"" + s + "\"" : id.toString();
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + rawId
        + ",\"method\":\"tools/call\",\"params\":{\"name\":\""
        + tool
        + "\",\"arguments\":{}}}";
  }
}
