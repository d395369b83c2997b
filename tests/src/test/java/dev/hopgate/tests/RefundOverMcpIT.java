package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.JWK;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import dev.hopgate.tests.harness.McpAnswers;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A planner working through the refund process (policies/processes/refund.process.yaml) through a
 * real Envoy: the case and the approval are plain HTTP hops whose completion records come back from
 * ext_proc, the refund is an MCP tool call. The planner does only what the denials' repairs say: a
 * too-early refund names the steps to complete first, a second refund on one approval names the
 * approval again (it was spent), an approval past its window likewise, and the fourth refund of the
 * txn is terminal (the budget is three).
 */
class RefundOverMcpIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> AUTHORITY =
      Set.of(EdgeStack.OPEN_CASE, EdgeStack.APPROVE_REFUND, EdgeStack.ISSUE_REFUND);

  @RegisterExtension static final EdgeStackExtension edge = EdgeStackExtension.of("");

  /** One txn as a planner holds it: the completion records it has collected so far. */
  private static final class Txn {
    final String id = "txn-" + UUID.randomUUID();
    final List<String> completions = new ArrayList<>();

    Map<String, String> headers(String component) {
      Map<String, String> headers =
          new LinkedHashMap<>(
              edge.stack().credentials(component, "refund.process.yaml", id, AUTHORITY, c -> c));
      if (!completions.isEmpty()) {
        headers.put(WireTypes.TXN_COMPLETIONS, String.join("~", completions));
      }
      return headers;
    }

    /** Runs a plain HTTP step and keeps its completion record. */
    void complete(String step) throws IOException {
      String path =
          step.equals(EdgeStack.OPEN_CASE) ? "/support/open-case" : "/approvals/approve-refund";
      String component = step.equals(EdgeStack.OPEN_CASE) ? EdgeStack.SUPPORT : EdgeStack.APPROVALS;
      HttpResponse<String> response = edge.stack().get(edge.planner(), path, headers(component));
      assertThat(response.statusCode()).as("%s: %s", step, response.body()).isEqualTo(200);
      completions.add(response.headers().firstValue("txn-completion").orElseThrow());
    }

    JsonNode refund(int id) throws IOException {
      HttpResponse<String> response =
          edge.stack()
              .post(
                  edge.planner(),
                  "/refunds/mcp",
                  headers(EdgeStack.REFUNDS),
                  "{\"jsonrpc\":\"2.0\",\"id\":"
                      + id
                      + ",\"method\":\"tools/call\",\"params\":{\"name\":\"issue_refund\"}}");
      assertThat(response.statusCode())
          .as("MCP answers are HTTP 200: %s", response.body())
          .isEqualTo(200);
      return JSON.readTree(response.body());
    }

    /** Does what the denial's remediation hints say; true if there was something to do. */
    boolean follow(JsonNode denial) throws IOException {
      boolean followed = false;
      for (JsonNode hint : McpAnswers.envelope(denial).path("remediationHints")) {
        if (hint.path("type").asText().equals("dev.hopgate/complete_steps")) {
          for (JsonNode step : hint.path("steps")) {
            complete(step.asText());
          }
          followed = true;
        }
      }
      return followed;
    }
  }

  @Test
  void aPlannerFollowingTheRepairs_getsThreeRefundsOnThreeApprovals_thenTheBudgetIsSpent()
      throws Exception {
    Txn txn = new Txn();

    JsonNode tooEarly = txn.refund(1);
    assertThat(McpAnswers.violation(tooEarly)).isEqualTo("sequence/missing_prerequisites");
    assertThat(McpAnswers.envelope(tooEarly).at("/remediationHints/0/steps").toString())
        .isEqualTo("[\"" + EdgeStack.OPEN_CASE + "\",\"" + EdgeStack.APPROVE_REFUND + "\"]");
    assertThat(txn.follow(tooEarly)).isTrue();
    assertThat(txn.refund(2).at("/result/content/0/text").asText()).isEqualTo("ran issue_refund");

    JsonNode again = txn.refund(3);
    assertThat(McpAnswers.violation(again)).isEqualTo("sequence/consumed");
    assertThat(McpAnswers.problem(again).at("/violations/0/consumed/0").asText())
        .isEqualTo(EdgeStack.APPROVE_REFUND);
    assertThat(McpAnswers.envelope(again).at("/remediationHints/0/steps").toString())
        .isEqualTo("[\"" + EdgeStack.APPROVE_REFUND + "\"]");

    for (int refund = 2; refund <= 3; refund++) {
      assertThat(txn.follow(refund == 2 ? again : txn.refund(10 + refund))).isTrue();
      assertThat(McpAnswers.succeeded(txn.refund(20 + refund))).as("refund %d", refund).isTrue();
    }
    // The third approval is spent too, but approving again would not help: the repair says so.
    JsonNode spent = txn.refund(30);
    assertThat(McpAnswers.violation(spent)).isEqualTo("sequence/budget_exhausted");
    assertThat(McpAnswers.problem(spent).at("/violations/0/max").asInt()).isEqualTo(3);
    assertThat(McpAnswers.envelope(spent).path("remediation").asText()).isEqualTo("unavailable");
    assertThat(McpAnswers.envelope(spent).has("remediationHints")).isFalse();
    assertThat(McpAnswers.problem(spent).at("/violations/1/code").asText()).isEqualTo("consumed");
    assertThat(txn.follow(spent)).isFalse();
    txn.complete(EdgeStack.APPROVE_REFUND);
    assertThat(McpAnswers.violation(txn.refund(31))).isEqualTo("sequence/budget_exhausted");
  }

  @Test
  void anApprovalAtAComponentTheProcessDoesNotBind_isRefused_andSpendsNothing() throws Exception {
    Txn txn = new Txn();
    txn.complete(EdgeStack.OPEN_CASE);
    int before = edge.stack().upstream().hits();

    HttpResponse<String> response =
        edge.stack()
            .get(edge.planner(), "/backoffice/approve-refund", txn.headers(EdgeStack.BACKOFFICE));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
    JsonNode problem = JSON.readTree(response.body());
    assertThat(problem.at("/violations/0/gate").asText()).isEqualTo("scope");
    assertThat(problem.at("/violations/0/code").asText()).isEqualTo("bound_to_another_component");
    assertThat(problem.at("/violations/0/component").asText()).isEqualTo(EdgeStack.APPROVALS);
    assertThat(problem.at("/repair/0/components/0").asText()).isEqualTo(EdgeStack.APPROVALS);
    // The same approval at the component the process binds is still there to be given.
    txn.complete(EdgeStack.APPROVE_REFUND);
    assertThat(txn.refund(41).at("/result/content/0/text").asText()).isEqualTo("ran issue_refund");
  }

  @Test
  void anApprovalPastItsWindow_isRefused_andApprovingAgainUnlocksTheRefund() throws Exception {
    Txn txn = new Txn();
    txn.complete(EdgeStack.OPEN_CASE);
    // An approval this edge's hopgate recorded 16 minutes ago (the window is 15).
    JwsSigning hopgate =
        JwsSigning.of(JWK.parse(Files.readString(edge.dir().resolve("hopgate.private.jwk.json"))));
    Instant then = Instant.now().minus(Duration.ofMinutes(16));
    txn.completions.add(
        hopgate.sign(
            WireTypes.COMPLETION,
            Minting.completion(
                EdgeStack.ENFORCEMENT_POINT,
                txn.id,
                EdgeStack.APPROVE_REFUND,
                EdgeStack.APPROVALS,
                "decision-" + UUID.randomUUID(),
                then,
                Instant.now().plus(Duration.ofMinutes(10)))));

    JsonNode late = txn.refund(1);
    assertThat(McpAnswers.violation(late)).isEqualTo("sequence/expired_prerequisites");
    assertThat(McpAnswers.problem(late).at("/detail").asText()).contains("within their window");
    assertThat(txn.follow(late)).isTrue();
    assertThat(McpAnswers.succeeded(txn.refund(2))).isTrue();
  }
}
