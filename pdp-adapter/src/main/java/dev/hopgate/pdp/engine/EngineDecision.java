package dev.hopgate.pdp.engine;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.problem.DisclosureLevel;
import java.util.List;

/**
 * What an engine found: allow, or the violations that deny. An allow never carries violations and a
 * deny always carries at least one, so every denial can say which gate failed.
 */
public record EngineDecision(
    boolean allow, List<Violation> violations, DisclosureLevel disclosure) {
  public EngineDecision {
    violations = List.copyOf(requireNonNull(violations, "violations"));
    requireNonNull(disclosure, "disclosure");
    if (allow && !violations.isEmpty()) {
      throw new IllegalArgumentException("an allow with " + violations.size() + " violations");
    }
    if (!allow && violations.isEmpty()) {
      throw new IllegalArgumentException("a deny without a violation");
    }
  }

  public static EngineDecision allowed() {
    return new EngineDecision(true, List.of());
  }

  public EngineDecision(boolean allow, List<Violation> violations) {
    this(allow, violations, DisclosureLevel.FULL);
  }

  public static EngineDecision denied(List<Violation> violations) {
    return new EngineDecision(false, violations);
  }

  /**
   * A denial whose policies ask that the caller see no more than {@code disclosure} (the strictest
   * any denying policy asked for: Cedar's {@code @disclosure}, a Rego violation's {@code
   * disclosure}); the route's level may cut further, never less.
   */
  public static EngineDecision denied(List<Violation> violations, DisclosureLevel disclosure) {
    return new EngineDecision(false, violations, disclosure);
  }
}
