package dev.hopgate.pdp.association;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hopgate.pdp.floor.LinkedHop;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The ledger of one process: txns expire a while after their last signal, and the characters of the
 * whole ledger, the hops per txn and the characters per txn are bounded (a txn past a bound keeps
 * what it has; the rest is counted as dropped), so a caller cannot grow it without end. What is
 * stored is never replaced: a hop's transition and record are its first ones.
 */
public final class InMemoryLedger implements Ledger {
  /** A txn's hops by decision id, and how many characters they hold. */
  private record Txn(Map<String, LinkedHop> hops, long chars) {}

  private final Cache<String, Txn> txns;
  private final int maxHopsPerTxn;
  private final long maxCharsPerTxn;
  private final AtomicLong dropped = new AtomicLong();

  /**
   * Every txn costs what it holds plus a fixed amount, so the ledger's memory is bounded in all.
   */
  private static final int TXN_OVERHEAD_CHARS = 256;

  /**
   * @param maxChars the characters the whole ledger may hold (each txn weighs its hops' characters
   *     and {@value #TXN_OVERHEAD_CHARS} more); the least recently written txns go first
   */
  public InMemoryLedger(long maxChars, int maxHopsPerTxn, Duration txnTtl) {
    this(maxChars, maxHopsPerTxn, Ledger.MAX_CHARS_PER_TXN, txnTtl);
  }

  public InMemoryLedger(long maxChars, int maxHopsPerTxn, long maxCharsPerTxn, Duration txnTtl) {
    this.txns =
        Caffeine.newBuilder()
            .maximumWeight(maxChars)
            .weigher(
                (String txn, Txn held) ->
                    (int) Math.min(Integer.MAX_VALUE, TXN_OVERHEAD_CHARS + held.chars()))
            .expireAfterWrite(requireNonNull(txnTtl, "txnTtl"))
            .build();
    this.maxHopsPerTxn = maxHopsPerTxn;
    this.maxCharsPerTxn = maxCharsPerTxn;
  }

  @Override
  public boolean record(BoundarySignal s) {
    boolean[] linked = {false};
    txns.asMap()
        .compute(
            s.txn(),
            (txn, current) -> {
              Map<String, LinkedHop> hops = current == null ? Map.of() : current.hops();
              long chars = current == null ? 0 : current.chars();
              LinkedHop seen = hops.get(s.decisionId());
              LinkedHop next = Ledger.merge(seen, s);
              if (s.kind() == BoundarySignal.Kind.COMPLETE) {
                linked[0] = seen != null && seen.startedAt() != null;
              }
              if (next == seen) {
                return current;
              }
              long grown = chars + Ledger.chars(next) - (seen == null ? 0 : Ledger.chars(seen));
              if ((seen == null && hops.size() >= maxHopsPerTxn) || grown > maxCharsPerTxn) {
                dropped.incrementAndGet();
                linked[0] = false;
                return current;
              }
              // Copy on write: readers get an immutable snapshot without locking.
              Map<String, LinkedHop> copy = new LinkedHashMap<>(hops);
              copy.put(s.decisionId(), next);
              return new Txn(Collections.unmodifiableMap(copy), grown);
            });
    return linked[0];
  }

  @Override
  public List<LinkedHop> linkage(String txn) {
    @Nullable Txn current = txns.getIfPresent(txn);
    return current == null ? List.of() : List.copyOf(current.hops().values());
  }

  /** Signals refused because their txn had reached a bound. */
  public long dropped() {
    return dropped.get();
  }
}
