package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ToolListFilterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LIST =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":["
          + "{\"name\":\"reserve_stock\",\"inputSchema\":{}},{\"name\":\"drop_database\"},{\"name\":\"list_orders\"}],"
          + "\"nextCursor\":\"c\"}}";

  @Test
  void json_keepsOnlyVisibleToolsAndEverythingElse() throws Exception {
    String out =
        ToolListFilter.filter(LIST, "application/json", "1", Set.of("reserve_stock")).orElseThrow();

    var tree = JSON.readTree(out);
    assertThat(tree.at("/result/tools")).hasSize(1);
    assertThat(tree.at("/result/tools/0/name").asText()).isEqualTo("reserve_stock");
    assertThat(tree.at("/result/tools/0/inputSchema").isObject()).isTrue();
    assertThat(tree.at("/result/nextCursor").asText()).isEqualTo("c");
  }

  @Test
  void sse_rewritesOnlyTheEventAnsweringThisId() throws Exception {
    String stream =
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}\n\n"
            + "event: message\nid: 9\ndata: "
            + LIST
            + "\n\n";

    String out =
        ToolListFilter.filter(stream, "text/event-stream", "1", Set.of("list_orders"))
            .orElseThrow();

    assertThat(out)
        .startsWith(
            "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/x\"}\n\n"
                + "event: message\nid: 9\ndata: ")
        .endsWith("\n\n")
        .doesNotContain("drop_database")
        .contains("list_orders");
    assertThat(JsonRpcOutcome.sseData(out)).hasSize(2);
  }

  @Test
  void unreadableOrOtherResponsesAreLeftAlone() {
    assertThat(ToolListFilter.filter(LIST, "application/json", "2", Set.of())).isEmpty();
    assertThat(
            ToolListFilter.filter(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}", "application/json", "1", Set.of()))
        .isEmpty();
    assertThat(ToolListFilter.filter("{\"jsonrpc\":", "application/json", "1", Set.of())).isEmpty();
  }
}
