package dev.hopgate.pdp.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.input.InputDocuments;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.process.ProcessDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Expands a case's compact input spec into the input document, the way the adapter builds it from
 * verified facts: a declared process by IRI (its steps, edges and this step's prerequisites), the
 * component's manifest by name, completions and the chain as lists of steps.
 */
public final class CaseInputs {
  static final long NOW = 1795431700L;

  private CaseInputs() {}

  public static InputDocument build(ObjectNode spec, Corpus corpus) {
    JsonNode hop = spec.path("hop");
    String component = text(hop, "component");
    String step = text(hop, "step");
    InputDocument.Hop h =
        new InputDocument.Hop(
            component,
            step,
            hop.path("method").asText("POST"),
            hop.path("path").asText("/"),
            hop.hasNonNull("caller") ? hop.get("caller").asText() : null);

    Manifest manifest =
        spec.path("manifest").asBoolean(true)
            ? corpus
                .manifests()
                .get(spec.path("manifest").isTextual() ? spec.get("manifest").asText() : component)
                .orElse(null)
            : null;
    InputDocument.ManifestFacts facts = InputDocuments.manifestFacts(manifest);

    InputDocument.Intent intent;
    if (spec.hasNonNull("intent")) {
      String iri = spec.get("intent").asText();
      ProcessDefinition process =
          corpus
              .processes()
              .get(iri)
              .orElseThrow(() -> new IllegalArgumentException("unknown process " + iri));
      intent = InputDocuments.declaredIntent(process, step);
    } else {
      intent = new InputDocument.Intent(false, null, null, facts.performs(), List.of(), List.of());
    }

    List<InputDocument.CompletedStep> completed = new ArrayList<>();
    for (JsonNode c : spec.path("completed")) {
      if (c.isObject()) {
        // {step, ago: seconds before now (default 60), consumed: bool}: windows and spent
        // approvals.
        if (c.has("ago") && !c.get("ago").canConvertToLong()) {
          throw new IllegalArgumentException(
              "completed: ago '" + c.get("ago").asText() + "' (expected: whole seconds)");
        }
        if (c.has("consumed") && !c.get("consumed").isBoolean()) {
          throw new IllegalArgumentException(
              "completed: consumed '" + c.get("consumed").asText() + "' (expected: true or false)");
        }
        completed.add(
            new InputDocument.CompletedStep(
                text(c, "step"),
                "spiffe://conformance/observed",
                NOW - c.path("ago").asLong(60),
                c.path("consumed").asBoolean(false)));
      } else {
        completed.add(
            new InputDocument.CompletedStep(
                c.asText(), "spiffe://conformance/observed", NOW - 60, false));
      }
    }
    List<InputDocument.ChainLink> chain = new ArrayList<>();
    int position = 1;
    for (JsonNode link : spec.path("chain")) {
      chain.add(
          new InputDocument.ChainLink(position++, text(link, "component"), text(link, "step")));
    }
    return new InputDocument(
        InputDocument.VERSION,
        h,
        new InputDocument.Origin(
            spec.path("principal").asText("alice@shop.example"),
            "txn-conformance",
            spec.path("origin_workload").asText("spiffe://shop.example/planner")),
        sorted(Corpus.strings(spec.path("authority"))),
        intent,
        facts,
        completed,
        List.copyOf(Corpus.strings(spec.path("started"))),
        new InputDocument.Usage(step, spec.path("usage").asLong(0), budget(spec, corpus, step)),
        chain,
        NOW);
  }

  private static @Nullable Long budget(ObjectNode spec, Corpus corpus, String step) {
    if (!spec.hasNonNull("intent")) {
      return null;
    }
    return corpus
        .processes()
        .get(spec.get("intent").asText())
        .map(p -> p.steps().get(step))
        .map(s -> s.max() == null ? null : s.max().longValue())
        .orElse(null);
  }

  private static String text(JsonNode node, String field) {
    if (!node.path(field).isTextual()) {
      throw new IllegalArgumentException("case input lacks " + field);
    }
    return node.get(field).asText();
  }

  private static List<String> sorted(Set<String> values) {
    return List.copyOf(new TreeSet<>(values));
  }
}
