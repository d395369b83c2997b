package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.floor.Completion;
import dev.hopgate.pdp.floor.VerifiedFacts;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessEdge;
import dev.hopgate.pdp.process.ProcessStep;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The state behind a process's temporal conditions: which approvals ({@code once} completions) an
 * ALLOW already spent, and how much of a step's per-txn budget ({@code max}) is used. Read before
 * the decision, for the input document; reserved after an ALLOW, atomically with the rest of what
 * it spends ({@link Reservation}).
 *
 * <p>An approval is named by its txn, step and the decision that allowed it (one completion per
 * allowed decision), so a new approval of the same step is a new, unspent one. Budgets count
 * distinct requests, so Envoy's retry of an allowed request never spends a second unit.
 */
public final class SequenceState {
  private final StateStore store;
  private final Duration clockSkew;

  public SequenceState(StateStore store, Duration clockSkew) {
    this.store = requireNonNull(store, "store");
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
  }

  /** What the store says about this step's approvals and budget. */
  public record Observed(long usage, Set<String> spentApprovals) {
    public static final Observed NOTHING = new Observed(0, Set.of());

    public Observed {
      spentApprovals = Set.copyOf(spentApprovals);
    }

    /** Whether {@code c} was spent by an earlier ALLOW. */
    public boolean spent(Completion c) {
      return spentApprovals.contains(approvalKey(c));
    }
  }

  /**
   * What an ALLOW of the step spends: a claim on one unspent approval within its window for each
   * {@code once} prerequisite, a unit of the step's budget. {@code unavailable} names the {@code
   * once} prerequisites with no such approval (the engines allowed, yet nothing is left to spend:
   * the ALLOW must become a {@code consumed} deny).
   */
  public record Spend(
      List<Reservation.Claim> claims,
      List<String> claimedSteps,
      List<Reservation.Unit> units,
      List<String> unavailable) {
    public static final Spend NOTHING = new Spend(List.of(), List.of(), List.of(), List.of());
  }

  /** Whether deciding {@code step} reads or spends any state (most steps do not). */
  public static boolean conditioned(ProcessDefinition process, String step) {
    ProcessStep s = process.steps().get(step);
    if (s != null && s.max() != null) {
      return true;
    }
    for (String pre : process.prerequisites(step)) {
      ProcessStep p = process.steps().get(pre);
      if (p != null && p.once()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads the budget used by other requests and which approvals of {@code once} prerequisites were
   * spent by other requests.
   */
  public Observed observe(ProcessDefinition process, String step, VerifiedFacts facts, String owner)
      throws StateException {
    if (!conditioned(process, step)) {
      return Observed.NOTHING;
    }
    long usage = 0;
    ProcessStep s = process.steps().get(step);
    if (s != null && s.max() != null) {
      usage = store.used(usageKey(facts.origin().txn(), step), owner);
    }
    Set<String> spent = new HashSet<>();
    for (Completion c : facts.completions().completed()) {
      if (isApprovalFor(process, step, c)) {
        String holder = store.holder(approvalKey(c));
        if (holder != null && !holder.equals(owner)) {
          spent.add(approvalKey(c));
        }
      }
    }
    return new Observed(usage, spent);
  }

  /** What an ALLOW of {@code step} spends, given what {@link #observe} saw. */
  public Spend plan(
      ProcessDefinition process, String step, VerifiedFacts facts, Observed observed, Instant now) {
    if (!conditioned(process, step)) {
      return Spend.NOTHING;
    }
    List<Reservation.Claim> claims = new ArrayList<>();
    List<String> claimedSteps = new ArrayList<>();
    List<String> unavailable = new ArrayList<>();
    for (String pre : process.prerequisites(step)) {
      ProcessStep p = process.steps().get(pre);
      if (p == null || !p.once()) {
        continue;
      }
      Completion chosen = newestUsable(process, step, pre, facts, observed, now);
      if (chosen == null) {
        unavailable.add(pre);
      } else {
        claims.add(
            new Reservation.Claim(
                approvalKey(chosen), Duration.between(now, chosen.expiresAt().plus(clockSkew))));
        claimedSteps.add(pre);
      }
    }
    List<Reservation.Unit> units = new ArrayList<>();
    ProcessStep s = process.steps().get(step);
    if (s != null && s.max() != null) {
      units.add(
          new Reservation.Unit(
              usageKey(facts.origin().txn(), step),
              s.max(),
              Duration.between(now, facts.origin().deadline().plus(clockSkew))));
    }
    return new Spend(claims, claimedSteps, units, unavailable);
  }

  /**
   * The newest completion of {@code pre} within the window of its edge into {@code step}, not
   * spent.
   */
  private static @Nullable Completion newestUsable(
      ProcessDefinition process,
      String step,
      String pre,
      VerifiedFacts facts,
      Observed observed,
      Instant now) {
    Duration window = null;
    for (ProcessEdge e : process.edges()) {
      if (e.from().equals(pre) && e.to().equals(step)) {
        window = e.within();
      }
    }
    Completion newest = null;
    for (Completion c : facts.completions().completed()) {
      boolean fresh =
          window == null
              || now.getEpochSecond() - c.completedAt().getEpochSecond() <= window.toSeconds();
      if (c.step().equals(pre)
          && process.performableAt(pre, c.component())
          && fresh
          && !observed.spent(c)
          && (newest == null || c.completedAt().isAfter(newest.completedAt()))) {
        newest = c;
      }
    }
    return newest;
  }

  private static boolean isApprovalFor(ProcessDefinition process, String step, Completion c) {
    ProcessStep p = process.steps().get(c.step());
    return p != null && p.once() && process.prerequisites(step).contains(c.step());
  }

  static String approvalKey(Completion c) {
    return "spent:" + Digests.ofJson(List.of(c.txn(), c.step(), c.decision())).substring(7);
  }

  static String usageKey(String txn, String step) {
    return "usage:" + Digests.ofJson(List.of(txn, step)).substring(7);
  }
}
