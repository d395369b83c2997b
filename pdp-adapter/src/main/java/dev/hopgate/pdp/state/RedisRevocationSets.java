package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.floor.RefreshingRevocationFeed;
import java.net.URI;
import java.time.Duration;
import redis.clients.jedis.JedisPooled;

/**
 * Revocations kept in two Redis sets, {@code <prefix>revoked:principals} and {@code
 * <prefix>revoked:txns}: an operator revokes with {@code SADD}.
 */
public final class RedisRevocationSets implements RefreshingRevocationFeed.Source, AutoCloseable {
  private final JedisPooled redis;
  private final String prefix;
  private final String description;

  public RedisRevocationSets(URI uri, Duration timeout, String prefix) {
    this(RedisEndpoint.parse(uri.toString(), null), timeout, prefix);
  }

  public RedisRevocationSets(RedisEndpoint endpoint, Duration timeout, String prefix) {
    requireNonNull(endpoint, "endpoint");
    this.prefix = requireNonNull(prefix, "prefix");
    this.redis = RedisClients.pooled(endpoint, timeout);
    this.description = endpoint.describe() + " " + prefix + "revoked:*";
  }

  @Override
  public RefreshingRevocationFeed.Revocations read() {
    return new RefreshingRevocationFeed.Revocations(
        redis.smembers(prefix + "revoked:principals"), redis.smembers(prefix + "revoked:txns"));
  }

  @Override
  public String describe() {
    return description;
  }

  @Override
  public void close() {
    redis.close();
  }
}
