package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * State shared by replicas in Redis. A claim is one Lua script, so it is atomic across every
 * hopgate that shares the server: set the key with its expiry if it is free, and answer who holds
 * it.
 */
public final class RedisStateStore implements StateStore {
  private static final String CLAIM = """
      local held = redis.call('GET', KEYS[1])
      if held then return held end
      redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
      return ARGV[1]
      """;

  private final JedisPooled redis;
  private final String prefix;
  private final String description;
  private volatile String claimSha;

  /**
   * @param uri {@code redis://host:port} (a password, when needed, as {@code redis://:pw@host:port})
   * @param timeout connect and read timeout: a slow store must not hold a Check past Envoy's timeout
   * @param prefix prepended to every key, so several deployments can share a server
   */
  public RedisStateStore(URI uri, Duration timeout, String prefix) {
    requireNonNull(uri, "uri");
    this.prefix = requireNonNull(prefix, "prefix");
    this.redis = RedisClients.pooled(uri, timeout);
    this.description = RedisClients.describe(uri);
  }

  @Override
  public String claim(String key, String owner, Duration ttl) throws StateException {
    List<String> keys = List.of(prefix + key);
    List<String> args = List.of(owner, Long.toString(Math.max(1, ttl.toMillis())));
    try {
      String sha = claimSha;
      if (sha == null) {
        sha = claimSha = redis.scriptLoad(CLAIM);
      }
      try {
        return (String) redis.evalsha(sha, keys, args);
      } catch (JedisNoScriptException e) {
        // The server restarted or flushed its scripts: load again once.
        claimSha = redis.scriptLoad(CLAIM);
        return (String) redis.evalsha(claimSha, keys, args);
      }
    } catch (JedisException e) {
      throw new StateException("state store " + description + " did not answer: " + e.getMessage(), e);
    }
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
