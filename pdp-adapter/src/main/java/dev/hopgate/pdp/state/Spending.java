package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.floor.VerifiedFacts;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.token.HopToken;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What an ALLOW spends, in one atomic reservation: the one-time hop token, the {@code once}
 * approvals its step unlocks with and a unit of the step's budget. Only an ALLOW spends (a deny
 * never consumes), and it stands only if everything it spends was still there.
 */
public final class Spending {
  private final OneTimeTokens oneTimeTokens;
  private final SequenceState sequenceState;

  public Spending(OneTimeTokens oneTimeTokens) {
    this.oneTimeTokens = requireNonNull(oneTimeTokens, "oneTimeTokens");
    this.sequenceState = new SequenceState(oneTimeTokens.store(), oneTimeTokens.clockSkew());
  }

  /** What an ALLOW's reservation came to. */
  public sealed interface Spent {
    /** Everything reserved (or nothing to reserve): the ALLOW stands. */
    record Reserved() implements Spent {}

    /** These {@code once} approvals are spent (or were never there): sequence {@code consumed}. */
    record ApprovalsConsumed(List<String> steps) implements Spent {}

    /** The step's budget is used up: sequence {@code budget_exhausted}. */
    record BudgetExhausted(long max, long used) implements Spent {}

    /** The one-time hop token was used by another request: {@code token_consumed}. */
    record TokenConsumed() implements Spent {}
  }

  /**
   * Who spends on behalf of {@code request} (Envoy's retries of it are the same spender).
   *
   * @see OneTimeTokens#owner
   */
  public static String owner(HopRequest request, String decisionId) {
    return OneTimeTokens.owner(request, decisionId);
  }

  /** What the store says of the step's approvals and budget, for the input document. */
  public SequenceState.Observed observe(
      @Nullable ProcessDefinition process, String step, VerifiedFacts facts, String owner)
      throws StateException {
    return process == null
        ? SequenceState.Observed.NOTHING
        : sequenceState.observe(process, step, facts, owner);
  }

  /** Reserves everything an ALLOW of {@code step} spends, or says what was no longer there. */
  public Spent spend(
      HopRequest request,
      HopToken hop,
      VerifiedFacts facts,
      @Nullable ProcessDefinition process,
      String step,
      SequenceState.Observed observed,
      String owner,
      Instant now)
      throws StateException {
    SequenceState.Spend plan =
        process == null
            ? SequenceState.Spend.NOTHING
            : sequenceState.plan(process, step, facts, observed, now);
    if (!plan.unavailable().isEmpty()) {
      return new Spent.ApprovalsConsumed(List.copyOf(new TreeSet<>(plan.unavailable())));
    }
    if (hop.once() && !oneTimeTokens.retryHonoured(request, now)) {
      // Envoy's request time is past the retry window: not a fresh request, nor a retry still
      // answered the same. Refused before anything is reserved, so it spends nothing.
      return new Spent.TokenConsumed();
    }
    List<Reservation.Claim> claims = new ArrayList<>();
    if (hop.once()) {
      claims.add(oneTimeTokens.claim(hop, now));
    }
    int approvals = claims.size();
    claims.addAll(plan.claims());
    Reservation reservation = new Reservation(owner, claims, plan.units());
    if (reservation.isEmpty()) {
      return new Spent.Reserved();
    }
    Reservation.Outcome outcome = oneTimeTokens.store().reserve(reservation);
    if (outcome instanceof Reservation.Outcome.ClaimHeld held) {
      return held.index() < approvals
          ? new Spent.TokenConsumed()
          : new Spent.ApprovalsConsumed(List.of(plan.claimedSteps().get(held.index() - approvals)));
    }
    if (outcome instanceof Reservation.Outcome.BudgetSpent budget) {
      return new Spent.BudgetExhausted(plan.units().get(budget.index()).max(), budget.used());
    }
    return new Spent.Reserved();
  }
}
