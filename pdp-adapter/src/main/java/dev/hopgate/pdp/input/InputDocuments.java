package dev.hopgate.pdp.input;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.floor.Completion;
import dev.hopgate.pdp.floor.OriginToken;
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
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/** Builds the input document from verified facts, and writes it as the JSON engines read. */
public final class InputDocuments {
  private InputDocuments() {}

  /** The same, with nothing used or consumed (no state read: listing tools, tests). */
  public static InputDocument build(
      InputDocument.Hop hop,
      VerifiedFacts facts,
      @Nullable ProcessDefinition process,
      Instant now) {
    return build(hop, facts, process, 0, c -> false, now);
  }

  /**
   * @param process the declared process the origin binds, or null for an implicit intent
   * @param usage uses of {@code hop.step} recorded for this txn
   * @param consumed whether a completion was spent by an earlier ALLOW (state store)
   */
  public static InputDocument build(
      InputDocument.Hop hop,
      VerifiedFacts facts,
      @Nullable ProcessDefinition process,
      long usage,
      Predicate<Completion> consumed,
      Instant now) {
    Manifest manifest = facts.manifest();
    InputDocument.ManifestFacts manifestFacts = manifestFacts(manifest);
    InputDocument.Intent intent =
        process != null
            ? declaredIntent(process, hop.step())
            : new InputDocument.Intent(
                false, null, null, manifestFacts.performs(), List.of(), List.of());

    List<InputDocument.CompletedStep> completed = new ArrayList<>();
    Set<String> completedSteps = new TreeSet<>();
    for (Completion c : facts.completions().completed()) {
      if (process != null && !process.performableAt(c.step(), c.component())) {
        continue; // the process binds the step to another component: this record proves nothing
      }
      completed.add(
          new InputDocument.CompletedStep(
              c.step(), c.component(), c.completedAt().getEpochSecond(), consumed.test(c)));
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
    for (String step : new TreeSet<>(facts.runningElsewhere())) {
      if (!completedSteps.contains(step)) {
        started.add(step);
      }
    }
    return new InputDocument(
        InputDocument.VERSION,
        hop,
        origin(facts.origin()),
        sorted(facts.authority()),
        intent,
        manifestFacts,
        completed,
        List.copyOf(started),
        new InputDocument.Usage(hop.step(), usage, budget(process, hop.step())),
        chain,
        now.getEpochSecond());
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static InputDocument.Origin origin(OriginToken token) {
    OriginToken.Claimed claimed = token.claimed();
    return new InputDocument.Origin(
        token.subject(),
        token.txn(),
        token.originWorkload(),
        claimed.scope(),
        claimed.requester(),
        claimed.context(),
        claimed.requestContext());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> objectMap(JsonNode node) {
    return node.isObject() ? MAPPER.convertValue(node, Map.class) : Map.of();
  }

  private static @Nullable Long budget(@Nullable ProcessDefinition process, String step) {
    var definition = process == null ? null : process.steps().get(step);
    Integer max = definition == null ? null : definition.max();
    return max == null ? null : max.longValue();
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
    Map<String, Object> origin = new LinkedHashMap<>();
    origin.put("principal", doc.origin().principal());
    origin.put("txn", doc.origin().txn());
    origin.put("workload", doc.origin().workload());
    origin.put("scope", doc.origin().scope());
    if (doc.origin().requester() != null) {
      origin.put("requester", doc.origin().requester());
    }
    if (!doc.origin().context().isEmpty()) {
      origin.put("context", doc.origin().context());
    }
    if (doc.origin().requestContext() != null) {
      origin.put("request_context", doc.origin().requestContext());
    }
    m.put("origin", origin);
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
      completed.add(
          Map.of(
              "step",
              c.step(),
              "component",
              c.component(),
              "at",
              c.at(),
              "consumed",
              c.consumed()));
    }
    m.put("completed", completed);
    m.put("started", doc.started());
    Map<String, Object> usage = new LinkedHashMap<>();
    usage.put("step", doc.usage().step());
    usage.put("count", doc.usage().count());
    if (doc.usage().max() != null) {
      usage.put("max", doc.usage().max());
    }
    m.put("usage", usage);
    List<Map<String, Object>> chain = new ArrayList<>();
    for (InputDocument.ChainLink l : doc.chain()) {
      chain.add(Map.of("position", l.position(), "component", l.component(), "step", l.step()));
    }
    m.put("chain", chain);
    m.put("now", doc.now());
    return m;
  }

  /**
   * Reads an input document written as the schema describes (for {@code hopgate eval} and tests).
   *
   * @throws IllegalArgumentException naming the member that is missing or of the wrong type
   */
  public static InputDocument fromJson(JsonNode doc) {
    com.fasterxml.jackson.databind.JsonNode hop = required(doc, "hop");
    com.fasterxml.jackson.databind.JsonNode origin = required(doc, "origin");
    com.fasterxml.jackson.databind.JsonNode intent = required(doc, "intent");
    com.fasterxml.jackson.databind.JsonNode manifest = required(doc, "manifest");
    List<InputDocument.Edge> edges = new ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode e : intent.path("edges")) {
      edges.add(
          new InputDocument.Edge(
              text(e, "from"),
              text(e, "to"),
              e.hasNonNull("within_seconds") ? e.get("within_seconds").asLong() : null));
    }
    List<InputDocument.CompletedStep> completed = new ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode c : doc.path("completed")) {
      completed.add(
          new InputDocument.CompletedStep(
              text(c, "step"),
              text(c, "component"),
              c.path("at").asLong(),
              c.path("consumed").asBoolean(false)));
    }
    List<InputDocument.ChainLink> chain = new ArrayList<>();
    for (com.fasterxml.jackson.databind.JsonNode l : doc.path("chain")) {
      chain.add(
          new InputDocument.ChainLink(
              l.path("position").asInt(), text(l, "component"), text(l, "step")));
    }
    return new InputDocument(
        doc.path("version").asInt(InputDocument.VERSION),
        new InputDocument.Hop(
            text(hop, "component"),
            text(hop, "step"),
            hop.path("method").asText("GET"),
            hop.path("path").asText("/"),
            hop.hasNonNull("caller") ? hop.get("caller").asText() : null),
        new InputDocument.Origin(
            text(origin, "principal"),
            text(origin, "txn"),
            text(origin, "workload"),
            strings(origin.path("scope")),
            origin.hasNonNull("requester") ? origin.get("requester").asText() : null,
            objectMap(origin.path("context")),
            origin.path("request_context").isObject()
                ? objectMap(origin.get("request_context"))
                : null),
        strings(doc.path("authority")),
        new InputDocument.Intent(
            intent.path("declared").asBoolean(false),
            intent.hasNonNull("process") ? intent.get("process").asText() : null,
            intent.hasNonNull("digest") ? intent.get("digest").asText() : null,
            strings(intent.path("steps")),
            edges,
            strings(intent.path("prerequisites"))),
        new InputDocument.ManifestFacts(
            manifest.path("present").asBoolean(false),
            strings(manifest.path("performs")),
            strings(manifest.path("does_not_perform")),
            strings(manifest.path("expects_completed"))),
        completed,
        strings(doc.path("started")),
        new InputDocument.Usage(
            text(hop, "step"),
            doc.path("usage").path("count").asLong(0),
            doc.path("usage").hasNonNull("max") ? doc.path("usage").get("max").asLong() : null),
        chain,
        doc.path("now").asLong(java.time.Instant.now().getEpochSecond()));
  }

