package dev.hopgate.pdp.problem;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How much a route's policy denials tell the caller (context extension {@code disclosure}). The
 * decision log always keeps everything; only the answer is cut, so an operator can stop a caller
 * from enumerating tools and steps while still finding the decision by its id.
 */
public enum DisclosureLevel {
  /** The whole problem: violations with their details, the repair with step names. */
  FULL,
  /** Gate and code of each violation, repair actions without their steps or components. */
  MINIMAL,
  /** A generic denial and the decision id; the detail only in the decision log. */
  UNDISCLOSED;

  /** The route's context extension naming the level. */
  public static final String EXTENSION = "disclosure";

  /**
   * @throws IllegalArgumentException naming the extension and what it accepts
   */
  public static DisclosureLevel of(Map<String, String> contextExtensions) {
    String value = contextExtensions.getOrDefault(EXTENSION, "full");
    return named(value)
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "This route's context extension '"
                        + EXTENSION
                        + "' is '"
                        + value
                        + "' (expected: full, minimal or undisclosed)."));
  }

  /** The level a route or a policy names ({@code full}, {@code minimal}, {@code undisclosed}). */
  public static Optional<DisclosureLevel> named(String value) {
    return switch (value) {
      case "full" -> java.util.Optional.of(FULL);
      case "minimal" -> java.util.Optional.of(MINIMAL);
      case "undisclosed" -> java.util.Optional.of(UNDISCLOSED);
      default -> Optional.empty();
    };
  }

  /** The stricter of this and {@code other}: route and policy can each only cut. */
  public DisclosureLevel stricter(DisclosureLevel other) {
    return other.ordinal() > ordinal() ? other : this;
  }

  /** The name routes and policies use. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The problem type of a denial whose route discloses nothing of it. */
  public static final String UNDISCLOSED_TYPE = "urn:hopgate:problem:denied";

  /**
   * The problem as this level lets the caller see it. Token problems (401) and unreadable requests
   * (400) tell nothing about the route's steps and stay whole: callers need them to fix their
   * request.
   */
  public Problem apply(Problem problem) {
    if (this == FULL || problem.status() != 403) {
      return problem;
    }
    if (this == UNDISCLOSED) {
      return new Problem(
          UNDISCLOSED_TYPE,
          "Request denied",
          403,
          "hopgate denied this request; the decision log has decision "
              + problem.decisionId()
              + ".",
          problem.decisionId(),
          problem.txn(),
          List.of(),
          List.of(Map.of("action", "none")));
    }
    List<Map<String, Object>> violations =
        problem.violations().stream()
            .map(
                v -> {
                  Map<String, Object> kept = new LinkedHashMap<>();
                  kept.put("gate", v.get("gate"));
                  kept.put("code", v.get("code"));
                  return kept;
                })
            .toList();
    Set<Object> actions = new LinkedHashSet<>();
    problem.repair().forEach(r -> actions.add(r.get("action")));
    List<Map<String, Object>> repair =
        actions.stream().map(a -> Map.<String, Object>of("action", a)).toList();
    String detail =
        violations.isEmpty()
            ? "hopgate denied this request."
            : "Denied at the "
                + violations.get(0).get("gate")
                + " gate ("
                + violations.get(0).get("code")
                + "); the decision log has decision "
                + problem.decisionId()
                + ".";
    return new Problem(
        problem.type(),
        problem.title(),
        403,
        detail,
        problem.decisionId(),
        problem.txn(),
        violations,
        repair);
  }
}
