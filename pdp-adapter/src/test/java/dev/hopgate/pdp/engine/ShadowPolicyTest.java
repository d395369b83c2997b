package dev.hopgate.pdp.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.testing.Eventually;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ShadowPolicyTest {
  /**
   * A policy that allows; the secondary waits on {@code release} first. Neither reads the input.
   */
  private static PreparedPolicy allowing(String engine, CountDownLatch release) {
    return new PreparedPolicy() {
      @Override
      public String engine() {
        return engine;
      }

      @Override
      public String revision() {
        return "r";
      }

      @Override
      public EngineDecision evaluate(InputDocument input) {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return EngineDecision.allowed();
      }
    };
  }

  @Test
  void pending_countsAComparisonUntilItHasRun() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (ShadowPolicy shadow =
        new ShadowPolicy(allowing("a", new CountDownLatch(0)), allowing("b", release))) {
      assertThat(shadow.evaluate(null).allow()).isTrue();
      assertThat(shadow.pending()).as("the secondary is held").isEqualTo(1);
      assertThat(shadow.compared()).isZero();

      release.countDown();
      Eventually.until("the comparison has run", () -> shadow.pending() == 0);
      assertThat(shadow.compared()).isEqualTo(1);
      assertThat(shadow.disagreements()).isZero();
    }
  }
}
