package dev.hopgate.pdp.process;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.digest.Digests;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A compiled, validated process: an acyclic prerequisite graph over its steps, with a digest over
 * its canonical JSON form. The same process written in YAML or in arrow syntax has the same digest,
 * because the canonical form sorts steps and edges.
 */
public final class ProcessDefinition {
  private final String iri;
  private final String version;
  private final Map<String, ProcessStep> steps;
  private final List<ProcessEdge> edges;
  private final Set<String> entry;
  private final Set<String> exit;
  private final boolean entryDeclared;
  private final boolean exitDeclared;
  private final Map<String, Set<String>> prerequisites;
  private final List<String> topologicalOrder;
  private final Map<String, Object> canonical;
  private final String digest;

  ProcessDefinition(
      String iri,
      String version,
      Map<String, ProcessStep> steps,
      List<ProcessEdge> edges,
      Set<String> entry,
      boolean entryDeclared,
      Set<String> exit,
      boolean exitDeclared,
      List<String> topologicalOrder) {
    this.iri = requireNonNull(iri, "iri");
    this.version = requireNonNull(version, "version");
    this.steps = Collections.unmodifiableMap(new TreeMap<>(steps));
    List<ProcessEdge> sorted = new ArrayList<>(edges);
    sorted.sort(Comparator.comparing(ProcessEdge::from).thenComparing(ProcessEdge::to));
    this.edges = List.copyOf(sorted);
    this.entry = Collections.unmodifiableSet(new TreeSet<>(entry));
    this.exit = Collections.unmodifiableSet(new TreeSet<>(exit));
    this.entryDeclared = entryDeclared;
    this.exitDeclared = exitDeclared;
    Map<String, Set<String>> pre = new TreeMap<>();
    for (String step : this.steps.keySet()) {
      pre.put(step, new TreeSet<>());
    }
    for (ProcessEdge edge : this.edges) {
      Objects.requireNonNull(pre.get(edge.to())).add(edge.from());
    }
    pre.replaceAll((k, v) -> Collections.unmodifiableSet(v));
    this.prerequisites = Collections.unmodifiableMap(pre);
    this.topologicalOrder = List.copyOf(topologicalOrder);
    this.canonical = canonicalForm();
    this.digest = Digests.ofJson(canonical);
  }

  public String iri() {
    return iri;
  }

  public String version() {
    return version;
  }

  /**
   * The component this process binds {@code step} to, or null when any component whose manifest
   * performs it may (or the step is not in the process).
   */
  public @Nullable String boundComponent(String step) {
    ProcessStep s = steps().get(step);
    return s == null ? null : s.component();
  }

  /**
   * Whether {@code component} may perform {@code step} of this process: any component when the step
   * is not bound, else only the bound one (a completion of it elsewhere counts for nothing).
   */
  public boolean performableAt(String step, String component) {
    String bound = boundComponent(step);
    return bound == null || bound.equals(component);
  }

  /** {@code sha256:} over the canonical JSON form: what an origin token's intent binds. */
  public String digest() {
    return digest;
  }

  public Map<String, ProcessStep> steps() {
    return steps;
  }

  public boolean contains(String step) {
    return steps.containsKey(step);
  }

  public List<ProcessEdge> edges() {
    return edges;
  }

  public Set<String> entry() {
    return entry;
  }

  public Set<String> exit() {
    return exit;
  }

  /** The direct prerequisites of a step (empty for an entry step or an unknown one). */
  public Set<String> prerequisites(String step) {
    return prerequisites.getOrDefault(step, Set.of());
  }

  /** Every step, prerequisites first; ties broken by IRI so the order is stable. */
  public List<String> topologicalOrder() {
    return topologicalOrder;
  }

  /**
   * The steps that must be completed before {@code step} can run, transitively, those in {@code
   * done} and everything only they lead to left out: what a {@code complete_steps} repair names, in
   * topological order.
   */
  public List<String> missingBefore(String step, Collection<String> done) {
    Set<String> needed = new LinkedHashSet<>();
    collect(step, Set.copyOf(done), needed);
    List<String> ordered = new ArrayList<>();
    for (String s : topologicalOrder) {
      if (needed.contains(s)) {
        ordered.add(s);
      }
    }
    return ordered;
  }

  private void collect(String step, Set<String> done, Set<String> needed) {
    for (String pre : prerequisites(step)) {
      if (!done.contains(pre) && needed.add(pre)) {
        collect(pre, done, needed);
      }
    }
  }

  /** The canonical JSON form (a map for JCS), as documented in docs/processes.md. */
  public Map<String, Object> canonical() {
    return canonical;
  }

  private Map<String, Object> canonicalForm() {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("process", iri);
    doc.put("version", version);
    List<Map<String, Object>> stepDocs = new ArrayList<>();
    for (ProcessStep step : steps.values()) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("id", step.id());
      if (step.component() != null) {
        s.put("component", step.component());
      }
      if (step.once()) {
        s.put("once", true);
      }
      if (step.max() != null) {
        s.put("max", step.max());
      }
      stepDocs.add(s);
    }
    doc.put("steps", stepDocs);
    List<Map<String, Object>> edgeDocs = new ArrayList<>();
    for (ProcessEdge edge : edges) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("from", edge.from());
      e.put("to", edge.to());
      if (edge.within() != null) {
        e.put("within_seconds", edge.within().toSeconds());
      }
      edgeDocs.add(e);
    }
    doc.put("edges", edgeDocs);
    if (entryDeclared) {
      doc.put("entry", List.copyOf(entry));
    }
    if (exitDeclared) {
      doc.put("exit", List.copyOf(exit));
    }
    return Collections.unmodifiableMap(doc);
  }

  @Override
  public String toString() {
    return iri + " v" + version + " (" + digest + ")";
  }
}
