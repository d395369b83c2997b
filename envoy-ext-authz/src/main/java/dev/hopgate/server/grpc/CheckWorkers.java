package dev.hopgate.server.grpc;

import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The threads Checks are decided on: a fixed number, a bounded queue in front of them, so load
 * beyond what they can take is shed at once ({@code overloaded}) instead of answered late; and the
 * timer that answers a Check at its deadline when its decision is still running.
 */
public final class CheckWorkers implements AutoCloseable {
  /** Decides on the calling thread, never sheds, no timer (tests, warm-up). */
  public static final CheckWorkers INLINE =
      new CheckWorkers(null, Integer.MAX_VALUE, null, Duration.ZERO);

  private final @Nullable ThreadPoolExecutor workers;

  /**
   * Checks admitted (deciding or waiting): threads + queue. Counted apart from the executor's own
   * queue, which refuses a task while an idle thread has not yet taken the one before it.
   */
  private final Semaphore admitted;

  private final @Nullable ScheduledThreadPoolExecutor timer;
  private final Duration deadlineMargin;
  private final AtomicLong shed = new AtomicLong();

  private CheckWorkers(
      @Nullable ThreadPoolExecutor workers,
      int admitted,
      @Nullable ScheduledThreadPoolExecutor timer,
      Duration deadlineMargin) {
    this.workers = workers;
    this.admitted = new Semaphore(admitted);
    this.timer = timer;
    this.deadlineMargin = deadlineMargin;
  }

  /**
   * @param threads how many Checks are decided at once
   * @param queue how many wait for a thread before the next is shed
   * @param deadlineMargin how much of a Check's deadline is kept for the answer's way back
   */
  public static CheckWorkers of(int threads, int queue, Duration deadlineMargin) {
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            // Bounded by the admission count, not by the queue itself.
            new LinkedBlockingQueue<>(),
            named("hopgate-check-"),
            new ThreadPoolExecutor.AbortPolicy());
    workers.prestartAllCoreThreads();
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(1, named("hopgate-deadline-"));
    // A decision answered in time cancels its timer: cancelled timers must not pile up.
    timer.setRemoveOnCancelPolicy(true);
    return new CheckWorkers(workers, threads + queue, timer, deadlineMargin);
  }

  /** How much of a deadline is kept for the answer to reach the caller. */
  public Duration deadlineMargin() {
    return deadlineMargin;
  }

  /**
   * Runs {@code check} on a worker.
   *
   * @throws RejectedExecutionException when every worker is busy and the queue is full (counted)
   */
  void execute(Runnable check) {
    if (workers == null) {
      check.run();
      return;
    }
    if (!admitted.tryAcquire()) {
      shed.incrementAndGet();
      throw new RejectedExecutionException("every worker busy and the queue full");
    }
    try {
      workers.execute(
          () -> {
            try {
              check.run();
            } finally {
              admitted.release();
            }
          });
    } catch (RejectedExecutionException e) {
      admitted.release();
      shed.incrementAndGet();
      throw e;
    }
  }

  /** Runs {@code expire} in {@code nanos}, unless cancelled first; null without a timer. */
  @Nullable ScheduledFuture<?> at(long nanos, Runnable expire) {
    return timer == null ? null : timer.schedule(expire, nanos, TimeUnit.NANOSECONDS);
  }

  /** Checks refused because every worker was busy and the queue full. */
  public long shed() {
    return shed.get();
  }

  /** Checks waiting for a worker. */
  public int queued() {
    return workers == null ? 0 : workers.getQueue().size();
  }

  @Override
  public void close() {
    for (var pool : new java.util.concurrent.ExecutorService[] {workers, timer}) {
      if (pool != null) {
        pool.shutdown();
      }
    }
  }

  private static ThreadFactory named(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
