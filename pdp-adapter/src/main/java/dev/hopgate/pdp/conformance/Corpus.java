package dev.hopgate.pdp.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.manifest.Delegation;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.yaml.StrictYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A conformance corpus: a directory of YAML files. {@code manifests.yaml} lists the components
 * (what their signed manifests would say: the corpus is about policy, the floor verifies
 * signatures); every other file has {@code bases} (named partial inputs) and {@code cases}, each a
 * base, overrides ({@code set}) and what every engine must answer ({@code want}). See
 * tests/conformance/README.md.
 */
public final class Corpus {
  static final ObjectMapper YAML = StrictYaml.MAPPER;

  /** One case, its input spec already merged over its base. */
  public record Case(String file, String note, ObjectNode input, Want want) {}

  /**
   * @param violations expected violations (gate, code, details), in hopgate's order; null: not
   *     checked
   * @param repair expected repair actions; null: not checked
   * @param actionable whether following the repair must turn the denial into an allow
   */
  public record Want(
      boolean allow,
      @Nullable List<Map<String, Object>> violations,
      @Nullable List<Map<String, Object>> repair,
      boolean actionable) {}

  private final List<Case> cases;
  private final ManifestRegistry manifests;
  private final ProcessRegistry processes;

  private Corpus(List<Case> cases, ManifestRegistry manifests, ProcessRegistry processes) {
    this.cases = List.copyOf(cases);
    this.manifests = manifests;
    this.processes = processes;
  }

  public List<Case> cases() {
    return cases;
  }

  public ManifestRegistry manifests() {
    return manifests;
  }

  public ProcessRegistry processes() {
    return processes;
  }

  /**
   * Loads a corpus directory; its processes come from {@code processes} (the deployment's).
   *
   * @throws IOException when a file cannot be read or is not a corpus file, naming it
   */
  public static Corpus load(Path dir, ProcessRegistry processes) throws IOException {
    ManifestRegistry manifests = manifests(dir.resolve("manifests.yaml"));
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(
                  p ->
                      p.toString().endsWith(".yaml")
                          && !p.getFileName().toString().equals("manifests.yaml"))
              .sorted()
              .toList();
    }
    List<Case> cases = new ArrayList<>();
    Set<String> notes = new LinkedHashSet<>();
    for (Path file : files) {
      JsonNode root = YAML.readTree(file.toFile());
      Map<String, ObjectNode> bases = new HashMap<>();
      root.path("bases")
          .fields()
          .forEachRemaining(e -> bases.put(e.getKey(), (ObjectNode) e.getValue()));
      for (JsonNode c : root.path("cases")) {
        String note = c.path("note").asText();
        String where = file.getFileName() + ": case '" + note + "'";
        if (note.isEmpty() || !notes.add(note)) {
          throw new IOException(where + ": every case needs a unique note");
        }
        ObjectNode base = bases.get(c.path("base").asText());
        if (base == null) {
          throw new IOException(where + ": unknown base '" + c.path("base").asText() + "'");
        }
        ObjectNode input = base.deepCopy();
        c.path("set").fields().forEachRemaining(e -> input.set(e.getKey(), e.getValue()));
        JsonNode want = c.path("want");
        if (!want.path("allow").isBoolean()) {
          throw new IOException(where + ": want.allow is required");
        }
        cases.add(
            new Case(
                file.getFileName().toString(),
                note,
                input,
                new Want(
                    want.get("allow").asBoolean(),
                    list(want.get("violations")),
                    list(want.get("repair")),
                    want.path("actionable").asBoolean(true))));
      }
    }
    return new Corpus(cases, manifests, processes);
  }

  private static @Nullable List<Map<String, Object>> list(@Nullable JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    List<Map<String, Object>> items = new ArrayList<>();
    for (JsonNode n : node) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = YAML.convertValue(n, Map.class);
      items.add(m);
    }
    return items;
  }

  private static ManifestRegistry manifests(Path file) throws IOException {
    List<Manifest> manifests = new ArrayList<>();
    for (JsonNode m : YAML.readTree(file.toFile()).path("manifests")) {
      JsonNode delegates = m.get("delegates");
      Delegation delegation =
          delegates == null
              ? Delegation.NONE
              : delegates.isTextual() && delegates.asText().equals("*")
                  ? Delegation.ALL
                  : new Delegation(false, strings(delegates));
      manifests.add(
          new Manifest(
              m.path("component").asText(),
              strings(m.path("performs")),
              strings(m.path("does_not_perform")),
              strings(m.path("expects_completed")),
              delegation,
              List.of(),
              null,
              "sha256:conformance",
              file.getFileName().toString(),
              null));
    }
    return ManifestRegistry.of(manifests);
  }

  static Set<String> strings(JsonNode node) {
    Set<String> values = new LinkedHashSet<>();
    node.forEach(n -> values.add(n.asText()));
    return values;
  }

  /** A violation as the corpus writes it: {gate, code, ...details}. */
  static Map<String, Object> asMap(Violation v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("gate", v.gate().wireName());
    m.put("code", v.code());
    m.putAll(v.details());
    return m;
  }
}
