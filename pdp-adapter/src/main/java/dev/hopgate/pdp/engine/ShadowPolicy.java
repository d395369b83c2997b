package dev.hopgate.pdp.engine;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.gate.Disclosure;
import dev.hopgate.pdp.input.InputDocument;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two engines side by side: the primary decides; the secondary evaluates the same input off the
 * Check path (a bounded queue; when it is full the comparison is skipped and counted) and every
 * disagreement (decision, gates, codes, details) is logged and counted. For moving between engines
 * with evidence instead of hope.
 */
public final class ShadowPolicy implements PreparedPolicy, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ShadowPolicy.class.getName());

  private final PreparedPolicy primary;
  private final PreparedPolicy secondary;
  private final ThreadPoolExecutor shadow;
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong compared = new AtomicLong();
  private final AtomicLong disagreements = new AtomicLong();
  private final AtomicLong skipped = new AtomicLong();

  public ShadowPolicy(PreparedPolicy primary, PreparedPolicy secondary) {
    this.primary = requireNonNull(primary, "primary");
    this.secondary = requireNonNull(secondary, "secondary");
    this.shadow =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(1024),
            r -> {
              Thread t = new Thread(r, "hopgate-shadow-" + secondary.engine());
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public String engine() {
    return "shadow(" + primary.engine() + "," + secondary.engine() + ")";
  }

  @Override
  public String revision() {
    return primary.revision();
  }

  @Override
  public EngineDecision evaluate(InputDocument input) throws EvaluationException {
    EngineDecision decided = primary.evaluate(input);
    queued.incrementAndGet();
    try {
      shadow.execute(() -> compare(input, decided));
    } catch (RejectedExecutionException e) {
      queued.decrementAndGet();
      skipped.incrementAndGet();
    }
    return decided;
  }

  private void compare(InputDocument input, EngineDecision decided) {
    String other;
    try {
      EngineDecision shadowed = secondary.evaluate(input);
      if (shadowed.allow() == decided.allow()
          && Disclosure.apply(shadowed.violations())
              .equals(Disclosure.apply(decided.violations()))) {
        compared.incrementAndGet();
        return;
      }
      other = (shadowed.allow() ? "allow" : "deny " + shadowed.violations());
    } catch (EvaluationException | RuntimeException e) {
      other = "error: " + e.getMessage();
    }
    compared.incrementAndGet();
    disagreements.incrementAndGet();
    LOG.log(
        System.Logger.Level.WARNING,
        "shadow disagreement on txn {0} step {1}: {2} says {3}, {4} says {5}",
        input.origin().txn(),
        input.hop().step(),
        primary.engine(),
        decided.allow() ? "allow" : "deny " + decided.violations(),
        secondary.engine(),
        other);
  }

  /** Evaluations compared so far. */
  public long compared() {
    return compared.get();
  }

  public long disagreements() {
    return disagreements.get();
  }

  /** Comparisons queued or running now. */
  public long pending() {
    return queued.get() - compared.get();
  }

  /** Comparisons dropped because the shadow queue was full. */
  public long skipped() {
    return skipped.get();
  }

  /** Waits until every queued comparison has run (for tests and orderly shutdown). */
  public void drain() throws InterruptedException {
    shadow.shutdown();
    shadow.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    shadow.shutdownNow();
  }
}
