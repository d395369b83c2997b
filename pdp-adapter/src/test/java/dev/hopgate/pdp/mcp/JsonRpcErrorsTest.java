package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.Problems;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonRpcErrorsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Problem PROBLEM =
      new Problem(
          "urn:hopgate:problem:sequence",
          "Prerequisite steps not completed",
          403,
          "Step x needs a first.",
          "d-1",
          "txn-1",
          List.of(Map.of("gate", "sequence", "code", "prerequisites_missing")),
          List.of(Map.of("action", "complete_prerequisites", "steps", List.of("a"))));

  @Test
  void write_carriesTheSameIdTheEnvelopeAndTheWholeProblem() throws Exception {
    JsonNode response = JSON.readTree(JsonRpcErrors.write("\"req-9\"", -32003, PROBLEM));

    assertThat(response.get("jsonrpc").asText()).isEqualTo("2.0");
    assertThat(response.get("id").isTextual()).isTrue();
    assertThat(response.get("id").asText()).isEqualTo("req-9");
    assertThat(response.has("result")).isFalse();
    assertThat(response.at("/error/code").asInt()).isEqualTo(-32003);
    assertThat(response.at("/error/message").asText())
        .isEqualTo("Prerequisite steps not completed");
    JsonNode envelope = response.at("/error/data/authorization");
    assertThat(envelope.get("reason").asText()).isEqualTo("insufficient_authorization");
    assertThat(envelope.get("remediation").asText()).isEqualTo("available");
    assertThat(envelope.get("authorizationContextId").asText()).isEqualTo("d-1");
    assertThat(envelope.at("/remediationHints/0/type").asText())
        .isEqualTo("dev.hopgate/complete_prerequisites");
    assertThat(envelope.at("/remediationHints/0/steps/0").asText()).isEqualTo("a");
    assertThat(envelope.at("/remediationHints/0").has("action")).isFalse();
    assertThat(response.at("/error/data/problem/type").asText())
        .isEqualTo("urn:hopgate:problem:sequence");
    assertThat(response.at("/error/data/problem/repair/0/action").asText())
        .isEqualTo("complete_prerequisites");
  }

  @Test
  void toolResult_isAToolErrorWithTheEnvelopeInItsMeta() throws Exception {
    JsonNode response = JSON.readTree(JsonRpcErrors.toolResult("7", PROBLEM));

    assertThat(response.has("error")).isFalse();
    assertThat(response.get("id").asInt()).isEqualTo(7);
    assertThat(response.at("/result/isError").asBoolean()).isTrue();
    assertThat(response.at("/result/resultType").asText()).isEqualTo("complete");
    assertThat(response.at("/result/content/0/text").asText())
        .isEqualTo("Prerequisite steps not completed: Step x needs a first.");
    JsonNode meta = response.at("/result/_meta");
    assertThat(meta.at("/io.modelcontextprotocol~1authorization/reason").asText())
        .isEqualTo("insufficient_authorization");
    assertThat(meta.at("/io.modelcontextprotocol~1authorization/remediationHints/0/type").asText())
        .isEqualTo("dev.hopgate/complete_prerequisites");
    assertThat(meta.at("/dev.hopgate~1problem/decision_id").asText()).isEqualTo("d-1");
  }

  @Test
  void envelope_nothingToDoIsUnavailable_undisclosedSaysSo_andANewTokenReplacesTheOld() {
    Map<String, Object> none =
        AuthorizationDenial.envelope(repairing(List.of(Map.of("action", "none"))));
    Map<String, Object> undisclosed =
        AuthorizationDenial.envelope(DisclosureLevel.UNDISCLOSED.apply(PROBLEM));
    Map<String, Object> refresh =
        AuthorizationDenial.envelope(
            repairing(List.of(Map.of("action", "refresh_token", "issuer", "https://t"))));

    assertThat(none)
        .containsEntry("remediation", "unavailable")
        .doesNotContainKey("remediationHints");
    assertThat(undisclosed)
        .containsEntry("remediation", "undisclosed")
        .containsEntry("authorizationContextId", "d-1")
        .doesNotContainKey("remediationHints");
    assertThat(refresh.get("remediationHints"))
        .isEqualTo(
            List.of(
                Map.of(
                    "type",
                    "dev.hopgate/refresh_token",
                    "issuer",
                    "https://t",
                    "credentialDisposition",
                    "replacement")));
  }

  @Test
  void write_unsupportedRevisionListsWhatHopgateDecides_andNoEnvelope() throws Exception {
    Problem problem =
        Problems.badRequest(
            "d-2",
            new Violation(
                Gate.REQUEST,
                "protocol_version_unsupported",
                Map.of("requested", "1900-01-01", "supported", McpRevision.SUPPORTED)),
            "unsupported");
    JsonNode response = JSON.readTree(JsonRpcErrors.write("1", -32022, problem));

    assertThat(response.at("/error/data/requested").asText()).isEqualTo("1900-01-01");
    assertThat(response.at("/error/data/supported/0").asText()).isEqualTo("2026-07-28");
    assertThat(response.at("/error/data").has("authorization")).isFalse();
  }

  private static Problem repairing(List<Map<String, Object>> repair) {
    return new Problem(
        PROBLEM.type(),
        PROBLEM.title(),
        403,
        PROBLEM.detail(),
        "d-1",
        "txn-1",
        PROBLEM.violations(),
        repair);
  }

  @Test
  void write_numericIdStaysANumberAndAnUnreadIdIsNull() throws Exception {
    assertThat(
            JSON.readTree(JsonRpcErrors.write("42", -32003, PROBLEM)).get("id").isIntegralNumber())
        .isTrue();
    assertThat(JSON.readTree(JsonRpcErrors.write(null, -32600, PROBLEM)).get("id").isNull())
        .isTrue();
  }
}
