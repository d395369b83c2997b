package dev.hopgate.pdp.problem;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DisclosureLevelTest {
  private static final Problem SEQUENCE =
      new Problem(
          "urn:hopgate:problem:sequence",
          "Prerequisite steps not completed",
          403,
          "Step urn:shop:step:charge-card needs urn:shop:step:reserve-stock first.",
          "d-1",
          "txn-1",
          List.of(
              Map.of(
                  "gate",
                  "sequence",
                  "code",
                  "prerequisites_missing",
                  "missing",
                  List.of("urn:shop:step:reserve-stock"))),
          List.of(
              Map.of("action", "complete_steps", "steps", List.of("urn:shop:step:reserve-stock")),
              Map.of(
                  "action", "complete_steps", "steps", List.of("urn:shop:step:confirm-address"))));

  @Test
  void full_isTheProblemItself() {
    assertThat(DisclosureLevel.FULL.apply(SEQUENCE)).isSameAs(SEQUENCE);
  }

  @Test
  void minimal_keepsGateCodeAndActionsButNoStepNames() {
    Problem shown = DisclosureLevel.MINIMAL.apply(SEQUENCE);

    assertThat(shown.violations())
        .containsExactly(Map.of("gate", "sequence", "code", "prerequisites_missing"));
    assertThat(shown.repair()).containsExactly(Map.of("action", "complete_steps"));
    assertThat(ProblemJson.write(shown)).doesNotContain("urn:shop:step");
    assertThat(shown.decisionId()).isEqualTo("d-1");
  }

  @Test
  void undisclosed_saysOnlyThatItWasDeniedAndWhichDecision() {
    Problem shown = DisclosureLevel.UNDISCLOSED.apply(SEQUENCE);

    assertThat(shown.type()).isEqualTo("urn:hopgate:problem:denied");
    assertThat(shown.violations()).isEmpty();
    assertThat(ProblemJson.write(shown))
        .doesNotContain("urn:shop:step")
        .doesNotContain("sequence")
        .contains("d-1");
  }

  @Test
  void tokenProblemsStayWhole() {
    Problem token =
        new Problem(
            "urn:hopgate:problem:token",
            "Hop token rejected",
            401,
            "expired",
            "d-2",
            null,
            List.of(Map.of("gate", "authorization", "code", "token_expired")),
            List.of(Map.of("action", "refresh_token")));
    assertThat(DisclosureLevel.UNDISCLOSED.apply(token)).isSameAs(token);
  }

  @Test
  void of_readsTheRoutesExtension() {
    assertThat(DisclosureLevel.of(Map.of())).isEqualTo(DisclosureLevel.FULL);
    assertThat(DisclosureLevel.of(Map.of("disclosure", "minimal")))
        .isEqualTo(DisclosureLevel.MINIMAL);
    assertThatThrownBy(() -> DisclosureLevel.of(Map.of("disclosure", "none")))
        .hasMessageContaining("expected: full, minimal or undisclosed");
  }
}
