package dev.hopgate.pdp.association;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ledger of one process: txns expire a while after their last signal, and both the number of
 * txns and the hops per txn are bounded (a txn past its bound keeps what it has; the rest is
 * counted as dropped), so a caller cannot grow it without end.
 */
public final class InMemoryLedger implements Ledger {
  private final Cache<String, Map<String, LinkedHop>> txns;
  private final int maxHopsPerTxn;
  private final AtomicLong dropped = new AtomicLong();

  public InMemoryLedger(long maxTxns, int maxHopsPerTxn, Duration txnTtl) {
    this.txns = Caffeine.newBuilder().maximumSize(maxTxns).expireAfterWrite(requireNonNull(txnTtl, "txnTtl")).build();
    this.maxHopsPerTxn = maxHopsPerTxn;
  }

  @Override
  public boolean record(BoundarySignal s) {
    boolean[] linked = {false};
    txns.asMap().compute(s.txn(), (txn, hops) -> {
      LinkedHop seen = hops == null ? null : hops.get(s.decisionId());
      if (seen == null && hops != null && hops.size() >= maxHopsPerTxn) {
        dropped.incrementAndGet();
        return hops;
      }
      // Copy on write: readers get an immutable snapshot without locking.
      Map<String, LinkedHop> next = hops == null ? new LinkedHashMap<>() : new LinkedHashMap<>(hops);
      if (s.kind() == BoundarySignal.Kind.START) {
        next.put(s.decisionId(), seen == null
            ? new LinkedHop(s.decisionId(), s.component(), s.step(), s.enforcementPoint(), s.at(), null, null)
            : new LinkedHop(s.decisionId(), s.component(), s.step(), s.enforcementPoint(), s.at(), seen.completedAt(),
                seen.completionRecord()));
      } else {
        linked[0] = seen != null && seen.startedAt() != null;
        next.put(s.decisionId(), new LinkedHop(s.decisionId(), s.component(), s.step(), s.enforcementPoint(),
            seen == null ? null : seen.startedAt(), s.at(), s.completionRecord()));
      }
      return java.util.Collections.unmodifiableMap(next);
    });
    return linked[0];
  }

  @Override
  public List<LinkedHop> linkage(String txn) {
    Map<String, LinkedHop> hops = txns.getIfPresent(txn);
    if (hops == null) {
      return List.of();
    }
    return List.copyOf(hops.values());
  }

  /** Signals refused because their txn had reached its bound. */
  public long dropped() {
    return dropped.get();
  }
}
