package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonRpcOutcomeTest {
  private static final String OK = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[]}}";

  @Test
  void jsonResultWithTheRequestsIdSucceeded() {
    assertThat(JsonRpcOutcome.toolCallSucceeded(OK, "application/json", "7")).isTrue();
  }

  @Test
  void toolErrorsProtocolErrorsAndOtherIdsDidNot() {
    assertThat(
            JsonRpcOutcome.toolCallSucceeded(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"isError\":true,\"content\":[]}}",
                "application/json",
                "7"))
        .isFalse();
    assertThat(
            JsonRpcOutcome.toolCallSucceeded(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":-32602,\"message\":\"x\"}}",
                "application/json",
                "7"))
        .isFalse();
    assertThat(JsonRpcOutcome.toolCallSucceeded(OK, "application/json", "8")).isFalse();
    assertThat(JsonRpcOutcome.toolCallSucceeded(OK, "application/json", "\"7\""))
        .as("a string id is another id")
        .isFalse();
    assertThat(
            JsonRpcOutcome.toolCallSucceeded(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"res", "application/json", "7"))
        .as("truncated")
        .isFalse();
    assertThat(JsonRpcOutcome.toolCallSucceeded("", "application/json", "7")).isFalse();
  }

  @Test
  void sseStreamIsReadEventByEventUntilTheResponseToThisId() {
    String stream =
        "event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n"
            + "id: 2\ndata: {\"jsonrpc\":\"2.0\",\"id\":\"c-1\",\n"
            + "data: \"result\":{\"content\":[]}}\n\n";

    assertThat(
            JsonRpcOutcome.toolCallSucceeded(stream, "text/event-stream; charset=utf-8", "\"c-1\""))
        .isTrue();
  }

  @Test
  void anSseEventCutOffBeforeItsEndDoesNotCount() {
    String stream = "data: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}";
    assertThat(JsonRpcOutcome.toolCallSucceeded(stream, "text/event-stream", "1")).isFalse();
    assertThat(JsonRpcOutcome.toolCallSucceeded(stream + "\n\n", "text/event-stream", "1"))
        .isTrue();
  }
}
