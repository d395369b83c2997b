package dev.hopgate.pdp.engine;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.decision.Violation;
import java.util.List;

/**
 * What an engine found: allow, or the violations that deny. An allow never carries violations and
 * a deny always carries at least one, so every denial can say which gate failed.
 */
public record EngineDecision(boolean allow, List<Violation> violations) {
  public EngineDecision {
    violations = List.copyOf(requireNonNull(violations, "violations"));
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

  public static EngineDecision denied(List<Violation> violations) {
    return new EngineDecision(false, violations);
  }
}
