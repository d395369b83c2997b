package dev.hopgate.pdp.engine.cedar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.PolicyLoadException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CedarEngineTest {
  /** The policies the project ships, read where policy authors edit them. */
  private static final Path SHIPPED = Path.of("..", "policies", "cedar");

  @TempDir Path dir;

  @Test
  void shippedPolicies_allowAnOrdinaryStep() throws Exception {
    PreparedPolicy policy = new CedarEngine().prepare(SHIPPED);
    assertThat(policy.evaluate(input("urn:shop:step:reserve-stock")).allow()).isTrue();
    assertThat(policy.revision()).startsWith("sha256:");
  }

  @Test
  void shippedPolicies_theWorkedCase_dropProductionDatabaseIsOutOfScope() throws Exception {
    // The originator holds the right and the component performs the step, but the declared
    // incident-response process does not include it: only the scope gate refuses.
    String drop = "urn:ops:step:drop-production-database";
    InputDocument input =
        new InputDocument(
            InputDocument.VERSION,
            new InputDocument.Hop(
                "spiffe://shop.example/ops-db",
                drop,
                "POST",
                "/drop",
                "spiffe://shop.example/planner"),
            new InputDocument.Origin(
                "alice@shop.example", "txn-1", "spiffe://shop.example/planner"),
            List.of(drop, "urn:ops:step:contain"),
            new InputDocument.Intent(
                true,
                "urn:ops:process:incident-response",
                "sha256:" + "0".repeat(64),
                List.of("urn:ops:step:triage", "urn:ops:step:contain", "urn:ops:step:remediate"),
                List.of(),
                List.of()),
            new InputDocument.ManifestFacts(
                true, List.of(drop, "urn:ops:step:contain"), List.of(), List.of()),
            List.of(),
            List.of(),
            new InputDocument.Usage(drop, 0),
            List.of(),
            1795430000L);
    EngineDecision decision = new CedarEngine().prepare(SHIPPED).evaluate(input);

    assertThat(decision.allow()).isFalse();
    assertThat(decision.violations())
        .containsExactly(
            new Violation(
                Gate.SCOPE,
                "step_not_in_intent",
                java.util.Map.of("step", drop, "process", "urn:ops:process:incident-response")));
  }

  @Test
  void prepare_rejectsAForbidWithoutGateAndCode() throws Exception {
    copySchema();
    Files.writeString(
        dir.resolve("p.cedar"),
        """
        permit (principal, action, resource);
        @id("unnamed") forbid (principal, action, resource);
        """);
    assertThatThrownBy(() -> new CedarEngine().prepare(dir))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("p.cedar policy 'unnamed'")
        .hasMessageContaining("needs @gate and @code");
  }

  @Test
  void prepare_rejectsAnUnknownGate() throws Exception {
    copySchema();
    Files.writeString(
        dir.resolve("p.cedar"),
        """
        @id("odd") @gate("mood") @code("grumpy") forbid (principal, action, resource);
        """);
    assertThatThrownBy(() -> new CedarEngine().prepare(dir))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("gate: 'mood'");
  }

  @Test
  void prepare_rejectsAPolicyThatDoesNotValidateAgainstTheSchema() throws Exception {
    copySchema();
    Files.writeString(
        dir.resolve("p.cedar"),
        """
        @id("typo") @gate("scope") @code("x")
        forbid (principal, action == Hopgate::Action::"perform", resource) when { context.compnent == "a" };
        """);
    assertThatThrownBy(() -> new CedarEngine().prepare(dir))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("policy 'typo' does not validate");
  }

  @Test
  void prepare_rejectsAPolicyThatDoesNotParse() throws Exception {
    copySchema();
    Files.writeString(dir.resolve("broken.cedar"), "permit (principal, action, resource");
    assertThatThrownBy(() -> new CedarEngine().prepare(dir))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("broken.cedar: does not parse");
  }

  @Test
  void prepare_rejectsADirectoryWithoutSchema() throws Exception {
    Files.writeString(dir.resolve("p.cedar"), "permit (principal, action, resource);");
    assertThatThrownBy(() -> new CedarEngine().prepare(dir))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining("0 *.cedarschema files");
  }

  @Test
  void evaluate_denyWithoutAnyPermitIsNamed() throws Exception {
    copySchema();
    Files.writeString(
        dir.resolve("p.cedar"),
        """
        @id("only-inventory") permit (principal, action, resource) when { context.component == "inv" };
        """);
    EngineDecision decision =
        new CedarEngine().prepare(dir).evaluate(input("urn:shop:step:reserve-stock"));
    assertThat(decision.violations())
        .containsExactly(Violation.of(Gate.AUTHORIZATION, "no_permit"));
  }

  private void copySchema() throws Exception {
    Files.copy(SHIPPED.resolve("hopgate.cedarschema"), dir.resolve("hopgate.cedarschema"));
  }

  private static InputDocument input(String step) {
    return new InputDocument(
        InputDocument.VERSION,
        new InputDocument.Hop(
            "spiffe://shop.example/inventory",
            step,
            "POST",
            "/reserve",
            "spiffe://shop.example/planner"),
        new InputDocument.Origin("alice@shop.example", "txn-1", "spiffe://shop.example/planner"),
        List.of(step),
        new InputDocument.Intent(false, null, null, List.of(step), List.of(), List.of()),
        new InputDocument.ManifestFacts(true, List.of(step), List.of(), List.of()),
        List.of(
            new InputDocument.CompletedStep(
                "urn:shop:step:confirm-address",
                "spiffe://shop.example/customer",
                1795430000L,
                false)),
        List.of(),
        new InputDocument.Usage(step, 0),
        List.of(),
        Instant.parse("2026-11-23T10:00:00Z").getEpochSecond());
  }

  @Test
  void aForbidMayAskThatItsDenialDiscloseLess_theStrictestDeterminingForbidWins() throws Exception {
    copySchema();
    Files.writeString(
        dir.resolve("p.cedar"),
        """
        @id("permit") permit (principal, action == Hopgate::Action::"perform", resource);
        @id("quiet") @gate("scope") @code("hidden_step") @disclosure("undisclosed")
        forbid (principal, action == Hopgate::Action::"perform", resource) when { context.step == "urn:s:hidden" };
        @id("terse") @gate("capability") @code("terse") @disclosure("minimal")
        forbid (principal, action == Hopgate::Action::"perform", resource) when { context.step like "urn:s:*" };
        @id("plain") @gate("authorization") @code("plain")
        forbid (principal, action == Hopgate::Action::"perform", resource) when { context.step == "urn:x:plain" };
        """);
    PreparedPolicy policy = new CedarEngine().prepare(dir);
    assertThat(policy.evaluate(input("urn:s:hidden")).disclosure())
        .isEqualTo(dev.hopgate.pdp.problem.DisclosureLevel.UNDISCLOSED);
    assertThat(policy.evaluate(input("urn:s:other")).disclosure())
        .isEqualTo(dev.hopgate.pdp.problem.DisclosureLevel.MINIMAL);
    assertThat(policy.evaluate(input("urn:x:plain")).disclosure())
        .isEqualTo(dev.hopgate.pdp.problem.DisclosureLevel.FULL);
  }

  @Test
  void prepare_rejectsAnUnknownDisclosure() throws Exception {
    copySchema();
    Files.writeString(
        dir.resolve("p.cedar"),
        """
        @id("loud") @gate("scope") @code("x") @disclosure("everything") forbid (principal, action, resource);
        """);
    assertThatThrownBy(() -> new CedarEngine().prepare(dir))
        .isInstanceOf(PolicyLoadException.class)
        .hasMessageContaining(
            "@disclosure(\"everything\") (expected: full, minimal or undisclosed)");
  }
}
