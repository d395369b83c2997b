package dev.hopgate.pdp.state;

import dev.hopgate.pdp.manifest.EnforcementPoint;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessEdge;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.process.ProcessStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A step that spends state ({@code max}, or unlocked by a {@code once} approval) is decided at its
 * component's enforcement points; if they do not share one store, each spends on its own and an
 * approval is spent once per replica. A store of this instance's memory is shared by nobody, so a
 * component whose manifest lists more than one enforcement point needs a shared store (Redis): the
 * process set is refused at load otherwise.
 */
public final class SharedStateRequirement {
  private SharedStateRequirement() {}

  /**
   * What is wrong, one line per step and component; empty when the store serves every such step.
   */
  public static List<String> problems(
      ProcessRegistry processes, ManifestRegistry manifests, boolean storeShared) {
    if (storeShared) {
      return List.of();
    }
    List<String> problems = new ArrayList<>();
    for (ProcessDefinition process : processes.all()) {
      for (Map.Entry<String, String> spending : spendingSteps(process).entrySet()) {
        String step = spending.getKey();
        ProcessStep s = process.steps().get(step);
        if (s == null || s.component() == null) {
          continue; // refused by the compiler already
        }
        List<String> points =
            manifests.get(s.component()).map(Manifest::enforcement).orElse(List.of()).stream()
                .map(EnforcementPoint::id)
                .sorted()
                .toList();
        if (points.size() > 1) {
          problems.add(
              "process "
                  + process.iri()
                  + ": step "
                  + step
                  + " ("
                  + spending.getValue()
                  + ") is decided at "
                  + s.component()
                  + ", whose manifest lists "
                  + points.size()
                  + " enforcement points "
                  + points
                  + ", but state.store is memory (each would spend on its own): use state.store: redis");
        }
      }
    }
    return problems;
  }

  /** Steps whose ALLOW spends state, with why: a budget, or unlocking an approval. */
  private static Map<String, String> spendingSteps(ProcessDefinition process) {
    Map<String, String> steps = new TreeMap<>();
    for (ProcessStep s : process.steps().values()) {
      if (s.max() != null) {
        steps.put(s.id(), "max " + s.max());
      }
    }
    for (ProcessEdge e : process.edges()) {
      ProcessStep from = process.steps().get(e.from());
      if (from != null && from.once()) {
        steps.merge(e.to(), "spends the once step " + e.from(), (a, b) -> a + ", " + b);
      }
    }
    return steps;
  }
}
