package dev.hopgate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventuallyTest {
  @Test
  void within_returnsOnceTheConditionHolds() {
    AtomicInteger reads = new AtomicInteger();
    Eventually.within(Duration.ofSeconds(10), "the third read", () -> reads.incrementAndGet() == 3);
    assertThat(reads).hasValue(3);
  }

  @Test
  void within_returnsTheAcceptedValue_andTreatsAnExceptionAsNotYet() {
    AtomicInteger reads = new AtomicInteger();
    int value =
        Eventually.within(
            Duration.ofSeconds(10),
            "a value above 2",
            () -> {
              if (reads.incrementAndGet() == 1) {
                throw new IllegalStateException("not up yet");
              }
              return reads.get();
            },
            v -> v > 2);
    assertThat(value).isEqualTo(3);
  }

  @Test
  void within_failsNamingWhatNeverHappened_andTheLastValueSeen() {
    assertThatThrownBy(
            () ->
                Eventually.within(
                    Duration.ofMillis(50),
                    "the ledger shows the START",
                    () -> "empty",
                    v -> !v.equals("empty")))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("never happened within 50 ms: the ledger shows the START")
        .hasMessageContaining("last seen: empty");
  }

  @Test
  void within_endsAtOnceWhenTheConditionKnowsItIsHopeless() {
    AtomicInteger reads = new AtomicInteger();
    assertThatThrownBy(
            () ->
                Eventually.within(
                    Duration.ofMinutes(5),
                    "a process that exited",
                    () -> {
                      reads.incrementAndGet();
                      throw new Eventually.Hopeless("exited with 1");
                    }))
        .isInstanceOf(Eventually.Hopeless.class)
        .hasMessage("exited with 1");
    assertThat(reads).hasValue(1);
  }
}
