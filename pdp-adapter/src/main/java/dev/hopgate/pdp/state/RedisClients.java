package dev.hopgate.pdp.state;

import java.time.Duration;
import javax.net.ssl.SSLParameters;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/** Redis connections as hopgate opens them: {@link RedisEndpoint}s, short timeouts, bounded. */
public final class RedisClients {
  private RedisClients() {}

  /** The default pool: 16 connections. */
  public static final int POOL = 16;

  public static JedisPooled pooled(RedisEndpoint endpoint, Duration timeout) {
    return pooled(endpoint, timeout, POOL);
  }

  /**
   * At most {@code size} connections; a command waits at most {@code timeout} for a free one (the
   * pool's default is to wait without end: a slow store then queued Checks far past the timeout).
   */
  public static JedisPooled pooled(RedisEndpoint endpoint, Duration timeout, int size) {
    int millis = (int) Math.max(1, timeout.toMillis());
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(millis)
            .socketTimeoutMillis(millis);
    if (endpoint.user() != null) {
      config.user(endpoint.user());
    }
    if (endpoint.password() != null) {
      config.password(endpoint.password());
    }
    if (endpoint.tls()) {
      // Jedis checks no host name on its own when given a socket factory: the JSSE does it, as
      // for HTTPS, once the endpoint identification algorithm is set.
      SSLParameters parameters = new SSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      config.ssl(true).sslParameters(parameters);
      if (endpoint.trust() != null) {
        config.sslSocketFactory(endpoint.trust().getSocketFactory());
      }
    }
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(size);
    pool.setMaxIdle(size);
    pool.setBlockWhenExhausted(true);
    pool.setMaxWait(Duration.ofMillis(millis));
    return new JedisPooled(new HostAndPort(endpoint.host(), endpoint.port()), config.build(), pool);
  }
}
