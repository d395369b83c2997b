package dev.hopgate.pdp.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class ProcessDefinitionsTest {
  private static final Path SHIPPED = Path.of("..", "policies", "processes");
  private static final String RESERVE = "urn:shop:step:reserve-stock";
  private static final String CONFIRM = "urn:shop:step:confirm-address";
  private static final String CHARGE = "urn:shop:step:charge-card";
  private static final String SHIP = "urn:shop:step:schedule-shipping";

  @Test
  void checkout_compilesWithPrerequisitesAndStableOrder() throws Exception {
    ProcessDefinition checkout = ProcessDefinitions.load(SHIPPED.resolve("checkout.process.yaml"));

    assertThat(checkout.iri()).isEqualTo("urn:shop:process:checkout");
    assertThat(checkout.prerequisites(CHARGE)).containsExactly(CONFIRM, RESERVE);
    assertThat(checkout.topologicalOrder()).containsExactly(CONFIRM, RESERVE, CHARGE, SHIP);
    assertThat(checkout.entry()).containsExactly(CONFIRM, RESERVE);
    assertThat(checkout.exit()).containsExactly(SHIP);
    assertThat(checkout.steps().get(CHARGE).max()).isEqualTo(2);
    assertThat(checkout.edges()).contains(new ProcessEdge(CHARGE, SHIP, Duration.ofMinutes(30)));
  }

  @Test
  void checkout_digestMatchesTheGoldenVector() throws Exception {
    JsonNode vector =
        StreamSupport.stream(
                new ObjectMapper()
                    .readTree(Path.of("..", "docs", "vectors", "digests.json").toFile())
                    .get("vectors")
                    .spliterator(),
                false)
            .filter(v -> v.get("name").asText().endsWith("checkout.process.yaml"))
            .findFirst()
            .orElseThrow();
    ProcessDefinition checkout = ProcessDefinitions.load(SHIPPED.resolve("checkout.process.yaml"));

    assertThat(dev.hopgate.pdp.digest.Digests.canonicalJson(checkout.canonical()))
        .isEqualTo(vector.get("canonical").asText());
    assertThat(checkout.digest()).isEqualTo(vector.get("digest").asText());
  }

  @Test
  void missingBefore_namesTransitivePrerequisitesInTopologicalOrder() throws Exception {
    ProcessDefinition checkout = ProcessDefinitions.load(SHIPPED.resolve("checkout.process.yaml"));

    assertThat(checkout.missingBefore(SHIP, Set.of())).containsExactly(CONFIRM, RESERVE, CHARGE);
    assertThat(checkout.missingBefore(SHIP, Set.of(RESERVE))).containsExactly(CONFIRM, CHARGE);
    assertThat(checkout.missingBefore(SHIP, Set.of(CHARGE))).isEmpty();
  }

  @Test
  void sameProcessInArrowSyntaxAndYaml_hasTheSameDigest() throws Exception {
    ProcessDefinition flow =
        ProcessDefinitions.parseFlow(
            "a.flow",
            """
        process urn:p:demo 1
        # a comment
        urn:s:a -> urn:s:b -> urn:s:c; urn:s:a -> urn:s:d
        """);
    ProcessDefinition yaml =
        ProcessDefinitions.parseYaml(
            "a.yaml",
            """
        process: urn:p:demo
        version: 1
        steps: [urn:s:d, urn:s:c, urn:s:b, urn:s:a]
        edges: ["urn:s:a -> urn:s:d", "urn:s:b -> urn:s:c", "urn:s:a -> urn:s:b"]
        """);
    assertThat(flow.digest()).isEqualTo(yaml.digest());
    assertThat(flow.topologicalOrder()).containsExactly("urn:s:a", "urn:s:b", "urn:s:c", "urn:s:d");
  }

  @Test
  void everyShippedProcess_loads() throws Exception {
    assertThat(
            ProcessDefinitions.load(SHIPPED.resolve("customer-data-deletion.flow"))
                .topologicalOrder())
        .startsWith("urn:privacy:step:verify-identity")
        .endsWith("urn:privacy:step:notify-customer");
    assertThat(
            ProcessDefinitions.load(SHIPPED.resolve("incident-response.process.yaml"))
                .contains("urn:ops:step:drop-production-database"))
        .isFalse();
  }

  @Test
  void load_rejectsACycleAndNamesIt() {
    assertRejected(
        """
        process urn:p:loop 1
        urn:s:a -> urn:s:b -> urn:s:c -> urn:s:a
        urn:s:start -> urn:s:a
        """,
        "cycle: urn:s:a -> urn:s:b -> urn:s:c -> urn:s:a");
  }

  @Test
  void load_rejectsAStepUnreachableFromTheEntry() {
    assertRejectedYaml(
        """
        process: urn:p:x
        version: 1
        flow: "urn:s:a -> urn:s:b; urn:s:island -> urn:s:b"
        entry: [urn:s:a]
        """,
        "not reachable from an entry step [urn:s:a]: urn:s:island");
  }

  @Test
  void load_rejectsADeadEnd() {
    assertRejectedYaml(
        """
        process: urn:p:x
        version: 1
        flow: "urn:s:a -> urn:s:b; urn:s:a -> urn:s:nowhere"
        exit: [urn:s:b]
        """,
        "no exit step [urn:s:b] is reachable from: urn:s:nowhere");
  }

  @Test
  void load_rejectsOnceOrMaxOnAnUnboundStep() {
    assertRejectedYaml(
        """
        process: urn:p:x
        version: 1
        steps: [{id: urn:s:approve, once: true}, {id: urn:s:pay, max: 3, component: spiffe://x/pay}]
        edges: ["urn:s:approve -> urn:s:pay"]
        """,
        "step urn:s:approve has once but is not bound to a component");
  }

  @Test
  void load_rejectsAnUnboundStepThatSpendsAOnceApproval() {
    assertRejectedYaml(
        """
        process: urn:p:x
        version: 1
        steps: [{id: urn:s:approve, once: true, component: spiffe://x/approvals}, urn:s:pay]
        edges: ["urn:s:approve -> urn:s:pay"]
        """,
        "step urn:s:pay consumes the once step urn:s:approve but is not bound to a component");
  }

  @Test
  void load_rejectsAnEdgeToAnUndeclaredStep() {
    assertRejectedYaml(
        """
        process: urn:p:x
        version: 1
        steps: [urn:s:a]
        edges: ["urn:s:a -> urn:s:ghost"]
        """,
        "edge urn:s:a -> urn:s:ghost names undeclared step urn:s:ghost");
  }

  @Test
  void load_rejectsUnknownFieldsAndMissingVersion() {
    assertRejectedYaml("process: urn:p:x\nsteps: [urn:s:a]\nstpes: []\n", "unknown field 'stpes'");
    assertRejectedYaml("process: urn:p:x\nsteps: [urn:s:a]\n", "version: missing");
  }

  @Test
  void load_rejectsABadFlowHeader() {
    assertRejected("urn:s:a -> urn:s:b\n", "(expected: process <IRI> <version>)");
  }

  private static void assertRejected(String flow, String message) {
    assertThatThrownBy(() -> ProcessDefinitions.parseFlow("t.flow", flow))
        .isInstanceOf(ProcessDefinitionException.class)
        .hasMessageContaining(message);
  }

  private static void assertRejectedYaml(String yaml, String message) {
    assertThatThrownBy(() -> ProcessDefinitions.parseYaml("t.yaml", yaml))
        .isInstanceOf(ProcessDefinitionException.class)
        .hasMessageContaining(message);
  }
}
