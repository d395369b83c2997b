package dev.hopgate.pdp.input;

import dev.hopgate.pdp.floor.Completion;
import dev.hopgate.pdp.floor.Transition;
import dev.hopgate.pdp.floor.VerifiedFacts;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessEdge;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/** Builds the input document from verified facts, and writes it as the JSON engines read. */
public final class InputDocuments {
  private InputDocuments() {}

  /**
   * @param process the declared process the origin binds, or null for an implicit intent
   * @param usage uses of {@code hop.step} recorded for this txn
   */
  public static InputDocument build(InputDocument.Hop hop, VerifiedFacts facts, @Nullable ProcessDefinition process,
      long usage, Instant now) {
    Manifest manifest = facts.manifest();
    InputDocument.ManifestFacts manifestFacts = manifest == null
        ? new InputDocument.ManifestFacts(false, List.of(), List.of(), List.of())
        : new InputDocument.ManifestFacts(true, sorted(manifest.performs()), sorted(manifest.doesNotPerform()),
            sorted(manifest.expectsCompleted()));

    InputDocument.Intent intent;
    if (process != null) {
      List<InputDocument.Edge> edges = new ArrayList<>();
      for (ProcessEdge e : process.edges()) {
        edges.add(new InputDocument.Edge(e.from(), e.to(), e.within() == null ? null : e.within().toSeconds()));
      }
      intent = new InputDocument.Intent(true, process.iri(), process.digest(), List.copyOf(process.steps().keySet()),
          edges, sorted(process.prerequisites(hop.step())));
    } else {
      intent = new InputDocument.Intent(false, null, null, manifestFacts.performs(), List.of(), List.of());
    }

    List<InputDocument.CompletedStep> completed = new ArrayList<>();
    Set<String> completedSteps = new TreeSet<>();
    for (Completion c : facts.completions().completed()) {
      completed.add(new InputDocument.CompletedStep(c.step(), c.component(), c.completedAt().getEpochSecond(), false));
      completedSteps.add(c.step());
    }
    Set<String> started = new LinkedHashSet<>();
    List<InputDocument.ChainLink> chain = new ArrayList<>();
    for (Transition t : facts.chain()) {
      chain.add(new InputDocument.ChainLink(t.position(), t.component(), t.step()));
      if (!completedSteps.contains(t.step())) {
        started.add(t.step());
      }
    }
    return new InputDocument(InputDocument.VERSION, hop,
        new InputDocument.Origin(facts.origin().subject(), facts.origin().txn(), facts.origin().originWorkload()),
        sorted(facts.authority()), intent, manifestFacts, completed, List.copyOf(started),
        new InputDocument.Usage(hop.step(), usage), chain, now.getEpochSecond());
  }

  /** The document as JSON-ready maps, with the member names of the schema (snake_case). */
  public static Map<String, Object> toMap(InputDocument doc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", doc.version());
    Map<String, Object> hop = new LinkedHashMap<>();
    hop.put("component", doc.hop().component());
    hop.put("step", doc.hop().step());
    hop.put("method", doc.hop().method());
    hop.put("path", doc.hop().path());
    if (doc.hop().caller() != null) {
      hop.put("caller", doc.hop().caller());
    }
    m.put("hop", hop);
    m.put("origin", Map.of("principal", doc.origin().principal(), "txn", doc.origin().txn(),
        "workload", doc.origin().workload()));
    m.put("authority", doc.authority());
    Map<String, Object> intent = new LinkedHashMap<>();
    intent.put("declared", doc.intent().declared());
    if (doc.intent().process() != null) {
      intent.put("process", doc.intent().process());
      intent.put("digest", doc.intent().digest());
    }
    intent.put("steps", doc.intent().steps());
    List<Map<String, Object>> edges = new ArrayList<>();
    for (InputDocument.Edge e : doc.intent().edges()) {
      Map<String, Object> edge = new LinkedHashMap<>();
      edge.put("from", e.from());
      edge.put("to", e.to());
      if (e.withinSeconds() != null) {
        edge.put("within_seconds", e.withinSeconds());
      }
      edges.add(edge);
    }
    intent.put("edges", edges);
    intent.put("prerequisites", doc.intent().prerequisites());
    m.put("intent", intent);
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("present", doc.manifest().present());
    manifest.put("performs", doc.manifest().performs());
    manifest.put("does_not_perform", doc.manifest().doesNotPerform());
    manifest.put("expects_completed", doc.manifest().expectsCompleted());
    m.put("manifest", manifest);
    List<Map<String, Object>> completed = new ArrayList<>();
    for (InputDocument.CompletedStep c : doc.completed()) {
      completed.add(Map.of("step", c.step(), "component", c.component(), "at", c.at(), "consumed", c.consumed()));
    }
    m.put("completed", completed);
    m.put("started", doc.started());
    m.put("usage", Map.of("step", doc.usage().step(), "count", doc.usage().count()));
    List<Map<String, Object>> chain = new ArrayList<>();
    for (InputDocument.ChainLink l : doc.chain()) {
      chain.add(Map.of("position", l.position(), "component", l.component(), "step", l.step()));
    }
    m.put("chain", chain);
    m.put("now", doc.now());
    return m;
  }

  private static List<String> sorted(Set<String> values) {
    return List.copyOf(new TreeSet<>(values));
  }
}
