package dev.hopgate.pdp.gate;

import static java.util.Objects.requireNonNull;

import java.util.Map;

/**
 * One finding that made a request fail: the gate, a fixed public code, and details a planner can
 * act on (for example {@code missing: [...]}).
 */
public record Violation(Gate gate, String code, Map<String, Object> details) {
  public Violation {
    requireNonNull(gate, "gate");
    requireNonNull(code, "code");
    details = Map.copyOf(requireNonNull(details, "details"));
  }

  public static Violation of(Gate gate, String code) {
    return new Violation(gate, code, Map.of());
  }
}
