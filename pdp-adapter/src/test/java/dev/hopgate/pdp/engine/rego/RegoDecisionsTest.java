package dev.hopgate.pdp.engine.rego;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.problem.DisclosureLevel;
import org.junit.jupiter.api.Test;

/** How a Rego decision document is read: details, and the disclosure a violation may ask for. */
class RegoDecisionsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void aViolationMayAskThatItsDenialDiscloseLess_theStrictestWins_andItIsNoDetail()
      throws Exception {
    EngineDecision d =
        RegoDecisions.read(
            JSON.readTree(
                """
        {"allow": false, "violations": [
          {"gate": "scope", "code": "hidden_step", "step": "urn:s:x", "disclosure": "minimal"},
          {"gate": "capability", "code": "not_performed", "disclosure": "undisclosed"},
          {"gate": "sequence", "code": "budget_exhausted", "max": 3}]}
        """),
            "opa-wasm");
    assertThat(d.disclosure()).isEqualTo(DisclosureLevel.UNDISCLOSED);
    assertThat(d.violations())
        .allSatisfy(v -> assertThat(v.details()).doesNotContainKey("disclosure"));
    assertThat(d.violations().get(2).details().get("max")).isEqualTo(3L);

    EngineDecision plain =
        RegoDecisions.read(
            JSON.readTree(
                """
        {"allow": false, "violations": [{"gate": "scope", "code": "x"}]}
        """),
            "opa-wasm");
    assertThat(plain.disclosure()).isEqualTo(DisclosureLevel.FULL);
  }

  @Test
  void anUnknownDisclosure_failsTheEvaluation() {
    assertThatThrownBy(
            () ->
                RegoDecisions.read(
                    JSON.readTree(
                        """
        {"allow": false, "violations": [{"gate": "scope", "code": "x", "disclosure": "loud"}]}
        """),
                    "opa-wasm"))
        .isInstanceOf(EvaluationException.class)
        .hasMessageContaining("disclosure is 'loud'");
  }
}
