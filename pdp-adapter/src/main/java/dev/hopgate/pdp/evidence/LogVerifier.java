package dev.hopgate.pdp.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.token.JwsRejection;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.token.VerifiedJws;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Verifies a decision log: every record's hash, every {@code prev_hash} link, sequences rising by
 * one, and each signed checkpoint ({@link Checkpoints}): that it covers the record before it and,
 * given the enforcement point's key, that it is signed by it. Reports the first record where the
 * chain breaks and how, so an altered, removed, reordered or truncated record is found at its
 * sequence number; and whether the log ends with its closing checkpoint, so a cut tail is told.
 */
public final class LogVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param firstBadSequence the sequence number at which the chain breaks, or null when intact
   * @param problem what is wrong there, or null
   * @param checkpoints the checkpoints read
   * @param lastCheckpoint the sequence of the last checkpoint, or 0 when none
   * @param closed whether the last record is a closing checkpoint
   * @param tail the records after the last checkpoint
   * @param signaturesChecked whether each checkpoint's signature was checked against a key
   */
  public record Result(
      long records,
      @Nullable Long firstBadSequence,
      @Nullable Integer line,
      @Nullable String problem,
      long checkpoints,
      long lastCheckpoint,
      boolean closed,
      long tail,
      boolean signaturesChecked) {
    /** Whether the chain and every checkpoint in it verify (a log still open can be intact). */
    public boolean intact() {
      return problem == null;
    }
  }

  /** Verifies the chain and the checkpoints' consistency, not their signatures. */
  public static Result verify(Path file) throws IOException {
    return verify(file, null);
  }

  private LogVerifier() {}

  /**
   * @param keys the enforcement point's public keys, or null to leave checkpoint signatures
   *     unchecked
   */
  public static Result verify(Path file, @Nullable KeyResolver keys) throws IOException {
    return verify(file, keys, null);
  }

  /**
   * @param issuer the enforcement point every checkpoint must name ({@code iss}), or null for any
   *     one, the same throughout the log
   */
  public static Result verify(Path file, @Nullable KeyResolver keys, @Nullable String issuer)
      throws IOException {
    String[] signer = {issuer};
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    JwsVerifier jws = new JwsVerifier(1 << 20, Duration.ofMinutes(1));
    long checkpoints = 0;
    long lastCheckpoint = 0;
    boolean closed = false;
    long tail = 0;
    String prev = DecisionRecords.GENESIS;
    long expected = 1;
    long count = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = DecisionLog.STRICT.readTree(line);
      } catch (IOException e) {
        return broken(
            count, expected, i + 1, "line " + (i + 1) + " is not JSON (truncated or edited)");
      }
      long sequence = node.path("sequence").asLong(-1);
      if (sequence != expected) {
        boolean later = false;
        for (String rest : lines.subList(i + 1, lines.size())) {
          later |= rest.contains("\"sequence\":" + expected + ",");
        }
        String how =
            later || sequence < expected
                ? "record " + expected + " is out of order (reordered)"
                : "record " + expected + " is missing (removed)";
        return broken(count, expected, i + 1, how);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> record = JSON.convertValue(node, Map.class);
      if (!prev.equals(node.path("prev_hash").asText())) {
        return broken(
            count,
            sequence,
            i + 1,
            "record " + sequence + " does not link to the record before it");
      }
      if (!DecisionRecords.hash(record).equals(node.path("hash").asText())) {
        return broken(
            count,
            sequence,
            i + 1,
            "record " + sequence + " was altered (its hash does not match)");
      }
      if (Checkpoints.EVENT_TYPE.equals(node.path("event_type").asText())) {
        String wrong = checkpointProblem(node, sequence, prev, jws, keys, signer);
        if (wrong != null) {
          return broken(count, sequence, i + 1, wrong);
        }
        checkpoints++;
        lastCheckpoint = sequence;
        closed = node.at("/payload/closing").asBoolean(false);
        tail = 0;
      } else {
        closed = false;
        tail++;
      }
      prev = node.path("hash").asText();
      expected++;
      count++;
    }
    return new Result(
        count, null, null, null, checkpoints, lastCheckpoint, closed, tail, keys != null);
  }

  private static Result broken(long count, long sequence, int line, String problem) {
    return new Result(count, sequence, line, problem, 0, 0, false, 0, false);
  }

  /**
   * What is wrong with a checkpoint record, or null: it must cover the record just before it, and
   * (given keys) carry the same in a JWS the enforcement point signed.
   */
  private static @Nullable String checkpointProblem(
      JsonNode node,
      long sequence,
      String prev,
      JwsVerifier jws,
      @Nullable KeyResolver keys,
      @Nullable String[] signer) {
    JsonNode payload = node.path("payload");
    long covers = payload.path("covers").asLong(-1);
    String head = payload.path("head").asText("");
    boolean closing = payload.path("closing").asBoolean(false);
    if (covers != sequence - 1 || !head.equals(prev)) {
      return "checkpoint " + sequence + " does not cover the record before it";
    }
    if (keys == null) {
      return null;
    }
    VerifiedJws signed;
    try {
      signed =
          jws.verify(
              payload.path("jws").asText(""),
              Checkpoints.TYPE,
              TrustSet.DEFAULT_ALGORITHMS,
              keys,
              "Checkpoint " + sequence);
    } catch (JwsRejection e) {
      return "checkpoint "
          + sequence
          + " is not signed by the enforcement point's key ("
          + e.getMessage()
          + "): the log was rehashed, or written by another";
    }
    Map<String, Object> claims = signed.claims().getClaims();
    Object iss = claims.get("iss");
    if (signer[0] == null && iss instanceof String first) {
      signer[0] = first;
    }
    if (!java.util.Objects.equals(signer[0], iss)) {
      // A key set may hold several enforcement points' keys: one must not vouch for another's log.
      return "checkpoint " + sequence + " is signed as " + iss + ", not as " + signer[0];
    }
    boolean same =
        claims.get("covers") instanceof Number n
            && n.longValue() == covers
            && head.equals(claims.get("head"))
            && Boolean.valueOf(closing).equals(claims.get("closing"));
    return same ? null : "checkpoint " + sequence + " signs another head than it shows";
  }
}
