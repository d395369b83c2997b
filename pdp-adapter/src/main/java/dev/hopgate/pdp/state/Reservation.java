package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.digest.Digests;
import java.time.Duration;
import java.util.List;

/**
 * Everything one ALLOW spends, reserved all or nothing (house spec, section 4, "State"): exclusive
 * claims (a {@code once} hop token, a {@code once} approval) and units of budgets (a step's {@code
 * max} per txn). {@code owner} identifies the request, so Envoy's retry of the same request finds
 * its own reservation and gets the same answer; {@code decision} is the decision that reserves, so
 * a retry learns which decision it repeats and a release undoes only what that decision wrote.
 */
public record Reservation(String owner, String decision, List<Claim> claims, List<Unit> units) {
  public Reservation {
    requireNonNull(owner, "owner");
    requireNonNull(decision, "decision");
    claims = List.copyOf(claims);
    units = List.copyOf(units);
  }

  /** A reservation whose owner is its own decision (nothing retries it). */
  public Reservation(String owner, List<Claim> claims, List<Unit> units) {
    this(owner, owner, claims, units);
  }

  /** The key naming the decision that wrote this owner's reservation (for retries and releases). */
  public String decidedKey() {
    return "decided:" + Digests.ofJson(List.of(owner)).substring(7);
  }

  /** The key that marks this reservation's decision as released: it may write nothing any more. */
  public String releasedKey() {
    return "released:" + Digests.ofJson(List.of(decision)).substring(7);
  }

  /** How long what this reservation writes lives: its longest claim or budget. */
  public Duration longestTtl() {
    Duration longest = Duration.ofMillis(1);
    for (Claim c : claims) {
      longest = c.ttl().compareTo(longest) > 0 ? c.ttl() : longest;
    }
    for (Unit u : units) {
      longest = u.ttl().compareTo(longest) > 0 ? u.ttl() : longest;
    }
    return longest;
  }

  /** A key held by one owner until {@code ttl} passes. */
  public record Claim(String key, Duration ttl) {
    public Claim {
      requireNonNull(key, "key");
      ttl = positive(ttl);
    }
  }

  /**
   * One unit of a budget of {@code max} distinct owners, the budget kept until {@code ttl} passes.
   */
  public record Unit(String key, long max, Duration ttl) {
    public Unit {
      requireNonNull(key, "key");
      ttl = positive(ttl);
    }
  }

  public boolean isEmpty() {
    return claims.isEmpty() && units.isEmpty();
  }

  private static Duration positive(Duration ttl) {
    requireNonNull(ttl, "ttl");
    return ttl.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : ttl;
  }

  /** What a reservation came to: all of it, or the first part that was already taken. */
  public sealed interface Outcome {
    /**
     * Everything is now held by the owner (freshly, or already by Envoy's retry of the request).
     */
    record Reserved() implements Outcome {}

    /**
     * Everything was already held by the owner, reserved by decision {@code decision}: this is
     * Envoy's retry of that decision, and nothing new was spent.
     */
    record Again(String decision) implements Outcome {}

    /** {@code claims().get(index)} is held by {@code holder}; nothing was reserved. */
    record ClaimHeld(int index, String holder) implements Outcome {}

    /**
     * {@code units().get(index)}'s budget is spent ({@code used} of its max); nothing was reserved.
     */
    record BudgetSpent(int index, long used) implements Outcome {}
  }
}
