package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.floor.RefreshingRevocationFeed;
import java.net.URI;
import java.time.Duration;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * Revocations kept in two Redis sets, {@code <prefix>revoked:principals} and
 * {@code <prefix>revoked:txns}: an operator revokes with {@code SADD}.
 */
public final class RedisRevocationSets implements RefreshingRevocationFeed.Source, AutoCloseable {
  private final JedisPooled redis;
  private final String prefix;
  private final String description;

  public RedisRevocationSets(URI uri, Duration timeout, String prefix) {
    requireNonNull(uri, "uri");
    this.prefix = requireNonNull(prefix, "prefix");
    int millis = (int) Math.max(1, timeout.toMillis());
    this.redis = new JedisPooled(new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()),
        DefaultJedisClientConfig.builder().connectionTimeoutMillis(millis).socketTimeoutMillis(millis).build());
    this.description = "redis://" + uri.getHost() + ":" + uri.getPort() + " " + prefix + "revoked:*";
  }

  @Override
  public RefreshingRevocationFeed.Revocations read() {
    return new RefreshingRevocationFeed.Revocations(redis.smembers(prefix + "revoked:principals"),
        redis.smembers(prefix + "revoked:txns"));
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
