package dev.hopgate.pdp.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessDefinitions;
import dev.hopgate.pdp.process.ProcessRegistry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedStateRequirementTest {
  @Test
  void aSpendingStepAtAComponentWithTwoEnforcementPoints_needsASharedStore() throws Exception {
    RefundFixture refund = new RefundFixture(Path.of("..", "policies", "processes"));
    ProcessRegistry processes =
        ProcessRegistry.of(
            List.of(
                ProcessDefinitions.load(
                    Path.of("..", "policies", "processes", "refund.process.yaml"))));
    Manifest one = refund.f.manifests.get(RefundFixture.REFUNDS).orElseThrow();
    Manifest two =
        new Manifest(
            one.component(),
            one.performs(),
            one.doesNotPerform(),
            one.expectsCompleted(),
            one.delegates(),
            List.of(
                one.enforcement().get(0),
                new dev.hopgate.pdp.manifest.EnforcementPoint(
                    "spiffe://shop.example/hopgate/refunds-b", one.enforcement().get(0).keys())),
            one.issuerEndpoint(),
            one.digest(),
            one.source(),
            one.expiresAt());

    assertThat(SharedStateRequirement.problems(processes, refund.f.manifests, false)).isEmpty();

    ManifestRegistry replicated = ManifestRegistry.of(List.of(two));
    assertThat(SharedStateRequirement.problems(processes, replicated, false))
        .singleElement()
        .asString()
        .contains(
            "step urn:shop:step:issue-refund (max 3, spends the once step urn:shop:step:approve-refund)")
        .contains("2 enforcement points")
        .contains("use state.store: redis");
    assertThat(SharedStateRequirement.problems(processes, replicated, true)).isEmpty();
  }
}
