package dev.hopgate.pdp.decision;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.problem.Problem;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The answer to one Check.
 *
 * @param problem the denial's problem document; null exactly when the outcome is ALLOW
 * @param wwwAuthenticate the challenge for a 401, else null
 * @param policyRevision the revision of the policies that decided, or null when none ran
 */
public record Decision(
    String id,
    Outcome outcome,
    List<Violation> violations,
    @Nullable Problem problem,
    @Nullable String txn,
    @Nullable String wwwAuthenticate,
    @Nullable String policyRevision) {
  public Decision {
    requireNonNull(id, "id");
    requireNonNull(outcome, "outcome");
    violations = List.copyOf(requireNonNull(violations, "violations"));
    if ((outcome == Outcome.ALLOW) != (problem == null)) {
      throw new IllegalArgumentException("outcome " + outcome + " with problem " + problem);
    }
  }

  public boolean allowed() {
    return outcome == Outcome.ALLOW;
  }
}
