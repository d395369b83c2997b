package dev.hopgate.pdp.engine;

import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.Freshness;
import dev.hopgate.pdp.input.InputDocument;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The details of each gate violation, from the input document: what an engine that cannot return
 * details (Cedar) is given, and what the Rego policies compute themselves. The conformance corpus
 * proves both agree.
 */
public final class ViolationDetails {
  private ViolationDetails() {}

  /** {@code violation} with its details filled in from {@code input}. */
  public static Violation of(Violation violation, InputDocument input) {
    String step = input.hop().step();
    Map<String, Object> details = new LinkedHashMap<>(violation.details());
    switch (violation.gate()) {
      case CAPABILITY -> {
        details.put("component", input.hop().component());
        details.put("step", step);
      }
      case AUTHORIZATION -> details.put("step", step);
      case SEQUENCE -> {
        switch (violation.code()) {
          case "missing_prerequisites" -> details.put("missing", missing(input));
          case "expired_prerequisites" ->
              details.put("expired", Freshness.expiredPrerequisites(input));
          case "consumed" -> details.put("consumed", Freshness.consumedPrerequisites(input));
          case "budget_exhausted" -> {
            details.put("step", step);
            details.put("max", input.usage().max());
            details.put("used", input.usage().count());
          }
          default -> {}
        }
      }
      case SCOPE -> {
        details.put("step", step);
        if (input.intent().declared()) {
          details.put("process", input.intent().process());
        }
      }
      default -> {}
    }
    return new Violation(violation.gate(), violation.code(), details);
  }

  /**
   * The prerequisites (process edges and the manifest's expects_completed) not completed, sorted.
   */
  public static List<String> missing(InputDocument input) {
    Set<String> needed = new TreeSet<>(input.intent().prerequisites());
    needed.addAll(input.manifest().expectsCompleted());
    input.completed().forEach(c -> needed.remove(c.step()));
    return List.copyOf(needed);
  }
}
