package dev.hopgate.pdp.decision;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.Problems;
import dev.hopgate.pdp.route.Route;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The answer to one Check. Made by its factories: {@link #allow}, {@link #deny}, {@link #abort},
 * {@link #timeout} (the named denials of the decision path are {@link Denials}).
 *
 * @param problem the denial's problem document; null exactly when the outcome is ALLOW
 * @param wwwAuthenticate the challenge for a 401, else null
 * @param policyRevision the revision of the policies that decided, or null when none ran
 * @param upstreamHeaders headers to set (replace) on the request sent upstream: on an ALLOW, the
 *     extended {@code Txn-Chain}
 * @param about what was decided: the route, the hop, the MCP call (for the response, Envoy's
 *     dynamic metadata, ext_proc and the decision log)
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
    About about,
    Timings timings) {

  /**
   * What a decision was about.
   *
   * @param route the route's settings, or null when they could not be read
   * @param component the component of an ALLOW (ext_proc mints its completion), else null
   * @param step the step of an ALLOW, else null (a session method names none)
   * @param deadline the origin's deadline, on an ALLOW that names a step
   * @param mcp the MCP call, on an MCP route
   * @param policyDisclosure the disclosure the denying policies ask for (the route may cut further)
   * @param decidedByStore whether the state store, not the engine, turned an ALLOW into this DENY
   * @param traceId the request's W3C trace id, or null
   */
  public record About(
      @Nullable Route route,
      @Nullable String component,
      @Nullable String step,
      @Nullable Instant deadline,
      @Nullable McpFacts mcp,
      DisclosureLevel policyDisclosure,
      boolean decidedByStore,
      @Nullable String traceId) {
    public static final About NOTHING =
        new About(null, null, null, null, null, DisclosureLevel.FULL, false, null);

    public About {
      requireNonNull(policyDisclosure, "policyDisclosure");
    }

    /** An ALLOW of {@code step} (or of a session method, when null) by {@code component}. */
    public static About hop(String component, @Nullable String step, @Nullable Instant deadline) {
      return new About(null, component, step, deadline, null, DisclosureLevel.FULL, false, null);
    }

    public About withRoute(@Nullable Route r) {
      return new About(
          r, component, step, deadline, mcp, policyDisclosure, decidedByStore, traceId);
    }

    /** The same facts with what the whole request told: its route, MCP call and trace id. */
    public About of(@Nullable Route r, @Nullable McpFacts m, @Nullable String t) {
      return new About(r, component, step, deadline, m, policyDisclosure, decidedByStore, t);
    }

    /** The disclosure the caller gets: the route's, cut further where the policies ask. */
    public DisclosureLevel disclosure() {
      return (route == null ? DisclosureLevel.FULL : route.disclosure()).stricter(policyDisclosure);
    }
  }

  /**
   * Nanoseconds spent in the structural floor and in the engine (0 when that stage did not run).
   */
  public record Timings(long floorNanos, long engineNanos) {
    public static final Timings NONE = new Timings(0, 0);
  }

  public Decision {
    requireNonNull(id, "id");
    requireNonNull(outcome, "outcome");
    violations = List.copyOf(requireNonNull(violations, "violations"));
    upstreamHeaders = Map.copyOf(requireNonNull(upstreamHeaders, "upstreamHeaders"));
    requireNonNull(about, "about");
    requireNonNull(timings, "timings");
    if ((outcome == Outcome.ALLOW) != (problem == null)) {
      throw new IllegalArgumentException("outcome " + outcome + " with problem " + problem);
    }
  }

  /** An ALLOW: what it sets upstream and what it was about. */
  public static Decision allow(
      String id,
      String txn,
      @Nullable String policyRevision,
      Map<String, String> upstreamHeaders,
      About about) {
    return new Decision(
        id,
        Outcome.ALLOW,
        List.of(),
        null,
        txn,
        null,
        policyRevision,
        upstreamHeaders,
        about,
        Timings.NONE);
  }

  /** A DENY for these violations, explained by {@code problem}. */
  public static Decision deny(
      String id,
      List<Violation> violations,
      Problem problem,
      @Nullable String txn,
      @Nullable String policyRevision) {
    return of(id, Outcome.DENY, violations, problem, txn, policyRevision);
  }

  /** A DENY for one violation. */
  public static Decision deny(
      String id,
      Violation violation,
      Problem problem,
      @Nullable String txn,
      @Nullable String policyRevision) {
    return deny(id, List.of(violation), problem, txn, policyRevision);
  }

  /** Evaluation could not finish ({@code code} names why): a deny, hopgate fails closed. */
  public static Decision abort(
      String id, @Nullable String txn, String code, @Nullable String policyRevision) {
    return undecided(id, Outcome.ABORT, txn, code, policyRevision);
  }

  /**
   * The decision could not finish in time ({@code code}: {@code evaluation_timeout} for the
   * engine's own limit, {@code deadline_exceeded} for the caller's deadline): a deny that spent
   * nothing.
   */
  public static Decision timeout(
      String id, @Nullable String txn, String code, @Nullable String policyRevision) {
    return undecided(id, Outcome.TIMEOUT, txn, code, policyRevision);
  }

  private static Decision undecided(
      String id,
      Outcome outcome,
      @Nullable String txn,
      String code,
      @Nullable String policyRevision) {
    return of(
        id,
        outcome,
        List.of(Violation.of(Gate.EVALUATION, code)),
        Problems.aborted(id, txn, code),
        txn,
        policyRevision);
  }

  /** A denial of any outcome (a floor rejection carries its own). */
  public static Decision of(
      String id,
      Outcome outcome,
      List<Violation> violations,
      Problem problem,
      @Nullable String txn,
      @Nullable String policyRevision) {
    return new Decision(
        id,
        outcome,
        violations,
        requireNonNull(problem, "problem"),
        txn,
        null,
        policyRevision,
        Map.of(),
        About.NOTHING,
        Timings.NONE);
  }

  /** The same denial with an RFC 6750 challenge for its 401. */
  public Decision withChallenge(@Nullable String challenge) {
    return new Decision(
        id,
        outcome,
        violations,
        problem,
        txn,
        challenge,
        policyRevision,
        upstreamHeaders,
        about,
        timings);
  }

  /** The same decision, about {@code more}. */
  public Decision withAbout(About more) {
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
        about,
        measured);
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOW;
  }
}
