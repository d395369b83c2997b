package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.pdp.request.HopRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class McpRevisionTest {
  private static final String MODERN = "2026-07-28";

  private static JsonRpcCall call(String method, String name, String version) {
    return new JsonRpcCall(method, "1", name, version, null);
  }

  private static HopRequest headers(String... pairs) {
    Map<String, String> headers = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      headers.put(pairs[i], pairs[i + 1]);
    }
    return new HopRequest(headers, Map.of(), "POST", "/mcp", null);
  }

  private static HopRequest modern(String method, String name) {
    return name == null
        ? headers("mcp-protocol-version", MODERN, "mcp-method", method)
        : headers("mcp-protocol-version", MODERN, "mcp-method", method, "mcp-name", name);
  }

  private static JsonRpcRejection refusal(HopRequest request, JsonRpcCall call) {
    try {
      McpRevision.of(request, call);
    } catch (JsonRpcRejection e) {
      return e;
    }
    throw new AssertionError("accepted");
  }

  @Test
  void aModernCallWhoseHeadersMirrorItsBody_speaks20260728() throws Exception {
    assertThat(
            McpRevision.of(modern("tools/call", "reserve"), call("tools/call", "reserve", MODERN)))
        .isEqualTo(McpRevision.R2026_07_28);
  }

  @Test
  void aLegacyCall_withoutHeaders_isTheFirstStreamableRevision_andOneAfterInitializeItsOwn()
      throws Exception {
    assertThat(McpRevision.of(headers(), call("initialize", null, null)))
        .isEqualTo(McpRevision.R2025_03_26);
    assertThat(
            McpRevision.of(
                headers("mcp-protocol-version", "2025-11-25"), call("tools/call", "x", null)))
        .isEqualTo(McpRevision.R2025_11_25);
  }

  @Test
  void aMethodHeaderThatIsNotTheBodys_isAHeaderMismatch() {
    JsonRpcRejection e = refusal(modern("tools/list", null), call("tools/call", "reserve", MODERN));

    assertThat(e.code()).isEqualTo("header_mismatch");
    assertThat(e.jsonRpcCode()).isEqualTo(-32020);
    assertThat(e.getMessage()).contains("Mcp-Method header says 'tools/list'");
  }

  @Test
  void aNameHeaderThatIsNotTheBodys_isRefusedInEveryRevision() {
    assertThat(
            refusal(modern("tools/call", "reserve"), call("tools/call", "drop_database", MODERN))
                .code())
        .isEqualTo("header_mismatch");
    // A 2025 client that sends the header anyway: whenever present, it must be the body's.
    assertThat(
            refusal(headers("mcp-name", "reserve"), call("tools/call", "drop_database", null))
                .getMessage())
        .contains("Mcp-Name header says 'reserve'");
    assertThat(refusal(headers("mcp-name", "x"), call("tools/list", null, null)).getMessage())
        .contains("names nothing");
  }

  @Test
  void aResourceReadIsNamedByItsUri_andAnEncodedNameIsDecodedFirst() throws Exception {
    String uri = "file:///résumé.txt";
    String encoded =
        "=?base64?"
            + Base64.getEncoder().encodeToString(uri.getBytes(StandardCharsets.UTF_8))
            + "?=";

    assertThat(
            McpRevision.of(modern("resources/read", encoded), call("resources/read", uri, MODERN)))
        .isEqualTo(McpRevision.R2026_07_28);
    assertThat(
            refusal(modern("resources/read", uri), call("resources/read", uri, MODERN))
                .getMessage())
        .contains("characters a plain value cannot");
    assertThat(
            refusal(modern("resources/read", "=?base64?***?="), call("resources/read", uri, MODERN))
                .code())
        .isEqualTo("header_mismatch");
  }

  @Test
  void aModernCallMissingAMirroredHeader_isAHeaderMismatch() {
    assertThat(
            refusal(
                    headers("mcp-protocol-version", MODERN, "mcp-method", "tools/call"),
                    call("tools/call", "reserve", MODERN))
                .getMessage())
        .contains("must carry the Mcp-Name header");
    assertThat(
            refusal(headers("mcp-protocol-version", MODERN), call("tools/list", null, MODERN))
                .getMessage())
        .contains("must carry the Mcp-Method header");
    assertThat(refusal(headers(), call("tools/list", null, MODERN)).getMessage())
        .contains("must carry the MCP-Protocol-Version header");
  }

  @Test
  void headerAndBodyVersionsThatDisagree_areAMismatch_andAMissingBodyVersionIsInvalidParams() {
    assertThat(
            refusal(headers("mcp-protocol-version", "2025-11-25"), call("tools/list", null, MODERN))
                .code())
        .isEqualTo("header_mismatch");
    JsonRpcRejection missing = refusal(modern("tools/list", null), call("tools/list", null, null));
    assertThat(missing.code()).isEqualTo("protocol_version_missing");
    assertThat(missing.jsonRpcCode()).isEqualTo(-32602);
  }

  @Test
  void anUnknownRevision_isUnsupportedAndSaysWhichAreSupported() {
    JsonRpcRejection e =
        refusal(headers("mcp-protocol-version", "1900-01-01"), call("tools/list", null, null));

    assertThat(e.code()).isEqualTo("protocol_version_unsupported");
    assertThat(e.jsonRpcCode()).isEqualTo(-32022);
    assertThat(e.details())
        .containsEntry("requested", "1900-01-01")
        .containsEntry("supported", McpRevision.SUPPORTED);
  }

  @Test
  void twoNameHeadersJoinedByEnvoy_areRefused_thoughTheJoinedValueIsTheBodysUri() {
    // Mcp-Name: file:///a and Mcp-Name: b reach hopgate as "file:///a,b"; a router reading the
    // first header would act on file:///a.
    JsonRpcRejection e =
        refusal(
            modern("resources/read", "file:///a,b"), call("resources/read", "file:///a,b", MODERN));

    assertThat(e.code()).isEqualTo("header_mismatch");
    assertThat(e.getMessage()).contains("appears twice");
  }

  @Test
  void anUnsupportedRevisionIsEchoedOnlyWhenItReadsAsOne() {
    JsonRpcRejection e = refusal(headers(), call("tools/list", null, "x".repeat(5000) + "\u0007"));

    assertThat(e.details()).containsEntry("requested", "(not a revision)");
    assertThat(e.getMessage()).hasSizeLessThan(400);
  }

  @Test
  void aModernNotification_needsNoMethodHeader() throws Exception {
    JsonRpcCall notification = new JsonRpcCall("notifications/cancelled", null, null, MODERN, null);

    assertThat(McpRevision.of(headers("mcp-protocol-version", MODERN), notification))
        .isEqualTo(McpRevision.R2026_07_28);
  }

  @Test
  void theReaderTakesTheRevisionAndTheEchoedContextFromMeta() throws Exception {
    JsonRpcCall read =
        JsonRpcReader.read(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"x\","
                + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
                + "\"io.modelcontextprotocol/authorization-context-id\":\"d-1\"}}}",
            false);

    assertThat(read.protocolVersion()).isEqualTo(MODERN);
    assertThat(read.contextId()).isEqualTo("d-1");
    assertThatThrownBy(
            () ->
                JsonRpcReader.read(
                    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{"
                        + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":20260728}}}",
                    false))
        .hasMessageContaining("must be a string");
  }
}
