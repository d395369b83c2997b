package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ListFilterTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String LIST =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":["
          + "{\"name\":\"reserve_stock\",\"inputSchema\":{}},{\"name\":\"drop_database\"},{\"name\":\"list_orders\"}],"
          + "\"nextCursor\":\"c\"}}";

  private static ListFilter.Kept tools(String... names) {
    return new ListFilter.Kept(McpListing.TOOLS, Set.of(names));
  }

  @Test
  void eachListIsCutByWhatNamesItsEntries_andAnUnverifiedListingKeepsNothing() throws Exception {
    String resources =
        "{\"jsonrpc\":\"2.0\",\"id\":\"r\",\"result\":{\"resources\":["
            + "{\"uri\":\"inventory://stock/sku-1\",\"name\":\"sku-1\"},"
            + "{\"uri\":\"inventory://stock/sku-2\",\"name\":\"inventory://stock/sku-1\"}]}}";
    String out =
        ListFilter.filter(
                resources,
                "application/json",
                new ListFilter.Kept(McpListing.RESOURCES, Set.of("inventory://stock/sku-1")))
            .orElseThrow();
    assertThat(JSON.readTree(out).at("/result/resources")).hasSize(1);
    assertThat(JSON.readTree(out).at("/result/resources/0/uri").asText())
        .isEqualTo("inventory://stock/sku-1");
    // Another list's kept set keeps nothing of this one, nor does an unverified listing.
    assertThat(
            JSON.readTree(
                    ListFilter.filter(resources, "application/json", tools("sku-1")).orElseThrow())
                .at("/result/resources"))
        .isEmpty();
    assertThat(
            JSON.readTree(ListFilter.filter(resources, "application/json", null).orElseThrow())
                .at("/result/resources"))
        .isEmpty();
    ListFilter.Kept kept = new ListFilter.Kept(McpListing.PROMPTS, Set.of("a,b", "c"));
    assertThat(ListFilter.Kept.decode(kept.encoded())).contains(kept);
    assertThat(ListFilter.Kept.decode("a,b")).isEmpty();
  }

  @Test
  void json_keepsOnlyVisibleToolsAndEverythingElse() throws Exception {
    String out = ListFilter.filter(LIST, "application/json", tools("reserve_stock")).orElseThrow();

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

    String out = ListFilter.filter(stream, "text/event-stream", tools("list_orders")).orElseThrow();

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
  void aListUnderAnotherSpellingOfTheId_isCutAllTheSame() throws Exception {
    String quoted = LIST.replace("\"id\":1", "\"id\":\"1\"");

    String out = ListFilter.filter(quoted, "application/json", tools("list_orders")).orElseThrow();

    assertThat(JSON.readTree(out).at("/result/tools")).hasSize(1);
  }

  @Test
  void unreadableOrOtherResponsesAreLeftAlone() {
    assertThat(
            ListFilter.filter(
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{}}", "application/json", tools()))
        .isEmpty();
    assertThat(ListFilter.filter("{\"jsonrpc\":", "application/json", tools())).isEmpty();
  }
}
