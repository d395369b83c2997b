package dev.hopgate.pdp.manifest;

import java.util.Set;
import java.util.TreeSet;

/**
 * What a component may cause downstream ({@code delegates}): nothing when absent, everything it was
 * given for {@code "*"}, else the listed steps.
 */
public record Delegation(boolean all, Set<String> steps) {
  public static final Delegation NONE = new Delegation(false, Set.of());
  public static final Delegation ALL = new Delegation(true, Set.of());

  public Delegation {
    steps = Set.copyOf(steps);
  }

  /** The authority passed on when this component received {@code given}. */
  public Set<String> narrow(Set<String> given) {
    if (all) {
      return Set.copyOf(given);
    }
    Set<String> kept = new TreeSet<>(given);
    kept.retainAll(steps);
    return Set.copyOf(kept);
  }
}
