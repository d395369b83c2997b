package dev.hopgate.pdp.repair;

import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns violations into repair actions a planner can follow, the same for every engine (house spec,
 * section 5). Each action names exactly what would turn this denial into an allow: the conformance
 * suite follows them and checks that it does.
 *
 * <ul>
 *   <li>capability: {@code use_component}, the components whose manifests perform the step;
 *   <li>authorization: {@code reauthenticate}, the authority must come from the originator;
 *   <li>sequence: {@code wait} for prerequisites allowed and still running (repeating them could
 *       repeat a side effect), {@code complete_steps} for the rest, transitively, in topological
 *       order, including those whose completion expired or was spent; nothing for a spent budget
 *       (terminal within the txn);
 *   <li>scope: {@code choose_step}, the steps this component performs that the declared intent
 *       allows next, and {@code declare_intent}.
 * </ul>
 */
public final class RepairAssembler {
  private RepairAssembler() {}

  public static List<Map<String, Object>> assemble(
      List<Violation> violations, InputDocument input, PolicySnapshot snapshot) {
    List<Map<String, Object>> actions = new ArrayList<>();
    Set<Gate> seen = new HashSet<>();
    for (Violation v : violations) {
      if (!seen.add(v.gate())) {
        continue;
      }
      switch (v.gate()) {
        case CAPABILITY -> useComponent(input, snapshot).ifPresent(actions::add);
        case AUTHORIZATION -> actions.add(Map.of("action", "reauthenticate"));
        case SEQUENCE -> actions.addAll(sequence(violations, input, snapshot));
        case SCOPE -> actions.addAll(scope(input, snapshot));
        default -> {}
      }
    }
    if (actions.isEmpty()) {
      actions.add(Map.of("action", "none"));
    }
    return List.copyOf(actions);
  }

  private static Optional<Map<String, Object>> useComponent(
      InputDocument input, PolicySnapshot snapshot) {
    String step = input.hop().step();
    Set<String> components = new TreeSet<>();
    for (Manifest m : snapshot.manifests().all()) {
      if (m.performs().contains(step)
          && !m.doesNotPerform().contains(step)
          && !m.component().equals(input.hop().component())) {
        components.add(m.component());
      }
    }
    if (components.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Object> action = new LinkedHashMap<>();
    action.put("action", "use_component");
    action.put("step", step);
    action.put("components", List.copyOf(components));
    return Optional.of(action);
  }

  private static List<Map<String, Object>> sequence(
      List<Violation> violations, InputDocument input, PolicySnapshot snapshot) {
    // Steps whose completion no longer counts (outside its window, or an approval already spent)
    // must run again; a spent budget cannot be repaired within this txn.
    Set<String> redo = new HashSet<>();
    for (Violation v : violations) {
      if (v.gate() != Gate.SEQUENCE) {
        continue;
      }
      if (v.code().equals("budget_exhausted")) {
        return List.of();
      }
      for (String field : List.of("expired", "consumed")) {
        if (v.details().get(field) instanceof List<?> steps) {
          steps.forEach(s -> redo.add(String.valueOf(s)));
        }
      }
    }
    Set<String> completed = new HashSet<>();
    input.completed().forEach(c -> completed.add(c.step()));
    completed.removeAll(redo);
    ProcessDefinition process = declared(input, snapshot);
    // Transitively missing, in topological order; expects_completed outside the process after.
    Set<String> needed = new LinkedHashSet<>();
    if (process != null) {
      needed.addAll(process.missingBefore(input.hop().step(), completed));
    } else {
      needed.addAll(new TreeSet<>(input.intent().prerequisites()));
    }
    for (String expected : new TreeSet<>(input.manifest().expectsCompleted())) {
      if (!completed.contains(expected)) {
        needed.add(expected);
      }
    }
    List<String> running = new ArrayList<>();
    List<String> todo = new ArrayList<>();
    for (String s : needed) {
      (input.started().contains(s) ? running : todo).add(s);
    }
    List<Map<String, Object>> actions = new ArrayList<>();
    if (!running.isEmpty()) {
      actions.add(Map.of("action", "wait", "steps", List.copyOf(running)));
    }
    if (!todo.isEmpty()) {
      Map<String, Object> action = new LinkedHashMap<>();
      action.put("action", "complete_steps");
      action.put("steps", List.copyOf(todo));
      if (input.intent().declared()) {
        action.put("process", input.intent().process());
      }
      actions.add(action);
    }
    return actions;
  }

  private static List<Map<String, Object>> scope(InputDocument input, PolicySnapshot snapshot) {
    List<Map<String, Object>> actions = new ArrayList<>();
    ProcessDefinition process = declared(input, snapshot);
    if (process != null) {
      Set<String> completed = new HashSet<>();
      input.completed().forEach(c -> completed.add(c.step()));
      List<String> next = new ArrayList<>();
      for (String s : process.topologicalOrder()) {
        if (!completed.contains(s)
            && completed.containsAll(process.prerequisites(s))
            && input.manifest().performs().contains(s)
            && !input.manifest().doesNotPerform().contains(s)
            && input.authority().contains(s)) {
          next.add(s);
        }
      }
      if (!next.isEmpty()) {
        Map<String, Object> action = new LinkedHashMap<>();
        action.put("action", "choose_step");
        action.put("steps", List.copyOf(next));
        action.put("process", process.iri());
        actions.add(action);
      }
    }
    Map<String, Object> declare = new LinkedHashMap<>();
    declare.put("action", "declare_intent");
    declare.put("step", input.hop().step());
    actions.add(declare);
    return actions;
  }

  private static @org.jspecify.annotations.Nullable ProcessDefinition declared(
      InputDocument input, PolicySnapshot snapshot) {
    if (!input.intent().declared() || input.intent().process() == null) {
      return null;
    }
    return snapshot
        .processes()
        .resolve(input.intent().process(), input.intent().digest())
        .orElse(null);
  }
}
