package dev.hopgate.pdp.state;

import java.net.URI;
import java.time.Duration;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * Redis connections as hopgate opens them: {@code redis://[:password@]host[:port]}, short timeouts.
 */
public final class RedisClients {
  private RedisClients() {}

  /** The default pool: 16 connections. */
  public static final int POOL = 16;

  public static JedisPooled pooled(URI uri, Duration timeout) {
    return pooled(uri, timeout, POOL);
  }

  /**
   * At most {@code size} connections; a command waits at most {@code timeout} for a free one (the
   * pool's default is to wait without end: a slow store then queued Checks far past the timeout).
   */
  public static JedisPooled pooled(URI uri, Duration timeout, int size) {
    int millis = (int) Math.max(1, timeout.toMillis());
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(millis)
            .socketTimeoutMillis(millis);
    String userInfo = uri.getUserInfo();
    if (userInfo != null && userInfo.contains(":")) {
      config.password(userInfo.substring(userInfo.indexOf(':') + 1));
    }
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(size);
    pool.setMaxIdle(size);
    pool.setBlockWhenExhausted(true);
    pool.setMaxWait(Duration.ofMillis(millis));
    return new JedisPooled(new HostAndPort(uri.getHost(), port(uri)), config.build(), pool);
  }

  /** For logs: never the password. */
  public static String describe(URI uri) {
    return "redis://" + uri.getHost() + ":" + port(uri);
  }

  private static int port(URI uri) {
    return uri.getPort() < 0 ? 6379 : uri.getPort();
  }
}