  private static JsonNode required(JsonNode node, String field) {
    if (!node.path(field).isObject()) {
      throw new IllegalArgumentException(
          "input document: '" + field + "' missing (expected: an object)");
    }
    return node.get(field);
  }

  private static String text(JsonNode node, String field) {
    if (!node.path(field).isTextual()) {
      throw new IllegalArgumentException(
          "input document: '" + field + "' missing (expected: a string)");
    }
    return node.get(field).asText();
  }

  private static List<String> strings(JsonNode node) {
    List<String> values = new ArrayList<>();
    node.forEach(n -> values.add(n.asText()));
    return values;
  }

  /** What the input document says of a component's manifest (or of none). */
  public static InputDocument.ManifestFacts manifestFacts(@Nullable Manifest manifest) {
    return manifest == null
        ? new InputDocument.ManifestFacts(false, List.of(), List.of(), List.of())
        : new InputDocument.ManifestFacts(
            true,
            sorted(manifest.performs()),
            sorted(manifest.doesNotPerform()),
            sorted(manifest.expectsCompleted()));
  }

  /** What the input document says of a declared process, for a hop to {@code step}. */
  public static InputDocument.Intent declaredIntent(ProcessDefinition process, String step) {
    List<InputDocument.Edge> edges = new ArrayList<>();
    for (ProcessEdge e : process.edges()) {
      edges.add(
          new InputDocument.Edge(
              e.from(), e.to(), e.within() == null ? null : e.within().toSeconds()));
    }
    return new InputDocument.Intent(
        true,
        process.iri(),
        process.digest(),
        List.copyOf(process.steps().keySet()),
        edges,
        sorted(process.prerequisites(step)));
  }

  private static List<String> sorted(Set<String> values) {
    return List.copyOf(new TreeSet<>(values));
  }
}
