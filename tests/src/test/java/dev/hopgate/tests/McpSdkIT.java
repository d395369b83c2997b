package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.testing.Eventually;
import dev.hopgate.testing.TestPki;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import dev.hopgate.tests.harness.ManagedProcess;
import dev.hopgate.tests.harness.McpSdk;
import dev.hopgate.tests.harness.Ports;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * hopgate driven by a real MCP client against a real MCP server, both the official SDK (PyPI mcp
 * 2.3.0), through a real Envoy, on both revisions: 2026-07-28 (stateless, found by {@code
 * server/discover}, every request mirroring its method and name in headers) and 2025-11-25 (an
 * {@code initialize}d session). A planner calls a refund too early, reads hopgate's denial as the
 * SDK hands it over (a tool error carrying SEP-2643's envelope), completes the steps the envelope's
 * hints name through two other components' MCP routes, and retries to success, echoing the denial's
 * authorizationContextId; then a call whose Mcp-Name header disagrees with its body is refused with
 * -32020.
 */
class McpSdkIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> AUTHORITY =
      Set.of(EdgeStack.OPEN_CASE, EdgeStack.APPROVE_REFUND, EdgeStack.ISSUE_REFUND);

  private static ManagedProcess server;

  @RegisterExtension
  static final EdgeStackExtension edge =
      EdgeStackExtension.starting(
          dir -> {
            int port = Ports.free();
            server = McpSdk.server(dir, port);
            return EdgeStack.startWithUpstream(dir, port);
          });

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private JsonNode plan(String mode) throws Exception {
    String txn = "txn-" + UUID.randomUUID();
    ObjectNode scenario = JSON.createObjectNode();
    scenario.put("base", "https://localhost:" + edge.stack().listenerPort());
    TestPki.Identity planner = edge.stack().pki().workload("planner-sdk", EdgeStack.PLANNER);
    scenario.put("ca", edge.stack().pki().caPem().toString());
    scenario.put("cert", planner.certFile().toString());
    scenario.put("key", planner.keyFile().toString());
    scenario.put("mode", mode);
    scenario.put("completions_header", WireTypes.TXN_COMPLETIONS);
    ObjectNode endpoints = scenario.putObject("endpoints");
    String txnToken = null;
    for (String[] e :
        List.of(
            new String[] {"refunds", "/refunds/mcp", EdgeStack.REFUNDS},
            new String[] {"support", "/support/mcp", EdgeStack.SUPPORT},
            new String[] {"approvals", "/approvals/mcp", EdgeStack.APPROVALS})) {
      Map<String, String> credentials =
          edge.stack().credentials(e[2], "refund.process.yaml", txn, AUTHORITY, c -> c);
      txnToken = txnToken == null ? credentials.get("Txn-Token") : txnToken;
      endpoints
          .putObject(e[0])
          .put("path", e[1])
          .put("authorization", credentials.get("Authorization"));
    }
    scenario.put("txn_token", txnToken);
    ObjectNode steps = scenario.putObject("steps");
    steps.putObject(EdgeStack.OPEN_CASE).put("endpoint", "support").put("tool", "open_case");
    steps
        .putObject(EdgeStack.APPROVE_REFUND)
        .put("endpoint", "approvals")
        .put("tool", "approve_refund");
    scenario.putObject("goal").put("endpoint", "refunds").put("tool", "issue_refund");
    return JSON.readTree(McpSdk.plan(edge.dir(), JSON.writeValueAsString(scenario)));
  }

  @Test
  void revision20260728_aPlannerOnTheSdkFollowsTheDenialsHintsToSuccess() throws Exception {
    JsonNode run = plan("auto");

    assertThat(run.path("protocol_version").asText())
        .as("server/discover passed hopgate, so the SDK chose the stateless revision")
        .isEqualTo("2026-07-28");
    assertFollowedToSuccess(run);
    // Every request mirrored its method in Mcp-Method, and none carried a session.
    for (JsonNode request : run.path("requests")) {
      if (request.path("method").asText().equals("POST")) {
        assertThat(request.path("mcp_method").isTextual()).as(request.toString()).isTrue();
      }
      assertThat(request.path("session").isNull()).as(request.toString()).isTrue();
    }
    assertThat(run.at("/mismatch/code").asInt()).isEqualTo(-32020);
    assertThat(run.at("/mismatch/message").asText())
        .as("refused by hopgate, before the server could check it")
        .startsWith("Header mismatch: the Mcp-Name header says 'drop_database'");
  }

  @Test
  void revision20251125_theSessionSurvivesTheDenialAndCarriesTheRetry() throws Exception {
    JsonNode run = plan("legacy");

    assertThat(run.path("protocol_version").asText()).isEqualTo("2025-11-25");
    assertFollowedToSuccess(run);
    // The refund endpoint's session: one id, from the denied call to the retry and beyond.
    List<String> sessions = new ArrayList<>();
    for (JsonNode request : run.path("requests")) {
      if (request.path("endpoint").asText().equals("refunds")
          && request.path("session").isTextual()) {
        sessions.add(request.path("session").asText());
      }
    }
    assertThat(sessions).hasSizeGreaterThan(2);
    assertThat(Set.copyOf(sessions)).hasSize(1);
    // A 2025 client sends no Mcp-Name, but one that does must send the body's.
    assertThat(run.at("/mismatch/code").asInt()).isEqualTo(-32020);
    assertThat(run.at("/after_mismatch/text").asText())
        .as("the session still answers")
        .isNotEmpty();
  }

  private void assertFollowedToSuccess(JsonNode run) throws Exception {
    JsonNode denied = run.path("denied");
    assertThat(denied.path("is_error").asBoolean()).as(run.toString()).isTrue();
    JsonNode envelope = denied.path("envelope");
    assertThat(envelope.path("reason").asText()).isEqualTo("insufficient_authorization");
    assertThat(envelope.path("remediation").asText()).isEqualTo("available");
    assertThat(envelope.at("/remediationHints/0/type").asText())
        .isEqualTo("dev.hopgate/complete_steps");
    assertThat(denied.at("/problem/violations/0/code").asText()).isEqualTo("missing_prerequisites");
    assertThat(run.path("followed").toString())
        .isEqualTo("[\"" + EdgeStack.OPEN_CASE + "\",\"" + EdgeStack.APPROVE_REFUND + "\"]");
    for (JsonNode step : run.path("steps")) {
      assertThat(step.path("is_error").asBoolean()).as(step.toString()).isFalse();
    }
    JsonNode retried = run.path("retried");
    assertThat(retried.path("is_error").asBoolean()).as(retried.toString()).isFalse();
    assertThat(retried.path("text").asText()).contains("ran issue_refund");
    // The retry's decision names the denial it repairs (correlation only: it was decided afresh).
    String denial = envelope.path("authorizationContextId").asText();
    Eventually.until(
        "the decision log links a retry to " + denial,
        () ->
            Files.readString(edge.stack().decisionLog())
                .contains("\"retry_of\":\"" + denial + "\""));
  }
}
