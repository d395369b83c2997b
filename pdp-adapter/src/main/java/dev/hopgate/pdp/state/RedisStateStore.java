package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * State shared by replicas in Redis. A reservation is one Lua script, so it is atomic across every
 * hopgate that shares the server: check every claim and budget, then write all of them, or answer
 * which one was taken. Claims are strings holding their owner ({@code SET NX PX}); budgets are sets
 * of owners, so Envoy's retry of a request never spends a second unit. Keys are not hash-tagged:
 * one Redis server (or a primary with replicas), not a Redis Cluster.
 */
public final class RedisStateStore implements StateStore {
  // KEYS: the claims, then the budgets. ARGV: owner, claim count, each claim's ttl (ms), then each
  // budget's max and ttl (ms).
  private static final String RESERVE =
      """
      local owner = ARGV[1]
      local claims = tonumber(ARGV[2])
      for i = 1, claims do
        local held = redis.call('GET', KEYS[i])
        if held and held ~= owner then return {'claim', tostring(i - 1), held} end
      end
      for j = claims + 1, #KEYS do
        local max = tonumber(ARGV[2 + claims + 2 * (j - claims) - 1])
        local used = redis.call('SCARD', KEYS[j])
        if redis.call('SISMEMBER', KEYS[j], owner) == 0 and used >= max then
          return {'budget', tostring(j - claims - 1), tostring(used)}
        end
      end
      for i = 1, claims do
        redis.call('SET', KEYS[i], owner, 'NX', 'PX', ARGV[2 + i])
      end
      for j = claims + 1, #KEYS do
        local ttl = tonumber(ARGV[2 + claims + 2 * (j - claims)])
        redis.call('SADD', KEYS[j], owner)
        if redis.call('PTTL', KEYS[j]) < ttl then redis.call('PEXPIRE', KEYS[j], ttl) end
      end
      return {'ok'}
      """;

  private final JedisPooled redis;
  private final String prefix;
  private final String description;
  private volatile @Nullable String reserveSha;

  /**
   * @param uri {@code redis://host:port} (a password, when needed, as {@code
   *     redis://:pw@host:port})
   * @param timeout connect and read timeout: a slow store must not hold a Check past Envoy's
   *     timeout
   * @param prefix prepended to every key, so several deployments can share a server
   */
  public RedisStateStore(URI uri, Duration timeout, String prefix) {
    requireNonNull(uri, "uri");
    this.prefix = requireNonNull(prefix, "prefix");
    this.redis = RedisClients.pooled(uri, timeout);
    this.description = RedisClients.describe(uri);
  }

  @Override
  public Reservation.Outcome reserve(Reservation r) throws StateException {
    List<String> keys = new ArrayList<>();
    List<String> args = new ArrayList<>();
    args.add(r.owner());
    args.add(Integer.toString(r.claims().size()));
    for (Reservation.Claim c : r.claims()) {
      keys.add(prefix + c.key());
      args.add(Long.toString(c.ttl().toMillis()));
    }
    for (Reservation.Unit u : r.units()) {
      keys.add(prefix + u.key());
      args.add(Long.toString(u.max()));
      args.add(Long.toString(u.ttl().toMillis()));
    }
    List<?> answer = (List<?>) call(() -> evalReserve(keys, args));
    return switch (String.valueOf(answer.get(0))) {
      case "ok" -> new Reservation.Outcome.Reserved();
      case "claim" ->
          new Reservation.Outcome.ClaimHeld(
              Integer.parseInt(String.valueOf(answer.get(1))), String.valueOf(answer.get(2)));
      case "budget" ->
          new Reservation.Outcome.BudgetSpent(
              Integer.parseInt(String.valueOf(answer.get(1))),
              Long.parseLong(String.valueOf(answer.get(2))));
      default ->
          throw new StateException("state store " + description + " answered " + answer, null);
    };
  }

  private Object evalReserve(List<String> keys, List<String> args) {
    String sha = reserveSha;
    if (sha == null) {
      sha = reserveSha = redis.scriptLoad(RESERVE);
    }
    try {
      return redis.evalsha(sha, keys, args);
    } catch (JedisNoScriptException e) {
      // The server restarted or flushed its scripts: load again once.
      reserveSha = redis.scriptLoad(RESERVE);
      return redis.evalsha(reserveSha, keys, args);
    }
  }

  @Override
  public @Nullable String holder(String key) throws StateException {
    return (String) call(() -> redis.get(prefix + key));
  }

  @Override
  public long used(String key, String owner) throws StateException {
    return (Long)
        call(
            () -> {
              long used = redis.scard(prefix + key);
              return used > 0 && redis.sismember(prefix + key, owner) ? used - 1 : used;
            });
  }

  private Object call(Supplier<Object> command) throws StateException {
    try {
      return command.get();
    } catch (JedisException e) {
      throw new StateException(
          "state store " + description + " did not answer: " + e.getMessage(), e);
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
