package dev.hopgate.server.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.testing.Eventually;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

class CheckWorkersTest {
  @Test
  void beyondThreadsAndQueue_aCheckIsShedAtOnce_andTakenAgainOnceOneFinishes() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (CheckWorkers workers = CheckWorkers.of(1, 1, Duration.ZERO)) {
      Runnable stuck =
          () -> {
            started.countDown();
            try {
              release.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          };
      workers.execute(stuck);
      started.await();
      workers.execute(stuck);

      assertThatThrownBy(() -> workers.execute(() -> {}))
          .isInstanceOf(RejectedExecutionException.class);
      assertThat(workers.shed()).isEqualTo(1);
      assertThat(workers.queued()).isEqualTo(1);

      release.countDown();
      Eventually.until(
          "a place is free again",
          () -> {
            try {
              workers.execute(() -> {});
              return true;
            } catch (RejectedExecutionException e) {
              return false;
            }
          },
          taken -> taken);
    }
  }
}
