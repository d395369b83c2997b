package dev.hopgate.server.association;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.floor.LinkedHop;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The association this hopgate holds itself: its in-memory ledger (also served to others over
 * gRPC), or a ledger in Redis that every hopgate of the mesh shares. A ledger that fails (Redis
 * down) costs a counted signal or an empty view, never a decision.
 */
public final class LocalAssociation extends CountingAssociation {
  private static final System.Logger LOG = System.getLogger(LocalAssociation.class.getName());

  private final Ledger ledger;
  private final java.util.concurrent.@org.jspecify.annotations.Nullable ThreadPoolExecutor starts;

  /** Over an in-memory ledger: every signal recorded at once (a map update). */
  public LocalAssociation(Ledger ledger) {
    this(ledger, "embedded (in memory)", false);
  }

  /**
   * @param backgroundStarts record STARTs off the Check path (a ledger across the network: its
   *     latency must not delay the answer to Envoy); a full buffer is a counted loss
   */
  public LocalAssociation(Ledger ledger, String description, boolean backgroundStarts) {
    super(description);
    this.ledger = requireNonNull(ledger, "ledger");
    this.starts =
        backgroundStarts
            ? new ThreadPoolExecutor(
                1,
                1,
                0,
                TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(10_000),
                r -> {
                  Thread t = new Thread(r, "hopgate-association-starts");
                  t.setDaemon(true);
                  return t;
                })
            : null;
  }

  @Override
  public void start(BoundarySignal signal) {
    if (starts == null) {
      record(signal);
      return;
    }
    try {
      starts.execute(() -> record(signal));
    } catch (RejectedExecutionException e) {
      lost.incrementAndGet();
    }
  }

  @Override
  public void complete(BoundarySignal signal) {
    record(signal);
  }

  private void record(BoundarySignal signal) {
    try {
      ledger.record(signal);
    } catch (RuntimeException e) {
      long n = lost.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        LOG.log(
            System.Logger.Level.WARNING,
            "association ledger {0} failed ({1}); {2} signals lost so far",
            describe(),
            e.getMessage(),
            n);
      }
    }
  }

  @Override
  public List<LinkedHop> linkage(String txn) {
    try {
      return ledger.linkage(txn);
    } catch (RuntimeException e) {
      lookupsFailed.incrementAndGet();
      return List.of();
    }
  }

  @Override
  public void close() {
    if (starts != null) {
      starts.shutdown();
      try {
        starts.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (ledger instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the ledger: {0}", e.getMessage());
      }
    }
  }
}
