package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.problem.Problem;
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
    assertThat(response.at("/error/data/authorization/reason").asText())
        .isEqualTo("sequence/prerequisites_missing");
    assertThat(response.at("/error/data/authorization/authorizationContextId").asText())
        .isEqualTo("d-1");
    assertThat(response.at("/error/data/authorization/remediationHints/0/steps/0").asText())
        .isEqualTo("a");
    assertThat(response.at("/error/data/problem/type").asText())
        .isEqualTo("urn:hopgate:problem:sequence");
    assertThat(response.at("/error/data/problem/repair/0/action").asText())
        .isEqualTo("complete_prerequisites");
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
