package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * hopgate decides on the bytes the MCP server receives. Sent as text, Envoy replaces bytes that are
 * not UTF-8 with U+FFFD, so {@code "name\xff"} became a second, different key to hopgate while a
 * server that drops invalid bytes reads {@code "name"} twice, and the last one wins there.
 */
class McpBytesIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final EdgeStackExtension edge = EdgeStackExtension.of("");

  /** An Envoy that sends bodies as text, as route-level body settings do. */
  @RegisterExtension
  static final EdgeStackExtension textBodies =
      EdgeStackExtension.starting(
          dir ->
              EdgeStack.start(
                  dir, "", EdgeStack.Callers.DEFAULT, EdgeStack.Wiring.MTLS_TEXT_BODIES));

  /** {@code {"name":"reserve_stock","name\xff":"drop_database"}} as a tools/call. */
  private static byte[] twoNames() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] head =
        "{\"jsonrpc\":\"2.0\",\"id\":31,\"method\":\"tools/call\",\"params\":{\"name\":\"reserve_stock\",\"name"
            .getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\":\"drop_database\",\"arguments\":{}}}".getBytes(StandardCharsets.UTF_8);
    out.writeBytes(head);
    out.write(0xff);
    out.writeBytes(tail);
    return out.toByteArray();
  }

  @Test
  void aKeyWithAnInvalidByte_isRefusedAsNotUtf8_beforeTheServer() throws Exception {
    int before = edge.stack().upstream().hits();

    HttpResponse<String> response =
        edge.stack()
            .post(
                edge.planner(), "/mcp", edge.stack().credentials(EdgeStack.INVENTORY), twoNames());

    assertThat(edge.stack().upstream().hits()).as("requests the MCP server saw").isEqualTo(before);
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode problem = JSON.readTree(response.body()).at("/error/data/problem");
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("not_utf8");
  }

  @Test
  void aBodyInAnotherCharset_isRefused_forTheServerWouldDecodeOtherCharacters() throws Exception {
    // ASCII, valid UTF-8, one "name" to hopgate; in UTF-7 ("+ACI-" is a quote) a second "name"
    // appears, and a server decoding by the request's charset runs drop_database.
    String body =
        "{\"jsonrpc\":\"2.0\",\"id\":33,\"method\":\"tools/call\",\"params\":{\"name\":\"reserve_stock\","
            + "\"x\":\"+ACI-,+ACI-name+ACI-:+ACI-drop_database\"}}";
    int before = edge.stack().upstream().hits();

    HttpResponse<String> response =
        edge.stack()
            .post(
                edge.planner(),
                "/mcp",
                edge.stack().credentials(EdgeStack.INVENTORY),
                body.getBytes(StandardCharsets.US_ASCII),
                "application/json; charset=utf-7");

    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).at("/error/data/problem/violations/0/code").asText())
        .isEqualTo("media_type_unsupported");
  }

  @Test
  void anMcpBodyArrivingAsText_failsClosed_namingTheEnvoySetting() throws Exception {
    int before = textBodies.stack().upstream().hits();

    HttpResponse<String> response =
        textBodies
            .stack()
            .post(
                textBodies.planner(),
                "/mcp",
                textBodies.stack().credentials(EdgeStack.INVENTORY),
                "{\"jsonrpc\":\"2.0\",\"id\":32,\"method\":\"tools/call\",\"params\":{\"name\":\"reserve_stock\"}}");

    assertThat(textBodies.stack().upstream().hits()).isEqualTo(before);
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode problem = JSON.readTree(response.body()).at("/error/data/problem");
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("body_not_bytes");
    assertThat(problem.at("/detail").asText()).contains("pack_as_bytes");
  }
}
