package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The state of one instance, bounded and expiring each key at its own deadline. A reservation
 * checks and writes under one lock: reservations happen only on ALLOWs that spend something, so the
 * lock is not on the path of most checks. A full store refuses new keys ({@link StateFull}, a
 * {@code state_full} denial) and never evicts a live one: an evicted claim could be spent again, an
 * evicted budget used afresh. Keys leave only when they expire; size it above the claims and
 * budgets alive at once, or share state through Redis.
 */
public final class InMemoryStateStore implements StateStore {
  /**
   * A claim's owner, or a budget's owners; or, for a decided mark, the decision and the keys it
   * wrote. Each expires {@code ttlNanos} after its last write.
   */
  private record Entry(@Nullable String owner, Set<String> units, long ttlNanos) {}

  private final Cache<String, Entry> entries;
  private final Map<String, Entry> map;
  private final long maxKeys;

  public InMemoryStateStore(long maxKeys) {
    this(maxKeys, Ticker.systemTicker());
  }

  InMemoryStateStore(long maxKeys, Ticker ticker) {
    if (maxKeys < 1) {
      throw new IllegalArgumentException("maxKeys: " + maxKeys + " (expected: at least 1)");
    }
    this.maxKeys = maxKeys;
    // No maximumSize: a size bound would evict live claims. reserve() counts instead.
    this.entries =
        Caffeine.newBuilder()
            .ticker(ticker)
            .expireAfter(
                Expiry.<String, Entry>writing((key, entry) -> Duration.ofNanos(entry.ttlNanos())))
            .build();
    this.map = entries.asMap();
  }

  @Override
  public synchronized Reservation.Outcome reserve(Reservation r) throws StateFull {
    requireNonNull(r, "reservation");
    // The keys this reservation writes itself: its release undoes those and nothing else.
    Set<String> fresh = new HashSet<>();
    List<Reservation.Claim> claims = r.claims();
    for (int i = 0; i < claims.size(); i++) {
      Entry held = map.get(claims.get(i).key());
      if (held != null && held.owner() != null && !held.owner().equals(r.owner())) {
        return new Reservation.Outcome.ClaimHeld(i, held.owner());
      }
      if (held == null) {
        fresh.add(claims.get(i).key());
      }
    }
    List<Reservation.Unit> units = r.units();
    for (int i = 0; i < units.size(); i++) {
      Entry budget = map.get(units.get(i).key());
      Set<String> owners = budget == null ? Set.of() : budget.units();
      if (!owners.contains(r.owner())) {
        if (owners.size() >= units.get(i).max()) {
          return new Reservation.Outcome.BudgetSpent(i, owners.size());
        }
        fresh.add(units.get(i).key());
      }
    }
    Entry decided = map.get(r.decidedKey());
    if (fresh.isEmpty() && decided != null && decided.owner() != null) {
      // Envoy's retry, answered as that decision's ALLOW: none of it may be released any more.
      map.put(r.decidedKey(), new Entry(decided.owner(), Set.of(), decided.ttlNanos()));
      return new Reservation.Outcome.Again(decided.owner());
    }
    // Fresh keys and the decided mark are new entries (a mark may already be there: counted
    // anyway).
    long adding = fresh.size() + 1L;
    if (map.size() + adding > maxKeys) {
      entries.cleanUp(); // expired entries still counted until Caffeine's maintenance drops them
      if (entries.estimatedSize() + adding > maxKeys) {
        throw new StateFull(
            "the in-memory state store holds "
                + entries.estimatedSize()
                + " live keys, its limit (state.max_keys "
                + maxKeys
                + "); refusing new claims rather than evicting live ones");
      }
    }
    for (Reservation.Claim c : claims) {
      // A retry keeps the first claim's deadline, as Redis's SET NX does.
      map.putIfAbsent(c.key(), new Entry(r.owner(), Set.of(), c.ttl().toNanos()));
    }
    for (Reservation.Unit u : units) {
      Entry budget = map.get(u.key());
      Set<String> owners = new HashSet<>(budget == null ? Set.of() : budget.units());
      owners.add(r.owner());
      long ttl = Math.max(u.ttl().toNanos(), budget == null ? 0 : budget.ttlNanos());
      map.put(u.key(), new Entry(null, Set.copyOf(owners), ttl));
    }
    map.put(r.decidedKey(), new Entry(r.decision(), Set.copyOf(fresh), r.longestTtl().toNanos()));
    return new Reservation.Outcome.Reserved();
  }

  @Override
  public synchronized boolean release(Reservation r) {
    requireNonNull(r, "reservation");
    // No released mark: in memory a reservation has run when reserve returns, none arrives late.
    Entry decided = map.get(r.decidedKey());
    if (decided == null || !r.decision().equals(decided.owner()) || decided.units().isEmpty()) {
      return false;
    }
    Set<String> wrote = decided.units();
    for (Reservation.Claim c : r.claims()) {
      if (wrote.contains(c.key())) {
        map.computeIfPresent(c.key(), (k, held) -> r.owner().equals(held.owner()) ? null : held);
      }
    }
    for (Reservation.Unit u : r.units()) {
      if (!wrote.contains(u.key())) {
        continue;
      }
      map.computeIfPresent(
          u.key(),
          (k, budget) -> {
            Set<String> owners = new HashSet<>(budget.units());
            owners.remove(r.owner());
            return new Entry(null, Set.copyOf(owners), budget.ttlNanos());
          });
    }
    map.remove(r.decidedKey());
    return true;
  }

  @Override
  public @Nullable String holder(String key) {
    Entry held = map.get(requireNonNull(key, "key"));
    return held == null ? null : held.owner();
  }

  @Override
  public long used(String key, String owner) {
    Entry budget = map.get(requireNonNull(key, "key"));
    if (budget == null) {
      return 0;
    }
    return budget.units().size() - (budget.units().contains(owner) ? 1 : 0);
  }

  @Override
  public String describe() {
    return "memory";
  }
}
