package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import dev.hopgate.tests.harness.McpAnswers;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every MCP method is decided as what it is, through a real Envoy to the MCP server: a method that
 * reads or runs something ({@code resources/read}, {@code prompts/get}, vendor methods) is a step
 * the route must map, never a session method that passes on the hop token alone. Each attack here
 * is a request with a valid hop token for the route's component.
 */
class McpMethodsIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The resource the edge's /mcp route maps (to the reserve step). */
  private static final String STOCK = "inventory://stock/sku-1";

  @RegisterExtension static final EdgeStackExtension edge = EdgeStackExtension.of("");

  @Test
  void resourcesRead_ofAResourceTheRouteDoesNotMap_neverReachesTheServer() throws Exception {
    assertRefusedBeforeTheServer(
        request(21, "resources/read", "{\"uri\":\"inventory://customers/all\"}"),
        "resource_unmapped");
  }

  @Test
  void promptsGet_ofAPromptTheRouteDoesNotMap_neverReachesTheServer() throws Exception {
    assertRefusedBeforeTheServer(
        request(22, "prompts/get", "{\"name\":\"leak_secrets\"}"), "prompt_unmapped");
  }

  @Test
  void aVendorMethod_neverReachesTheServer() throws Exception {
    assertRefusedBeforeTheServer(request(23, "x/admin", "{}"), "method_unmapped");
  }

  @Test
  void completionComplete_neverReachesTheServerUnlessMapped() throws Exception {
    assertRefusedBeforeTheServer(
        request(
            24,
            "completion/complete",
            "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"p\"},\"argument\":{\"name\":\"a\",\"value\":\"\"}}"),
        "method_unmapped");
  }

  @Test
  void aNotificationNameSentWithAnId_isAnotherMethod_andNeverReachesTheServer() throws Exception {
    assertRefusedBeforeTheServer(
        request(28, "notifications/../tools/call", "{\"name\":\"drop_database\"}"),
        "method_unmapped");
    assertRefusedBeforeTheServer(request(29, "notifications/progress", "{}"), "method_unmapped");
  }

  @Test
  void aOnceHopToken_isSpentByAMappedResourceRead_andNotUsableAgain() throws Exception {
    Map<String, String> once =
        edge.stack().credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));
    String read = request(25, "resources/read", "{\"uri\":\"" + STOCK + "\"}");

    HttpResponse<String> first = call(once, read);
    HttpResponse<String> again = call(once, read);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(first.body()).at("/result/contents/0/uri").asText()).isEqualTo(STOCK);
    assertThat(again.statusCode()).isEqualTo(401);
  }

  @Test
  void aMappedResourceRead_isDecidedAsItsStep() throws Exception {
    int before = edge.stack().upstream().hits();

    HttpResponse<String> response =
        call(
            edge.stack().credentials(EdgeStack.INVENTORY),
            request(26, "resources/read", "{\"uri\":\"" + STOCK + "\"}"));

    assertThat(response.statusCode()).isEqualTo(200);
    String chain = edge.stack().upstream().seen().get(before).headers().get("txn-chain");
    List<String> elements = List.of(chain.split("~"));
    assertThat(JWSObject.parse(elements.get(elements.size() - 1)).getPayload().toJSONObject())
        .containsEntry("step", EdgeStack.RESERVE);
  }

  @Test
  void sessionMethods_stillPassOnTheHopToken() throws Exception {
    for (String method : List.of("ping", "initialize", "tools/list")) {
      HttpResponse<String> response =
          call(edge.stack().credentials(EdgeStack.INVENTORY), request(27, method, "{}"));
      assertThat(response.statusCode()).as(method).isEqualTo(200);
      assertThat(JSON.readTree(response.body()).has("error") && isHopgates(response))
          .as(method)
          .isFalse();
    }
  }

  @Test
  void eachList_isCutToWhatTheChainCouldUse() throws Exception {
    Map<String, String> credentials = edge.stack().credentials(EdgeStack.INVENTORY);

    JsonNode resources =
        JSON.readTree(call(credentials, request(30, "resources/list", "{}")).body());
    JsonNode templates =
        JSON.readTree(call(credentials, request(31, "resources/templates/list", "{}")).body());
    JsonNode prompts = JSON.readTree(call(credentials, request(32, "prompts/list", "{}")).body());

    // The server lists two resources; the route maps one, whose step the chain may take.
    assertThat(resources.at("/result/resources")).hasSize(1);
    assertThat(resources.at("/result/resources/0/uri").asText()).isEqualTo(STOCK);
    // A route maps exact URIs only: no template leads to a read the chain could make.
    assertThat(templates.at("/result/resourceTemplates").isArray()).isTrue();
    assertThat(templates.at("/result/resourceTemplates")).isEmpty();
    // The route maps no prompt.
    assertThat(prompts.at("/result/prompts").isArray()).isTrue();
    assertThat(prompts.at("/result/prompts")).isEmpty();
  }

  private static boolean isHopgates(HttpResponse<String> response) throws IOException {
    return McpAnswers.problem(JSON.readTree(response.body())).isObject();
  }

  private static void assertRefusedBeforeTheServer(String body, String code) throws Exception {
    int before = edge.stack().upstream().hits();

    HttpResponse<String> response = call(edge.stack().credentials(EdgeStack.INVENTORY), body);

    assertThat(edge.stack().upstream().hits()).as("requests the MCP server saw").isEqualTo(before);
    JsonNode problem = McpAnswers.problem(JSON.readTree(response.body()));
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo(code);
    assertThat(problem.at("/violations/0/gate").asText()).isEqualTo("scope");
  }

  private static HttpResponse<String> call(Map<String, String> headers, String body)
      throws IOException {
    return edge.stack().post(edge.planner(), "/mcp", headers, body);
  }

  private static String request(int id, String method, String params) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\""
        + method
        + "\",\"params\":"
        + params
        + "}";
  }
}
