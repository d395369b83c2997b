package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;

/**
 * The state of one instance, bounded and expiring each key at its own deadline. Claims are atomic
 * ({@code asMap().putIfAbsent}). A full store evicts the oldest claims first: size it above the
 * number of one-time tokens alive at once, or share state through Redis.
 */
public final class InMemoryStateStore implements StateStore {
  private record Claim(String owner, long ttlNanos) {}

  private final Cache<String, Claim> claims;

  public InMemoryStateStore(long maxKeys) {
    this(maxKeys, Ticker.systemTicker());
  }

  InMemoryStateStore(long maxKeys, Ticker ticker) {
    this.claims = Caffeine.newBuilder()
        .maximumSize(maxKeys)
        .ticker(ticker)
        .expireAfter(Expiry.<String, Claim>creating((key, claim) -> Duration.ofNanos(claim.ttlNanos())))
        .build();
  }

  @Override
  public String claim(String key, String owner, Duration ttl) {
    requireNonNull(key, "key");
    requireNonNull(owner, "owner");
    Claim mine = new Claim(owner, Math.max(1, ttl.toNanos()));
    Claim held = claims.asMap().putIfAbsent(key, mine);
    return held == null ? owner : held.owner();
  }

  @Override
  public String describe() {
    return "memory";
  }
}
