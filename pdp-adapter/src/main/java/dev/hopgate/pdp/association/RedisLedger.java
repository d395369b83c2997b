package dev.hopgate.pdp.association;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.state.RedisClients;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
  // KEYS[1]: the txn's hash. ARGV: decision, kind, component, step, enforcement point, at, record,
  // max hops, ttl ms. Returns 1 when a COMPLETE finds its START, 0 otherwise, -1 when the txn is full.
  private static final String RECORD = """
      local current = redis.call('HGET', KEYS[1], ARGV[1])
      local hop
      if current then
        hop = cjson.decode(current)
      else
        if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[8]) then return -1 end
        hop = {}
      end
      hop.component = ARGV[3]
      hop.step = ARGV[4]
      hop.ep = ARGV[5]
      local linked = 0
      if ARGV[2] == 'START' then
        hop.started = tonumber(ARGV[6])
      else
        hop.completed = tonumber(ARGV[6])
        hop.record = ARGV[7]
        if hop.started then linked = 1 end
      end
      redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(hop))
      redis.call('PEXPIRE', KEYS[1], ARGV[9])
      return linked
      """;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JedisPooled redis;
  private final String prefix;
  private final int maxHopsPerTxn;
  private final Duration txnTtl;
  private volatile String sha;

  public RedisLedger(URI uri, Duration timeout, String prefix, int maxHopsPerTxn, Duration txnTtl) {
    this.redis = RedisClients.pooled(requireNonNull(uri, "uri"), timeout);
    this.prefix = requireNonNull(prefix, "prefix");
    this.maxHopsPerTxn = maxHopsPerTxn;
    this.txnTtl = requireNonNull(txnTtl, "txnTtl");
  }

  @Override
  public boolean record(BoundarySignal s) {
    List<String> keys = List.of(key(s.txn()));
    List<String> args = List.of(s.decisionId(), s.kind().name(), s.component(), s.step(), s.enforcementPoint(),
        Long.toString(s.at().getEpochSecond()), s.completionRecord() == null ? "" : s.completionRecord(),
        Integer.toString(maxHopsPerTxn), Long.toString(txnTtl.toMillis()));
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
      try {
        JsonNode hop = JSON.readTree(e.getValue());
        linked.add(new LinkedHop(e.getKey(), hop.path("component").asText(), hop.path("step").asText(),
            hop.path("ep").asText(), instant(hop.get("started")), instant(hop.get("completed")),
            hop.hasNonNull("record") && !hop.get("record").asText().isEmpty() ? hop.get("record").asText() : null));
      } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
        // Not ours (or damaged): skipped; nothing in the ledger is trusted anyway.
      }
    }
    // A hash has no order: first seen first (started, else completed), then by decision id.
    linked.sort(Comparator.comparing((LinkedHop h) -> h.startedAt() != null ? h.startedAt()
        : h.completedAt() != null ? h.completedAt() : Instant.MAX).thenComparing(LinkedHop::decisionId));
    return linked;
  }

  private String key(String txn) {
    return prefix + "ledger:" + Digests.ofJson(List.of(txn)).substring(7);
  }

  private static Instant instant(JsonNode n) {
    return n == null || !n.canConvertToLong() ? null : Instant.ofEpochSecond(n.asLong());
  }

  @Override
  public void close() {
    redis.close();
  }
}
