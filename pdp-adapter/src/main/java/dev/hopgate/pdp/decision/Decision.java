package dev.hopgate.pdp.decision;

import static java.util.Objects.requireNonNull;

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
    Map<String, String> metadata) {
  /** A decision that adds nothing upstream. */
  public Decision(String id, Outcome outcome, List<Violation> violations, @Nullable Problem problem,
      @Nullable String txn, @Nullable String wwwAuthenticate, @Nullable String policyRevision) {
    this(id, outcome, violations, problem, txn, wwwAuthenticate, policyRevision, Map.of(), Map.of());
  }

  public Decision {
    requireNonNull(id, "id");
    requireNonNull(outcome, "outcome");
    violations = List.copyOf(requireNonNull(violations, "violations"));
    upstreamHeaders = Map.copyOf(requireNonNull(upstreamHeaders, "upstreamHeaders"));
    metadata = Map.copyOf(requireNonNull(metadata, "metadata"));
    if ((outcome == Outcome.ALLOW) != (problem == null)) {
      throw new IllegalArgumentException("outcome " + outcome + " with problem " + problem);
    }
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOW;
  }
}
