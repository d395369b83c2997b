package dev.hopgate.pdp.decision;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.problem.Problem;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The answer to one Check.
 *
 * @param problem the denial's problem document; null exactly when the outcome is ALLOW
 * @param wwwAuthenticate the challenge for a 401, else null
 * @param policyRevision the revision of the policies that decided, or null when none ran
 * @param upstreamHeaders headers to set (replace) on the request sent upstream: on an ALLOW, the
 *     extended {@code Txn-Chain}
 * @param metadata facts for Envoy's dynamic metadata beyond the decision itself (the component and
 *     step of an ALLOW, for ext_proc to mint its completion record)
 * @param timings how long verification and evaluation took, for metrics
 */
public record Decision(
    String id,
    Outcome outcome,
    List<Violation> violations,
    @Nullable Problem problem,
    @Nullable String txn,
    @Nullable String wwwAuthenticate,
    @Nullable String policyRevision,
    Map<String, String> upstreamHeaders,
    Map<String, String> metadata,
    Timings timings) {
  /**
   * Nanoseconds spent in the structural floor and in the engine (0 when that stage did not run).
   */
  public record Timings(long floorNanos, long engineNanos) {
    public static final Timings NONE = new Timings(0, 0);
  }

  /** A decision without timings. */
  public Decision(
      String id,
      Outcome outcome,
      List<Violation> violations,
      @Nullable Problem problem,
      @Nullable String txn,
      @Nullable String wwwAuthenticate,
      @Nullable String policyRevision,
      Map<String, String> upstreamHeaders,
      Map<String, String> metadata) {
    this(
        id,
        outcome,
        violations,
        problem,
        txn,
        wwwAuthenticate,
        policyRevision,
        upstreamHeaders,
        metadata,
        Timings.NONE);
  }

  /** The same decision with one more metadata entry. */
  public Decision withMetadata(String key, String value) {
    Map<String, String> more = new java.util.HashMap<>(metadata);
    more.put(key, value);
    return new Decision(
        id,
        outcome,
        violations,
        problem,
        txn,
        wwwAuthenticate,
        policyRevision,
        upstreamHeaders,
        more,
        timings);
  }

  /** The same decision with its timings. */
  public Decision withTimings(Timings measured) {
    return new Decision(
        id,
        outcome,
        violations,
        problem,
        txn,
        wwwAuthenticate,
        policyRevision,
        upstreamHeaders,
        metadata,
        measured);
  }

  /** A decision that adds nothing upstream. */
  public Decision(
      String id,
      Outcome outcome,
      List<Violation> violations,
      @Nullable Problem problem,
      @Nullable String txn,
      @Nullable String wwwAuthenticate,
      @Nullable String policyRevision) {
    this(
        id,
        outcome,
        violations,
        problem,
        txn,
        wwwAuthenticate,
        policyRevision,
        Map.of(),
        Map.of(),
        Timings.NONE);
  }

  public Decision {
    requireNonNull(id, "id");
    requireNonNull(outcome, "outcome");
    violations = List.copyOf(requireNonNull(violations, "violations"));
    upstreamHeaders = Map.copyOf(requireNonNull(upstreamHeaders, "upstreamHeaders"));
    metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
    requireNonNull(timings, "timings");
    if ((outcome == Outcome.ALLOW) != (problem == null)) {
      throw new IllegalArgumentException("outcome " + outcome + " with problem " + problem);
    }
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOW;
  }
}
