package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.testing.TestPki;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import dev.hopgate.tests.harness.EnvoyProcess;
import dev.hopgate.tests.harness.ManagedProcess;
import dev.hopgate.tests.harness.McpSdk;
import dev.hopgate.tests.harness.Ports;
import dev.hopgate.tests.harness.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The MCP conformance suite (npm @modelcontextprotocol/conformance 0.1.16, its server scenarios)
 * against a server built with the official SDK that implements its fixtures, run twice: directly,
 * and through a client-side Envoy (which attaches the txn's credentials the suite cannot), the edge
 * Envoy and hopgate, where every fixture is mapped to an allowed step. The same scenarios must pass
 * both ways, but for the differences listed here with their reason; the report
 * (tests/target/mcp-conformance.md) lists each scenario and both results. The client connects by
 * the name localhost, as the suite's DNS rebinding scenario requires of the Host it sends.
 */
class McpConformanceIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Scenarios that pass directly and not through hopgate, and why (docs/mcp.md). */
  private static final Map<String, String> DIFFERENCES = Map.of();

  private static ManagedProcess server;
  private static int serverPort;

  @RegisterExtension
  static final EdgeStackExtension edge =
      EdgeStackExtension.starting(
          dir -> {
            serverPort = Ports.free();
            server = McpSdk.conformanceServer(dir, serverPort);
            return EdgeStack.startWithUpstream(dir, serverPort);
          });

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theSuitesScenariosPassAlikeDirectlyAndThroughEnvoyAndHopgate() throws Exception {
    Path dir = edge.dir();
    Map<String, String> credentials =
        edge.stack()
            .credentials(
                EdgeStack.INVENTORY,
                null,
                "txn-" + UUID.randomUUID(),
                Set.of(EdgeStack.RESERVE),
                c -> c);
    TestPki.Identity planner =
        edge.stack().pki().workload("planner-conformance", EdgeStack.PLANNER);
    int clientPort = Ports.free();
    Path clientDir = Files.createDirectories(dir.resolve("client-envoy"));
    try (EnvoyProcess client =
        EnvoyProcess.start(
            "/envoy/client-credentials.yaml",
            Map.of(
                "LISTENER_PORT", Integer.toString(clientPort),
                "EDGE_PORT", Integer.toString(edge.stack().listenerPort()),
                "EDGE_PATH", "/conformance/mcp",
                "TXN_TOKEN", credentials.get("Txn-Token"),
                "HOP_TOKEN", credentials.get("Authorization").substring("Bearer ".length()),
                "CLIENT_CERT", planner.certFile().toString(),
                "CLIENT_KEY", planner.keyFile().toString(),
                "CA_CERT", edge.stack().pki().caPem().toString()),
            clientDir)) {
      McpSdk.conformance("http://127.0.0.1:" + serverPort + "/mcp", dir.resolve("direct"));
      McpSdk.conformance("http://localhost:" + clientPort + "/mcp", dir.resolve("through"));
    }
    Map<String, Result> direct = results(dir.resolve("direct"));
    Map<String, Result> through = results(dir.resolve("through"));
    Map<String, String> revisions = McpSdk.conformanceScenarios(dir);
    // The report says so; a suite that adds 2026-07-28 scenarios must be read again.
    assertThat(revisions.values()).noneMatch(r -> r.contains("2026-07-28"));
    String report = report(direct, through, revisions);
    // Kept in the build's output, where a reader of a CI run finds it.
    Files.writeString(Tools.repo().resolve("tests/target/mcp-conformance.md"), report);
    System.out.println(report);

    assertThat(direct).as("scenarios run directly").hasSizeGreaterThanOrEqualTo(30);
    assertThat(direct.values())
        .as("the fixtures pass every scenario directly:\n" + report)
        .allMatch(Result::passed);
    assertThat(through.keySet()).isEqualTo(direct.keySet());
    Map<String, Result> differing = new TreeMap<>();
    direct.forEach(
        (scenario, result) -> {
          if (result.passed() != through.get(scenario).passed()) {
            differing.put(scenario, through.get(scenario));
          }
        });
    assertThat(differing.keySet()).as(report).isEqualTo(DIFFERENCES.keySet());
    assertThat(report)
        .as("each scenario's revisions, from the suite's own list")
        .doesNotContain("| ? |");
    // The second run went through hopgate: it decided every request of it on the conformance route.
    long decided =
        Files.readAllLines(edge.stack().decisionLog()).stream()
            .filter(line -> line.contains("\"route\":\"conformance-mcp\""))
            .filter(line -> line.contains("\"outcome\":\"ALLOW\""))
            .count();
    assertThat(decided).as("ALLOWs on route conformance-mcp").isGreaterThan(60);
  }

  /** One scenario's result: passed when none of its checks is a FAILURE, else the first one's. */
  private record Result(boolean passed, String failure) {}

  private static Map<String, Result> results(Path out) throws IOException {
    Pattern folder = Pattern.compile("server-(.+)-\\d{4}-\\d{2}-\\d{2}T.*");
    Map<String, Result> results = new TreeMap<>();
    try (Stream<Path> runs = Files.list(out)) {
      for (Path run : runs.toList()) {
        Matcher m = folder.matcher(run.getFileName().toString());
        if (!m.matches() || !Files.exists(run.resolve("checks.json"))) {
          continue;
        }
        String failure = null;
        for (JsonNode check : JSON.readTree(Files.readString(run.resolve("checks.json")))) {
          if (failure == null && check.path("status").asText().equals("FAILURE")) {
            failure = check.path("errorMessage").asText(check.path("description").asText());
          }
        }
        results.put(m.group(1), new Result(failure == null, failure == null ? "" : failure));
      }
    }
    return results;
  }

  private static String report(
      Map<String, Result> direct, Map<String, Result> through, Map<String, String> revisions) {
    StringBuilder md =
        new StringBuilder(
            "MCP conformance suite (npm @modelcontextprotocol/conformance 0.1.16), server scenarios,"
                + " against SDK-built fixtures: directly, and through a client-side Envoy, the edge"
                + " Envoy and hopgate. No scenario is marked for MCP 2026-07-28 (McpSdkIT covers"
                + " it).\n\n| scenario | revisions | directly | through Envoy + hopgate | why they"
                + " differ |\n|---|---|---|---|---|\n");
    direct.forEach(
        (scenario, result) -> {
          Result other = through.get(scenario);
          md.append("| ")
              .append(scenario)
              .append(" | ")
              .append(revisions.getOrDefault(scenario, "?"))
              .append(" | ")
              .append(result.passed() ? "pass" : "FAIL: " + result.failure())
              .append(" | ")
              .append(
                  other == null ? "not run" : other.passed() ? "pass" : "FAIL: " + other.failure())
              .append(" | ")
              .append(DIFFERENCES.getOrDefault(scenario, ""))
              .append(" |\n");
        });
    return md.toString();
  }
}
