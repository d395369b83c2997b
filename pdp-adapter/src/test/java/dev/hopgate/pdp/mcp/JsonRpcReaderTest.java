package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonRpcReaderTest {
  @Test
  void read_toolCallNamesItsToolAndKeepsTheIdAsJson() throws Exception {
    JsonRpcCall call =
        JsonRpcReader.read(
            "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"reserve\",\"arguments\":{}}}",
            false);

    assertThat(call.isToolCall()).isTrue();
    assertThat(call.tool()).isEqualTo("reserve");
    assertThat(call.rawId()).isEqualTo("7");
  }

  @Test
  void read_aClientsResponseToAServerRequest_isSessionTraffic() throws Exception {
    JsonRpcCall call =
        JsonRpcReader.read(
            "{\"jsonrpc\":\"2.0\",\"id\":\"s-1\",\"result\":{\"role\":\"assistant\"}}", false);

    assertThat(call.isResponse()).isTrue();
    assertThat(call.rawId()).isEqualTo("\"s-1\"");
    assertThat(McpMethods.kindOf(call)).isEqualTo(McpMethods.Kind.SESSION);
    assertThat(McpMethods.mappable(JsonRpcCall.RESPONSE)).isFalse();
  }

  @Test
  void read_stringIdStaysAJsonString() throws Exception {
    assertThat(
            JsonRpcReader.read(
                    "{\"jsonrpc\":\"2.0\",\"id\":\"a-1\",\"method\":\"tools/list\"}", false)
                .rawId())
        .isEqualTo("\"a-1\"");
  }

  @Test
  void read_namesTheResourceOrPromptACallReadsOrRuns() throws Exception {
    JsonRpcCall read =
        JsonRpcReader.read(
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\",\"params\":{\"uri\":\"inv://a\"}}",
            false);
    JsonRpcCall prompt =
        JsonRpcReader.read(
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"prompts/get\",\"params\":{\"name\":\"p\"}}",
            false);

    assertThat(read.name()).isEqualTo("inv://a");
    assertThat(read.tool()).isNull();
    assertThat(prompt.name()).isEqualTo("p");
  }

  @Test
  void read_notificationHasNoId() throws Exception {
    JsonRpcCall call =
        JsonRpcReader.read("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", false);

    assertThat(call.isNotification()).isTrue();
    assertThat(call.isToolCall()).isFalse();
    assertThat(call.tool()).isNull();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      duplicate key in params     | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","name":"b"}} | duplicate_key
      duplicate top-level method  | {"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}                  | duplicate_key
      case-colliding name         | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a","Name":"b"}} | case_colliding_keys
      batch                       | [{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"a"}}]          | batch_unsupported
      not json                    | jsonrpc=2.0&method=tools/call                                                 | not_json
      truncated json              | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"na                    | not_json
      trailing content            | {"jsonrpc":"2.0","id":1,"method":"ping"} {"x":1}                                | not_json
      wrong version               | {"jsonrpc":"1.0","id":1,"method":"ping"}                                        | not_jsonrpc
      a request named as response | {"jsonrpc":"2.0","id":7,"method":"rpc.response","params":{"name":"x"}}          | not_jsonrpc
      a reserved rpc. method      | {"jsonrpc":"2.0","id":7,"method":"rpc.discover"}                                | not_jsonrpc
      a response with both        | {"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}           | not_jsonrpc
      a response without id       | {"jsonrpc":"2.0","result":{}}                                                   | not_jsonrpc
      a response, error no object | {"jsonrpc":"2.0","id":1,"error":"x"}                                            | not_jsonrpc
      a response with more        | {"jsonrpc":"2.0","id":1,"result":{},"params":{"name":"x"}}                      | not_jsonrpc
      fractional id               | {"jsonrpc":"2.0","id":1.5,"method":"ping"}                                      | not_jsonrpc
      object id                   | {"jsonrpc":"2.0","id":{},"method":"ping"}                                       | not_jsonrpc
      params as array             | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":["a"]}                   | not_jsonrpc
      tool call without id        | {"jsonrpc":"2.0","method":"tools/call","params":{"name":"a"}}                   | not_jsonrpc
      tool call without name      | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{}}                      | not_jsonrpc
      tool name not a string      | {"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":5}}              | not_jsonrpc
      a bare string               | "tools/call"                                                                    | not_jsonrpc
      resource read without uri   | {"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"name":"a"}}        | not_jsonrpc
      resource read notification  | {"jsonrpc":"2.0","method":"resources/read","params":{"uri":"a:b"}}              | not_jsonrpc
      prompt get without name     | {"jsonrpc":"2.0","id":1,"method":"prompts/get","params":{}}                     | not_jsonrpc
      """)
  void read_refusesWhatCouldBeReadTwoWays(String why, String body, String code) {
    assertThatThrownBy(() -> JsonRpcReader.read(body, false))
        .isInstanceOfSatisfying(JsonRpcRejection.class, r -> assertThat(r.code()).isEqualTo(code))
        .hasMessageNotContaining("Exception");
  }

  @Test
  void read_refusesATruncatedBodyEvenIfItParses() {
    assertThatThrownBy(
            () -> JsonRpcReader.read("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", true))
        .isInstanceOfSatisfying(
            JsonRpcRejection.class, r -> assertThat(r.code()).isEqualTo("body_truncated"));
  }

  @Test
  void read_refusesAMissingBodyAndSaysHowToForwardIt() {
    assertThatThrownBy(() -> JsonRpcReader.read("", false))
        .isInstanceOfSatisfying(
            JsonRpcRejection.class, r -> assertThat(r.code()).isEqualTo("body_missing"))
        .hasMessageContaining("with_request_body");
  }

  @Test
  void read_refusesDeepNestingWithoutOverflowingTheStack() {
    String deep =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":"
            + "[".repeat(100_000)
            + "]".repeat(100_000)
            + "}}";
    assertThatThrownBy(() -> JsonRpcReader.read(deep, false))
        .isInstanceOfSatisfying(
            JsonRpcRejection.class, r -> assertThat(r.code()).isEqualTo("not_jsonrpc"));
  }

  @Test
  void read_refusesABodyThatWasNotUtf8BeforeReadingIt() {
    assertThatThrownBy(
            () ->
                JsonRpcReader.read(
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", false, true))
        .isInstanceOfSatisfying(
            JsonRpcRejection.class,
            r -> {
              assertThat(r.code()).isEqualTo("not_utf8");
              assertThat(r.jsonRpcCode()).isEqualTo(-32700);
            });
  }

  @Test
  void read_refusesAnOverlongNumberNamingTheLimitNotTheContent() {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":" + "7".repeat(5_000) + ",\"method\":\"ping\"}";
    assertThatThrownBy(() -> JsonRpcReader.read(body, false))
        .isInstanceOfSatisfying(
            JsonRpcRejection.class, r -> assertThat(r.code()).isEqualTo("not_jsonrpc"))
        .hasMessageContaining("parser limit")
        .hasMessageNotContaining("7777");
  }

  @Test
  void rejection_mapsToJsonRpcsOwnCodes() {
    assertThatThrownBy(() -> JsonRpcReader.read("nope", false))
        .isInstanceOfSatisfying(
            JsonRpcRejection.class, r -> assertThat(r.jsonRpcCode()).isEqualTo(-32700));
    assertThatThrownBy(() -> JsonRpcReader.read("[]", false))
        .isInstanceOfSatisfying(
            JsonRpcRejection.class, r -> assertThat(r.jsonRpcCode()).isEqualTo(-32600));
  }
}
