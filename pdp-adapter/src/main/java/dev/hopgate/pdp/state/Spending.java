package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.floor.VerifiedFacts;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.token.HopToken;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * What an ALLOW spends, in one atomic reservation: the one-time hop token, the {@code once}
 * approvals its step unlocks with and a unit of the step's budget. Only an ALLOW spends (a deny
 * never consumes), and it stands only if everything it spends was still there.
 */
public final class Spending {
  private final OneTimeTokens oneTimeTokens;
  private final SequenceState sequenceState;
  private final AtomicLong released = new AtomicLong();
  private final AtomicLong unreleased = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();

  public Spending(OneTimeTokens oneTimeTokens) {
    this.oneTimeTokens = requireNonNull(oneTimeTokens, "oneTimeTokens");
    this.sequenceState = new SequenceState(oneTimeTokens.store(), oneTimeTokens.clockSkew());
  }

  /** What an ALLOW's reservation came to. */
  public sealed interface Spent {
    /**
     * Everything reserved (or nothing to reserve, {@code made} null): the ALLOW stands, and if its
     * answer cannot be given (a deadline passed, the log refused it) {@code made} is released.
     */
    record Reserved(@Nullable Reservation made) implements Spent {}

    /**
     * Envoy's retry of decision {@code decision}: everything was already held by this request, so
     * the ALLOW is that decision's, answered again; nothing new was spent.
     */
    record Again(String decision) implements Spent {}

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

  /**
   * Reserves everything an ALLOW of {@code step} spends, or says what was no longer there.
   *
   * @param decision the deciding decision's id (a retry learns the id of the decision it repeats)
   * @throws Unanswered when the store's reply did not come (the reservation may have been made)
   */
  public Spent spend(
      HopRequest request,
      HopToken hop,
      VerifiedFacts facts,
      @Nullable ProcessDefinition process,
      String step,
      SequenceState.Observed observed,
      String owner,
      String decision,
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
    Reservation reservation = new Reservation(owner, decision, claims, plan.units());
    if (reservation.isEmpty()) {
      return new Spent.Reserved(null);
    }
    Reservation.Outcome outcome;
    try {
      outcome = oneTimeTokens.store().reserve(reservation);
    } catch (StateFull e) {
      throw e; // refused before anything was written: nothing to release
    } catch (StateException e) {
      // The script may have run and only its reply been lost: the caller releases it.
      throw new Unanswered(e, reservation);
    }
    if (outcome instanceof Reservation.Outcome.Again again) {
      return new Spent.Again(again.decision());
    }
    if (outcome instanceof Reservation.Outcome.ClaimHeld held) {
      return held.index() < approvals
          ? new Spent.TokenConsumed()
          : new Spent.ApprovalsConsumed(List.of(plan.claimedSteps().get(held.index() - approvals)));
    }
    if (outcome instanceof Reservation.Outcome.BudgetSpent budget) {
      return new Spent.BudgetExhausted(plan.units().get(budget.index()).max(), budget.used());
    }
    return new Spent.Reserved(reservation);
  }

  /**
   * Undoes what {@code reservation} wrote, once its ALLOW cannot be answered.
   *
   * @return whether something was undone
   */
  public boolean release(Reservation reservation) throws StateException {
    return oneTimeTokens.store().release(reservation);
  }

  public void countReleased() {
    released.incrementAndGet();
  }

  public void countUnreleased() {
    unreleased.incrementAndGet();
  }

  public void countRetry() {
    retries.incrementAndGet();
  }

  /** Reservations of ALLOWs never answered (a deadline, a lost reply, a refused record) undone. */
  public long released() {
    return released.get();
  }

  /**
   * Reservations that could not be undone: spent although no client saw their ALLOW, until they
   * expire or Envoy's retry of the request uses them.
   */
  public long unreleased() {
    return unreleased.get();
  }

  /** Envoy's retries answered as the ALLOW they repeat. */
  public long retries() {
    return retries.get();
  }

  /** What the log says of a reservation left spent: its keys (digests), never a token. */
  public static Map<String, Object> describe(String decisionId, Reservation made) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("decision_id", decisionId);
    p.put("claims", made.claims().stream().map(Reservation.Claim::key).toList());
    p.put("budgets", made.units().stream().map(Reservation.Unit::key).toList());
    return p;
  }

  /** The store did not answer a reservation: it may or may not have been made. */
  public static final class Unanswered extends StateException {
    private static final long serialVersionUID = 1L;
    private final transient Reservation reservation;

    Unanswered(StateException cause, Reservation reservation) {
      super(String.valueOf(cause.getMessage()), cause);
      this.reservation = reservation;
    }

    /** What may have been reserved: to be released. */
    public Reservation reservation() {
      return reservation;
    }
  }
}
