package dev.hopgate.pdp.state;

import java.net.URI;
import java.time.Duration;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * Redis connections as hopgate opens them: {@code redis://[:password@]host[:port]}, short timeouts.
 */
public final class RedisClients {
  private RedisClients() {}

  public static JedisPooled pooled(URI uri, Duration timeout) {
    int millis = (int) Math.max(1, timeout.toMillis());
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(millis)
            .socketTimeoutMillis(millis);
    String userInfo = uri.getUserInfo();
    if (userInfo != null && userInfo.contains(":")) {
      config.password(userInfo.substring(userInfo.indexOf(':') + 1));
    }
    return new JedisPooled(new HostAndPort(uri.getHost(), port(uri)), config.build());
  }

  /** For logs: never the password. */
  public static String describe(URI uri) {
    return "redis://" + uri.getHost() + ":" + port(uri);
  }

  private static int port(URI uri) {
    return uri.getPort() < 0 ? 6379 : uri.getPort();
  }
}
