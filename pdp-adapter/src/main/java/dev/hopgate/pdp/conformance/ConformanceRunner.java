package dev.hopgate.pdp.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.gate.Disclosure;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.repair.RepairAssembler;
import dev.hopgate.pdp.route.RouteTable;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Runs corpus cases on engines: every engine must produce the same decision, violations (gate,
 * code, details) and repair, equal to the case's; and a denial's repair, followed, must turn into
 * an allow (completing or waiting for the named steps, switching to a named component or step).
 */
public final class ConformanceRunner {
  /** What one engine answered for one case. */
  public record EngineResult(
      String engine,
      boolean allow,
      List<Map<String, Object>> violations,
      List<Map<String, Object>> repair,
      String disclosure,
      @Nullable String error) {
    JsonNode comparable() {
      return Corpus.YAML.valueToTree(
          Map.of(
              "allow",
              allow,
              "violations",
              violations,
              "repair",
              repair,
              "disclosure",
              disclosure,
              "error",
              Objects.requireNonNullElse(error, "")));
    }
  }

  /** A case's results on every engine and what, if anything, was wrong. */
  public record CaseResult(
      Corpus.Case testCase, List<EngineResult> results, List<String> failures) {
    public boolean passed() {
      return failures.isEmpty();
    }
  }

  private ConformanceRunner() {}

  public static CaseResult run(Corpus.Case c, Corpus corpus, List<PreparedPolicy> engines) {
    List<String> failures = new ArrayList<>();
    InputDocument input;
    try {
      input = CaseInputs.build(c.input(), corpus);
    } catch (IllegalArgumentException e) {
      return new CaseResult(c, List.of(), List.of("input: " + e.getMessage()));
    }
    List<EngineResult> results = new ArrayList<>();
    for (PreparedPolicy engine : engines) {
      results.add(evaluate(engine, input, corpus));
    }
    EngineResult first = results.get(0);
    for (EngineResult r : results.subList(1, results.size())) {
      if (!r.comparable().equals(first.comparable())) {
        failures.add(
            "engines disagree: "
                + first.engine()
                + " "
                + first.comparable()
                + " but "
                + r.engine()
                + " "
                + r.comparable());
      }
    }
    for (EngineResult r : results) {
      if (r.error() != null) {
        failures.add(r.engine() + " failed: " + r.error());
      }
    }
    Corpus.Want want = c.want();
    if (first.allow() != want.allow()) {
      failures.add(
          "want allow " + want.allow() + ", got " + first.allow() + " " + first.violations());
    }
    if (want.violations() != null && !same(json(want.violations()), json(first.violations()))) {
      failures.add(
          "want violations " + json(want.violations()) + ", got " + json(first.violations()));
    }
    if (want.repair() != null && !same(json(want.repair()), json(first.repair()))) {
      failures.add("want repair " + json(want.repair()) + ", got " + json(first.repair()));
    }
    if (!first.allow() && want.actionable() && first.error() == null) {
      failures.addAll(followRepair(c, first.repair(), corpus, engines));
    }
    return new CaseResult(c, results, failures);
  }

  private static EngineResult evaluate(PreparedPolicy engine, InputDocument input, Corpus corpus) {
    try {
      EngineDecision d = engine.evaluate(input);
      List<Violation> shown = Disclosure.apply(d.violations());
      List<Map<String, Object>> violations = shown.stream().map(Corpus::asMap).toList();
      List<Map<String, Object>> repair =
          d.allow()
              ? List.of()
              : RepairAssembler.assemble(
                  shown,
                  input,
                  new PolicySnapshot(
                      engine, corpus.manifests(), corpus.processes(), RouteTable.EMPTY));
      return new EngineResult(
          engine.engine(), d.allow(), violations, repair, d.disclosure().wireName(), null);
    } catch (EvaluationException | RuntimeException e) {
      return new EngineResult(
          engine.engine(), false, List.of(), List.of(), "full", String.valueOf(e.getMessage()));
    }
  }

  /**
   * Applies the followable actions of {@code repair} to the case's input; every engine must then
   * allow.
   */
  private static List<String> followRepair(
      Corpus.Case c,
      List<Map<String, Object>> repair,
      Corpus corpus,
      List<PreparedPolicy> engines) {
    ObjectNode spec = c.input().deepCopy();
    boolean followed = false;
    for (Map<String, Object> action : repair) {
      switch (String.valueOf(action.get("action"))) {
        case "complete_steps", "wait" -> {
          ArrayNode completed = spec.withArray("completed");
          steps(action).forEach(completed::add);
          followed = true;
        }
        case "use_component" -> {
          String component = steps(action, "components").get(0);
          ((ObjectNode) spec.get("hop")).put("component", component);
          spec.remove("manifest");
          followed = true;
        }
        case "choose_step" -> {
          ((ObjectNode) spec.get("hop")).put("step", steps(action).get(0));
          followed = true;
        }
        default -> {}
      }
    }
    if (!followed) {
      return List.of(
          "repair "
              + repair
              + " has nothing a planner could follow here (mark the case actionable: false"
              + " if that is right)");
    }
    InputDocument repaired = CaseInputs.build(spec, corpus);
    List<String> failures = new ArrayList<>();
    for (PreparedPolicy engine : engines) {
      EngineResult r = evaluate(engine, repaired, corpus);
      if (!r.allow()) {
        failures.add(
            "following the repair "
                + repair
                + " still denies on "
                + r.engine()
                + ": "
                + r.violations());
      }
    }
    return failures;
  }

  private static List<String> steps(Map<String, Object> action) {
    return steps(action, "steps");
  }

  @SuppressWarnings("unchecked")
  private static List<String> steps(Map<String, Object> action, String key) {
    return Objects.requireNonNull(
        (List<String>) action.get(key), "a repair action without '" + key + "'");
  }

  /** Equal as JSON: a YAML {@code 3} (int) is the engine's {@code 3} (long). */
  private static boolean same(JsonNode a, JsonNode b) {
    return a.equals(
        (x, y) ->
            x.equals(y)
                    || x.isIntegralNumber()
                        && y.isIntegralNumber()
                        && x.bigIntegerValue().equals(y.bigIntegerValue())
                ? 0
                : 1,
        b);
  }

  private static JsonNode json(Object value) {
    return Corpus.YAML.valueToTree(value);
  }
}
