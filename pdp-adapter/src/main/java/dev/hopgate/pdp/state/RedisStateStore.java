package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * State shared by replicas in Redis. A reservation is one Lua script, so it is atomic across every
 * hopgate that shares the server: check every claim and budget, then write all of them, or answer
 * which one was taken (or, for Envoy's retry, that all of it was already its own). A release is one
 * script too; it marks the decision released first, so its reservation arriving late writes
 * nothing. Claims are strings holding their owner ({@code SET NX PX}); budgets are sets of owners,
 * so Envoy's retry of a request never spends a second unit. Keys are not hash-tagged: one Redis
 * server (or a primary with replicas), not a Redis Cluster.
 */
public final class RedisStateStore implements StateStore {
  // KEYS: the released mark, the decided mark, the claims, then the budgets. ARGV: owner, decision,
  // claim count, the marks' ttl (ms), each claim's ttl (ms), then each budget's max and ttl (ms).
  // The decided mark holds "<decision> <fresh>": which keys (1/0, claims then budgets) that
  // decision wrote itself, so its release undoes those and nothing an earlier one wrote.
  private static final String RESERVE =
      """
      local owner, decision, claims, mark = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
      if redis.call('EXISTS', KEYS[1]) == 1 then return {'released'} end
      local fresh, any = {}, false
      for i = 1, claims do
        local held = redis.call('GET', KEYS[2 + i])
        if held and held ~= owner then return {'claim', tostring(i - 1), held} end
        fresh[i] = held and '0' or '1'
        any = any or not held
      end
      local units = #KEYS - 2 - claims
      for j = 1, units do
        local key = KEYS[2 + claims + j]
        fresh[claims + j] = '0'
        if redis.call('SISMEMBER', key, owner) == 0 then
          local used = redis.call('SCARD', key)
          if used >= tonumber(ARGV[4 + claims + 2 * j - 1]) then
            return {'budget', tostring(j - 1), tostring(used)}
          end
          fresh[claims + j] = '1'
          any = true
        end
      end
      if not any then
        local first = redis.call('GET', KEYS[2])
        if first then
          -- Envoy's retry of that decision, answered as its ALLOW: from now on none of it may be
          -- released (an empty fresh part), whatever becomes of the first attempt.
          local id = string.match(first, '^(%S+)')
          redis.call('SET', KEYS[2], id .. ' ', 'KEEPTTL')
          return {'again', id}
        end
      end
      for i = 1, claims do
        redis.call('SET', KEYS[2 + i], owner, 'NX', 'PX', ARGV[4 + i])
      end
      for j = 1, units do
        local key = KEYS[2 + claims + j]
        local ttl = tonumber(ARGV[4 + claims + 2 * j])
        redis.call('SADD', key, owner)
        if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
      end
      redis.call('SET', KEYS[2], decision .. ' ' .. table.concat(fresh), 'PX', mark)
      return {'ok'}
      """;

  // The same KEYS and ARGV. The released mark first: a reservation of this decision still on its
  // way to the server then writes nothing when it arrives. Only what the decision itself wrote is
  // undone, and nothing once a retry was answered as it.
  private static final String RELEASE =
      """
      local owner, decision, claims, mark = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
      redis.call('SET', KEYS[1], '1', 'PX', mark)
      local held = redis.call('GET', KEYS[2])
      if not held then return 0 end
      local id, fresh = string.match(held, '^(%S+) ([01]*)$')
      if id ~= decision or fresh == '' then return 0 end
      local undone = 0
      for i = 1, claims do
        if string.sub(fresh, i, i) == '1' and redis.call('GET', KEYS[2 + i]) == owner then
          redis.call('DEL', KEYS[2 + i])
          undone = 1
        end
      end
      for j = claims + 1, #KEYS - 2 do
        if string.sub(fresh, j, j) == '1' and redis.call('SREM', KEYS[2 + j], owner) == 1 then
          undone = 1
        end
      end
      redis.call('DEL', KEYS[2])
      return undone
      """;

  private final JedisPooled redis;
  private final String prefix;
  private final String description;
  private final AtomicReference<@Nullable String> reserveSha = new AtomicReference<>();
  private final AtomicReference<@Nullable String> releaseSha = new AtomicReference<>();

  /**
   * @param uri {@code redis://host:port} (a password, when needed, as {@code
   *     redis://:pw@host:port})
   * @param timeout connect and read timeout: a slow store must not hold a Check past Envoy's
   *     timeout
   * @param prefix prepended to every key, so several deployments can share a server
   */
  public RedisStateStore(URI uri, Duration timeout, String prefix) {
    this(uri, timeout, prefix, RedisClients.POOL);
  }

  /**
   * @param pool connections at most; a command waits at most {@code timeout} for one
   */
  public RedisStateStore(URI uri, Duration timeout, String prefix, int pool) {
    this(RedisEndpoint.parse(uri.toString(), null), timeout, prefix, pool);
  }

  public RedisStateStore(RedisEndpoint endpoint, Duration timeout, String prefix, int pool) {
    requireNonNull(endpoint, "endpoint");
    this.prefix = requireNonNull(prefix, "prefix");
    this.redis = RedisClients.pooled(endpoint, timeout, pool);
    this.description = endpoint.describe();
  }

  @Override
  public Reservation.Outcome reserve(Reservation r) throws StateException {
    List<String> keys = new ArrayList<>();
    List<String> args = new ArrayList<>();
    arguments(r, keys, args);
    List<?> answer = (List<?>) call(() -> eval(reserveSha, RESERVE, keys, args));
    return switch (String.valueOf(answer.get(0))) {
      case "ok" -> new Reservation.Outcome.Reserved();
      case "again" -> new Reservation.Outcome.Again(String.valueOf(answer.get(1)));
      case "claim" ->
          new Reservation.Outcome.ClaimHeld(
              Integer.parseInt(String.valueOf(answer.get(1))), String.valueOf(answer.get(2)));
      case "budget" ->
          new Reservation.Outcome.BudgetSpent(
              Integer.parseInt(String.valueOf(answer.get(1))),
              Long.parseLong(String.valueOf(answer.get(2))));
      default ->
          throw new StateException(
              "state store " + description + " answered " + answer.get(0), null);
    };
  }

  @Override
  public boolean release(Reservation r) throws StateException {
    List<String> keys = new ArrayList<>();
    List<String> args = new ArrayList<>();
    arguments(r, keys, args);
    return Long.valueOf(1).equals(call(() -> eval(releaseSha, RELEASE, keys, args)));
  }

  private void arguments(Reservation r, List<String> keys, List<String> args) {
    keys.add(prefix + r.releasedKey());
    keys.add(prefix + r.decidedKey());
    args.add(r.owner());
    args.add(r.decision());
    args.add(Integer.toString(r.claims().size()));
    args.add(Long.toString(r.longestTtl().toMillis()));
    for (Reservation.Claim c : r.claims()) {
      keys.add(prefix + c.key());
      args.add(Long.toString(c.ttl().toMillis()));
    }
    for (Reservation.Unit u : r.units()) {
      keys.add(prefix + u.key());
      args.add(Long.toString(u.max()));
      args.add(Long.toString(u.ttl().toMillis()));
    }
  }

  private Object eval(
      AtomicReference<@Nullable String> sha, String script, List<String> keys, List<String> args) {
    String loaded = sha.get();
    if (loaded == null) {
      loaded = redis.scriptLoad(script);
      sha.set(loaded);
    }
    try {
      return redis.evalsha(loaded, keys, args);
    } catch (JedisNoScriptException e) {
      // The server restarted or flushed its scripts: load again once.
      loaded = redis.scriptLoad(script);
      sha.set(loaded);
      return redis.evalsha(loaded, keys, args);
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
