package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A revocation feed read from its sources (a signed file, Redis sets) in the background, every half
 * of its maximum staleness. Checks read the last snapshot and never wait for a source. When no
 * refresh has succeeded within the maximum staleness, nothing can be shown to be unrevoked, so
 * every check is refused ({@code revocation_unavailable}) until a source answers again.
 */
public final class RefreshingRevocationFeed implements RevocationFeed, AutoCloseable {
  private static final System.Logger LOG =
      System.getLogger(RefreshingRevocationFeed.class.getName());

  /** One source of revocations. */
  public interface Source {
    /** Every revoked principal and txn now; throws when the source cannot be read or verified. */
    Revocations read() throws Exception;

    String describe();
  }

  /** Revoked principals and txns. */
  public record Revocations(Set<String> principals, Set<String> txns) {
    public Revocations {
      principals = Set.copyOf(principals);
      txns = Set.copyOf(txns);
    }
  }

  private record Snapshot(Revocations revocations, Instant at) {}

  private final Revocations fixed;
  private final List<Source> sources;
  private final Duration maxStaleness;
  private final Clock clock;
  private final AtomicReference<Snapshot> snapshot = new AtomicReference<>();
  private final ScheduledExecutorService refresher;

  private RefreshingRevocationFeed(
      Revocations fixed, List<Source> sources, Duration maxStaleness, Clock clock) {
    this.fixed = fixed;
    this.sources = List.copyOf(sources);
    this.maxStaleness = maxStaleness;
    this.clock = clock;
    this.refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hopgate-revocations");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Reads every source once (a failure refuses to start) and keeps reading them.
   *
   * @param fixed revocations from the configuration itself
   */
  public static RefreshingRevocationFeed start(
      Revocations fixed, List<Source> sources, Duration maxStaleness, Clock clock)
      throws Exception {
    RefreshingRevocationFeed feed =
        new RefreshingRevocationFeed(requireNonNull(fixed, "fixed"), sources, maxStaleness, clock);
    try {
      feed.refresh();
    } catch (Exception e) {
      feed.close();
      throw e;
    }
    long period = Math.max(1, maxStaleness.toMillis() / 2);
    feed.refresher.scheduleWithFixedDelay(
        feed::refreshQuietly, period, period, TimeUnit.MILLISECONDS);
    return feed;
  }

  @Override
  public boolean isRevoked(String principal, String txn) throws FloorRejection {
    if (fixed.principals().contains(principal) || fixed.txns().contains(txn)) {
      return true;
    }
    if (sources.isEmpty()) {
      return false;
    }
    Snapshot s = snapshot.get();
    if (s == null || clock.instant().isAfter(s.at().plus(maxStaleness))) {
      throw new FloorRejection(
          FloorCode.REVOCATION_UNAVAILABLE,
          "The revocation feed has not been confirmed within "
              + maxStaleness.toSeconds()
              + " s, so hopgate cannot show this txn is not revoked.");
    }
    return s.revocations().principals().contains(principal) || s.revocations().txns().contains(txn);
  }

  /** Reads every source now. */
  public void refresh() throws Exception {
    Set<String> principals = new HashSet<>();
    Set<String> txns = new HashSet<>();
    for (Source source : sources) {
      Revocations r = source.read();
      principals.addAll(r.principals());
      txns.addAll(r.txns());
    }
    snapshot.set(new Snapshot(new Revocations(principals, txns), clock.instant()));
  }

  private void refreshQuietly() {
    try {
      refresh();
    } catch (Exception e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "revocation feed not refreshed (kept until it is {0} s old): {1}",
          maxStaleness.toSeconds(),
          e.toString());
    }
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }
}
