package dev.hopgate.pdp.process;

import static java.util.Objects.requireNonNull;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compiles a parsed process into a {@link ProcessDefinition}, refusing it unless it is acyclic,
 * every step is reachable from an entry step, and every step reaches an exit step. Entry steps
 * default to those without prerequisites and exit steps to those nothing depends on; declaring them
 * makes the reachability checks bite.
 */
final class ProcessCompiler {
  private ProcessCompiler() {}

  static ProcessDefinition compile(
      String source,
      String iri,
      String version,
      Map<String, ProcessStep> steps,
      List<ProcessEdge> edges,
      Set<String> declaredEntry,
      Set<String> declaredExit)
      throws ProcessDefinitionException {
    List<String> problems = new ArrayList<>();
    if (steps.isEmpty()) {
      problems.add("no steps");
    }
    Map<String, Set<String>> next = new TreeMap<>();
    Map<String, Set<String>> previous = new TreeMap<>();
    for (String step : steps.keySet()) {
      next.put(step, new TreeSet<>());
      previous.put(step, new TreeSet<>());
    }
    Set<String> seenEdges = new HashSet<>();
    for (ProcessEdge edge : edges) {
      for (String end : List.of(edge.from(), edge.to())) {
        if (!steps.containsKey(end)) {
          problems.add(
              "edge " + edge.from() + " -> " + edge.to() + " names undeclared step " + end);
        }
      }
      if (edge.from().equals(edge.to())) {
        problems.add("step " + edge.from() + " is its own prerequisite");
      }
      if (!seenEdges.add(edge.from() + "\n" + edge.to())) {
        problems.add("edge " + edge.from() + " -> " + edge.to() + " appears twice");
      }
      if (steps.containsKey(edge.from()) && steps.containsKey(edge.to())) {
        requireNonNull(next.get(edge.from())).add(edge.to());
        requireNonNull(previous.get(edge.to())).add(edge.from());
      }
    }
    for (ProcessStep step : steps.values()) {
      if ((step.once() || step.max() != null) && step.component() == null) {
        problems.add(
            "step "
                + step.id()
                + " has "
                + (step.once() ? "once" : "max")
                + " but is not bound to a component (once and max need exactly one component, whose "
                + "enforcement points share the state store)");
      }
      if (step.once()) {
        // The approval is spent by the step it unlocks, at that step's enforcement points: they too
        // must be one component's, or two stores could each spend the same approval once.
        for (ProcessEdge edge : edges) {
          ProcessStep unlocked = steps.get(edge.to());
          if (edge.from().equals(step.id()) && unlocked != null && unlocked.component() == null) {
            problems.add(
                "step "
                    + edge.to()
                    + " consumes the once step "
                    + step.id()
                    + " but is not bound to a component");
          }
        }
      }
      if (step.max() != null && step.max() < 1) {
        problems.add("step " + step.id() + " has max " + step.max() + " (expected: at least 1)");
      }
    }
    for (String s : declaredEntry) {
      if (!steps.containsKey(s)) {
        problems.add("entry names undeclared step " + s);
      }
    }
    for (String s : declaredExit) {
      if (!steps.containsKey(s)) {
        problems.add("exit names undeclared step " + s);
      }
    }
    if (!problems.isEmpty()) {
      throw new ProcessDefinitionException(source, problems);
    }

    List<String> cycle = findCycle(next);
    if (!cycle.isEmpty()) {
      throw new ProcessDefinitionException(source, List.of("cycle: " + String.join(" -> ", cycle)));
    }
    Set<String> entry = declaredEntry.isEmpty() ? without(previous) : declaredEntry;
    Set<String> exit = declaredExit.isEmpty() ? without(next) : declaredExit;
    Set<String> reachable = reach(entry, next);
    Set<String> unreachable = new TreeSet<>(steps.keySet());
    unreachable.removeAll(reachable);
    if (!unreachable.isEmpty()) {
      problems.add(
          "not reachable from an entry step " + entry + ": " + String.join(", ", unreachable));
    }
    Set<String> leadsOut = reach(exit, previous);
    Set<String> deadEnds = new TreeSet<>(steps.keySet());
    deadEnds.removeAll(leadsOut);
    if (!deadEnds.isEmpty()) {
      problems.add("no exit step " + exit + " is reachable from: " + String.join(", ", deadEnds));
    }
    if (!problems.isEmpty()) {
      throw new ProcessDefinitionException(source, problems);
    }
    return new ProcessDefinition(
        iri,
        version,
        steps,
        edges,
        entry,
        !declaredEntry.isEmpty(),
        exit,
        !declaredExit.isEmpty(),
        topologicalOrder(previous, next));
  }

  private static Set<String> without(Map<String, Set<String>> links) {
    Set<String> result = new TreeSet<>();
    links.forEach(
        (step, linked) -> {
          if (linked.isEmpty()) {
            result.add(step);
          }
        });
    return result;
  }

  private static Set<String> reach(Set<String> from, Map<String, Set<String>> links) {
    Set<String> seen = new HashSet<>(from);
    Deque<String> todo = new ArrayDeque<>(from);
    while (!todo.isEmpty()) {
      for (String n : links.getOrDefault(todo.pop(), Set.of())) {
        if (seen.add(n)) {
          todo.push(n);
        }
      }
    }
    return seen;
  }

  /** Kahn's algorithm, smallest IRI first among the ready steps, so the order is reproducible. */
  private static List<String> topologicalOrder(
      Map<String, Set<String>> previous, Map<String, Set<String>> next) {
    Map<String, Integer> waiting = new HashMap<>();
    previous.forEach((step, pre) -> waiting.put(step, pre.size()));
    PriorityQueue<String> ready = new PriorityQueue<>();
    waiting.forEach(
        (step, n) -> {
          if (n == 0) {
            ready.add(step);
          }
        });
    List<String> order = new ArrayList<>();
    while (!ready.isEmpty()) {
      String step = ready.poll();
      order.add(step);
      for (String n : requireNonNull(next.get(step))) {
        if (waiting.merge(n, -1, Integer::sum) == 0) {
          ready.add(n);
        }
      }
    }
    return order;
  }

  /** A cycle as a path that returns to its start, or empty; found by depth-first search. */
  private static List<String> findCycle(Map<String, Set<String>> next) {
    Map<String, Integer> state = new HashMap<>(); // 1 on the stack, 2 done
    Map<String, String> parent = new LinkedHashMap<>();
    for (String root : next.keySet()) {
      if (state.containsKey(root)) {
        continue;
      }
      Deque<Object[]> stack = new ArrayDeque<>();
      stack.push(new Object[] {root, next.get(root).iterator()});
      state.put(root, 1);
      while (!stack.isEmpty()) {
        Object[] frame = stack.peek();
        String node = (String) frame[0];
        @SuppressWarnings("unchecked")
        Iterator<String> it = (Iterator<String>) frame[1];
        if (it.hasNext()) {
          String n = it.next();
          Integer s = state.get(n);
          if (s == null) {
            state.put(n, 1);
            parent.put(n, node);
            stack.push(new Object[] {n, requireNonNull(next.get(n)).iterator()});
          } else if (s == 1) {
            List<String> cycle = new ArrayList<>();
            cycle.add(n);
            for (String at = node; !at.equals(n); at = requireNonNull(parent.get(at))) {
              cycle.add(1, at);
            }
            cycle.add(n);
            return cycle;
          }
        } else {
          state.put(node, 2);
          stack.pop();
        }
      }
    }
    return List.of();
  }
}
