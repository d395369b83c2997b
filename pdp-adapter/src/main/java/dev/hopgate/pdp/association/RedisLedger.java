package dev.hopgate.pdp.association;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.floor.LinkedHop;
import dev.hopgate.pdp.state.RedisClients;
import dev.hopgate.pdp.state.RedisEndpoint;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * The ledger shared through Redis: one hash per txn (field: decision id, value: the hop as JSON),
 * merged by one Lua script per signal so two hopgates recording a START and its COMPLETE at once
 * cannot lose either; bounded per txn and expiring a while after the txn's last signal. Every
 * hopgate of a mesh pointing at the same Redis shares the ledger without an association process.
 * Failures surface as runtime exceptions; callers treat them as a lost signal or an empty view.
 */
public final class RedisLedger implements Ledger, AutoCloseable {
  // KEYS[1]: the txn's hash. ARGV: decision, kind, component, step, enforcement point, at, artifact
  // (START: the transition, COMPLETE: the record), max hops, ttl ms, max characters. A hop's first
  // transition and first record stay. The field '#chars' counts what the txn holds (never a
  // decision id: those are checked before they reach a ledger). Returns 1 when a COMPLETE finds its
  // START, 0 otherwise, -1 when the txn is full.
  private static final String RECORD =
      """
      local current = redis.call('HGET', KEYS[1], ARGV[1])
      local hop
      local before = 0
      if current then
        hop = cjson.decode(current)
        before = string.len(current)
      else
        local hops = redis.call('HLEN', KEYS[1])
        if redis.call('HEXISTS', KEYS[1], '#chars') == 1 then hops = hops - 1 end
        if hops >= tonumber(ARGV[8]) then return -1 end
        hop = {component = ARGV[3], step = ARGV[4], ep = ARGV[5]}
      end
      local linked = 0
      if ARGV[2] == 'START' then
        if hop.started then return 0 end
        hop.started = tonumber(ARGV[6])
        hop.transition = ARGV[7]
      else
        if hop.started then linked = 1 end
        if hop.record then return linked end
        hop.completed = tonumber(ARGV[6])
        hop.record = ARGV[7]
      end
      local encoded = cjson.encode(hop)
      local chars = tonumber(redis.call('HGET', KEYS[1], '#chars') or '0') + string.len(encoded) - before
      if chars > tonumber(ARGV[10]) then return -1 end
      redis.call('HSET', KEYS[1], ARGV[1], encoded, '#chars', chars)
      redis.call('PEXPIRE', KEYS[1], ARGV[9])
      return linked
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** 9999-12-31T23:59:59Z. */
  private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  private final JedisPooled redis;
  private final String prefix;
  private final int maxHopsPerTxn;
  private final Duration txnTtl;
  private volatile @Nullable String sha;

  public RedisLedger(URI uri, Duration timeout, String prefix, int maxHopsPerTxn, Duration txnTtl) {
    this(RedisEndpoint.parse(uri.toString(), null), timeout, prefix, maxHopsPerTxn, txnTtl);
  }

  public RedisLedger(
      RedisEndpoint endpoint, Duration timeout, String prefix, int maxHopsPerTxn, Duration txnTtl) {
    this.redis = RedisClients.pooled(requireNonNull(endpoint, "endpoint"), timeout);
    this.prefix = requireNonNull(prefix, "prefix");
    this.maxHopsPerTxn = maxHopsPerTxn;
    this.txnTtl = requireNonNull(txnTtl, "txnTtl");
  }

  @Override
  public boolean record(BoundarySignal s) {
    List<String> keys = List.of(key(s.txn()));
    List<String> args =
        List.of(
            s.decisionId(),
            s.kind().name(),
            s.component(),
            s.step(),
            s.enforcementPoint(),
            Long.toString(s.at().getEpochSecond()),
            s.artifact(),
            Integer.toString(maxHopsPerTxn),
            Long.toString(txnTtl.toMillis()),
            Long.toString(MAX_CHARS_PER_TXN));
    Object answer;
    String loaded = sha;
    if (loaded == null) {
      loaded = sha = redis.scriptLoad(RECORD);
    }
    try {
      answer = redis.evalsha(loaded, keys, args);
    } catch (JedisNoScriptException e) {
      sha = redis.scriptLoad(RECORD);
      answer = redis.evalsha(sha, keys, args);
    }
    return Long.valueOf(1).equals(answer);
  }

  @Override
  public List<LinkedHop> linkage(String txn) {
    Map<String, String> hops = redis.hgetAll(key(txn));
    List<LinkedHop> linked = new ArrayList<>();
    for (Map.Entry<String, String> e : hops.entrySet()) {
      if (e.getKey().startsWith("#")) {
        continue;
      }
      try {
        JsonNode hop = JSON.readTree(e.getValue());
        linked.add(
            new LinkedHop(
                e.getKey(),
                hop.path("component").asText(),
                hop.path("step").asText(),
                hop.path("ep").asText(),
                instant(hop.get("started")),
                instant(hop.get("completed")),
                text(hop, "transition"),
                text(hop, "record")));
      } catch (JsonProcessingException ex) {
        // Not ours (or damaged): skipped; nothing in the ledger is trusted anyway.
      }
    }
    // A hash has no order: first seen first (started, else completed), then by decision id.
    linked.sort(
        Comparator.comparing(
                (LinkedHop h) ->
                    h.startedAt() != null
                        ? h.startedAt()
                        : h.completedAt() != null ? h.completedAt() : Instant.MAX)
            .thenComparing(LinkedHop::decisionId));
    return linked;
  }

  private String key(String txn) {
    return prefix + "ledger:" + Digests.ofJson(List.of(txn)).substring(7);
  }

  // A time out of Instant's range is read as none: what Redis holds is not trusted either.
  private static @Nullable Instant instant(@Nullable JsonNode n) {
    if (n == null || !n.canConvertToLong()) {
      return null;
    }
    long seconds = n.asLong();
    return seconds <= 0 || seconds > MAX_EPOCH_SECOND ? null : Instant.ofEpochSecond(seconds);
  }

  private static @Nullable String text(JsonNode hop, String field) {
    return hop.hasNonNull(field) && !hop.get(field).asText().isEmpty()
        ? hop.get(field).asText()
        : null;
  }

  @Override
  public void close() {
    redis.close();
  }
}
