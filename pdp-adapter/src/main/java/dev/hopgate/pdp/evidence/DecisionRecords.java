package dev.hopgate.pdp.evidence;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.gate.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One decision as a log record, and the hash that chains it: {@code hash} is {@code sha256:} over
 * the RFC 8785 form of the record without {@code hash}, {@code prev_hash} included, so editing,
 * removing or reordering any record breaks every hash after it.
 */
final class DecisionRecords {
  /** The {@code prev_hash} of the first record of a log. */
  public static final String GENESIS = "sha256:" + "0".repeat(64);

  private DecisionRecords() {}

  /**
   * The payload of a decision: what was decided and on what, never a token or a key (only digests).
   *
   * @param input the input document (FULL trace), or null (MINIMAL)
   */
  public static Map<String, Object> payload(
      Decision decision,
      String engine,
      @Nullable String inputDigest,
      @Nullable Map<String, Object> input) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("decision_id", decision.id());
    p.put("outcome", decision.outcome().name());
    List<String> gates = new ArrayList<>();
    List<String> codes = new ArrayList<>();
    for (Violation v : decision.violations()) {
      if (!gates.contains(v.gate().wireName())) {
        gates.add(v.gate().wireName());
      }
      codes.add(v.code());
    }
    p.put("gates", gates);
    p.put("codes", codes);
    p.put("engine", engine);
    if (decision.policyRevision() != null) {
      p.put("policy_revision", decision.policyRevision());
    }
    if (inputDigest != null) {
      p.put("input_digest", inputDigest);
    }
    Decision.About about = decision.about();
    if (about.traceId() != null) {
      p.put("trace_id", about.traceId());
    }
    if (about.decidedByStore()) {
      p.put("decided_by", "state_store");
    }
    if (about.route() != null) {
      p.put("route", about.route().name());
    }
    if (about.step() != null) {
      p.put("component", about.component());
      p.put("step", about.step());
    }
    String retryOf = retryOf(about);
    if (retryOf != null) {
      p.put("retry_of", retryOf);
    }
    if (input != null) {
      p.put("input", input);
    }
    return p;
  }

  /** A decision id as {@code DecisionIds} writes them (a UUID, lower case). */
  private static final java.util.regex.Pattern DECISION_ID =
      java.util.regex.Pattern.compile(
          "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  /**
   * The earlier denial an MCP client says this request retries (the {@code authorizationContextId}
   * it echoes, SEP-2643): correlation for whoever reads the log, never authority, and kept only
   * when it reads as a decision id, since the client wrote it.
   */
  private static @Nullable String retryOf(Decision.About about) {
    var call = about.mcp() == null ? null : about.mcp().call();
    String echoed = call == null ? null : call.contextId();
    return echoed != null && DECISION_ID.matcher(echoed).matches() ? echoed : null;
  }

  /** A complete record, hashed onto {@code prevHash}. */
  public static Map<String, Object> record(
      long sequence,
      Instant at,
      String eventType,
      @Nullable String txn,
      Map<String, Object> payload,
      String prevHash) {
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("event_type", eventType);
    r.put("timestamp", at.toString());
    if (txn != null) {
      r.put("txn", txn);
    }
    r.put("sequence", sequence);
    r.put("payload", payload);
    r.put("prev_hash", prevHash);
    r.put("hash", hash(r));
    return r;
  }

  /** The hash of a record: over everything but {@code hash} itself. */
  public static String hash(Map<String, Object> record) {
    Map<String, Object> unhashed = new LinkedHashMap<>(record);
    unhashed.remove("hash");
    return Digests.ofJson(unhashed);
  }
}
