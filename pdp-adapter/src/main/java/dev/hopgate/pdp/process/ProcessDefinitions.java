package dev.hopgate.pdp.process;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.yaml.StrictYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads process definitions, in YAML ({@code *.process.yaml}) or arrow syntax ({@code *.flow}).
 *
 * <p>Arrow syntax: a first line {@code process <IRI> <version>}, then statements such as {@code a
 * -> b -> c; a -> d} ({@code ;} or a new line between them, {@code #} starts a comment). Steps
 * named only in arrows are declared by them, unbound to a component. YAML may use arrows too, in
 * {@code flow:}, beside or instead of {@code edges:}. See docs/processes.md.
 */
public final class ProcessDefinitions {
  private static final ObjectMapper YAML = StrictYaml.MAPPER;
  private static final Set<String> TOP_FIELDS =
      Set.of("process", "version", "steps", "edges", "flow", "entry", "exit");
  private static final Set<String> STEP_FIELDS = Set.of("id", "component", "once", "max");
  private static final Set<String> EDGE_FIELDS = Set.of("from", "to", "within");
  private static final Pattern HEADER = Pattern.compile("process\\s+(\\S+)\\s+(\\S+)");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(s|m|h|d)");

  private ProcessDefinitions() {}

  /** Loads a file by its extension. */
  public static ProcessDefinition load(Path file) throws ProcessDefinitionException {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ProcessDefinitionException(
          file.toString(), List.of("cannot read (" + e.getMessage() + ")"));
    }
    String name = file.getFileName().toString();
    if (name.endsWith(".flow")) {
      return parseFlow(file.toString(), text);
    }
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      return parseYaml(file.toString(), text);
    }
    throw new ProcessDefinitionException(
        file.toString(), List.of("not a .flow, .yaml or .yml file"));
  }

  /** Parses arrow syntax. */
  public static ProcessDefinition parseFlow(String source, String text)
      throws ProcessDefinitionException {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n")) {
      int hash = line.indexOf('#');
      String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (!content.isEmpty()) {
        lines.add(content);
      }
    }
    if (lines.isEmpty()) {
      throw new ProcessDefinitionException(
          source, List.of("empty (expected: 'process <IRI> <version>' first)"));
    }
    Matcher header = HEADER.matcher(lines.get(0));
    if (!header.matches()) {
      throw new ProcessDefinitionException(
          source, List.of("first line '" + lines.get(0) + "' (expected: process <IRI> <version>)"));
    }
    Map<String, ProcessStep> steps = new LinkedHashMap<>();
    List<ProcessEdge> edges = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    arrows(String.join(";", lines.subList(1, lines.size())), steps, edges, problems);
    if (!problems.isEmpty()) {
      throw new ProcessDefinitionException(source, problems);
    }
    return ProcessCompiler.compile(
        source, header.group(1), header.group(2), steps, edges, Set.of(), Set.of());
  }

  /** Parses YAML. */
  public static ProcessDefinition parseYaml(String source, String text)
      throws ProcessDefinitionException {
    JsonNode root;
    try {
      root = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ProcessDefinitionException(
          source, List.of("not valid YAML: " + e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      throw new ProcessDefinitionException(
          source, List.of("expected a mapping with process, version, steps"));
    }
    List<String> problems = new ArrayList<>();
    StrictYaml.unknownFields(root, TOP_FIELDS, "", problems);
    String iri = text(root, "process", problems);
    String version = root.hasNonNull("version") ? root.get("version").asText() : null;
    if (version == null || version.isBlank()) {
      problems.add("version: missing");
    }

    Map<String, ProcessStep> steps = new LinkedHashMap<>();
    JsonNode stepNodes = root.path("steps");
    if (!stepNodes.isMissingNode() && !stepNodes.isArray()) {
      problems.add("steps: expected a list");
    }
    for (JsonNode node : stepNodes) {
      ProcessStep step = step(node, problems);
      if (step != null && steps.put(step.id(), step) != null) {
        problems.add("step " + step.id() + " is declared twice");
      }
    }
    boolean declared = !steps.isEmpty();
    List<ProcessEdge> edges = new ArrayList<>();
    for (JsonNode node : root.path("edges")) {
      ProcessEdge edge = edge(node, problems);
      if (edge != null) {
        edges.add(edge);
      }
    }
    if (root.hasNonNull("flow")) {
      Map<String, ProcessStep> implied = new LinkedHashMap<>(steps);
      arrows(root.get("flow").asText(), implied, edges, problems);
      if (!declared) {
        steps = implied;
      }
    }
    Set<String> entry = names(root.path("entry"), "entry", problems);
    Set<String> exit = names(root.path("exit"), "exit", problems);
    if (!problems.isEmpty()) {
      throw new ProcessDefinitionException(source, problems);
    }
    // Both were checked above: a missing one is a problem, and problems refuse the definition.
    return ProcessCompiler.compile(
        source, requireNonNull(iri), requireNonNull(version), steps, edges, entry, exit);
  }

  private static void arrows(
      String text, Map<String, ProcessStep> steps, List<ProcessEdge> edges, List<String> problems) {
    for (String statement : text.split("[;\n]")) {
      String s = statement.strip();
      if (s.isEmpty()) {
        continue;
      }
      String[] names = s.split("->", -1);
      List<String> chain = new ArrayList<>();
      for (String name : names) {
        String n = name.strip();
        if (n.isEmpty() || n.chars().anyMatch(Character::isWhitespace)) {
          problems.add("'" + s + "' is not a chain of step IRIs joined by ->");
          chain.clear();
          break;
        }
        chain.add(n);
      }
      for (String n : chain) {
        steps.putIfAbsent(n, new ProcessStep(n, null, false, null));
      }
      for (int i = 0; i + 1 < chain.size(); i++) {
        edges.add(new ProcessEdge(chain.get(i), chain.get(i + 1), null));
      }
    }
  }

  private static @Nullable ProcessStep step(JsonNode node, List<String> problems) {
    if (node.isTextual()) {
      return new ProcessStep(node.asText(), null, false, null);
    }
    if (!node.isObject()) {
      problems.add("steps: an entry is neither an IRI nor a mapping");
      return null;
    }
    String id = text(node, "id", problems);
    if (id == null) {
      return null;
    }
    StrictYaml.unknownFields(node, STEP_FIELDS, "step " + id + ": ", problems);
    String component = node.hasNonNull("component") ? node.get("component").asText() : null;
    boolean once = node.path("once").asBoolean(false);
    Integer max = null;
    if (node.hasNonNull("max")) {
      if (!node.get("max").canConvertToInt()) {
        problems.add("step " + id + ": max is not a whole number");
      } else {
        max = node.get("max").asInt();
      }
    }
    return new ProcessStep(id, component, once, max);
  }

  private static @Nullable ProcessEdge edge(JsonNode node, List<String> problems) {
    if (node.isTextual()) {
      String[] ends = node.asText().split("->");
      if (ends.length != 2 || ends[0].isBlank() || ends[1].isBlank()) {
        problems.add("edge '" + node.asText() + "' (expected: 'a -> b')");
        return null;
      }
      return new ProcessEdge(ends[0].strip(), ends[1].strip(), null);
    }
    if (!node.isObject()) {
      problems.add("edges: an entry is neither 'a -> b' nor a mapping");
      return null;
    }
    StrictYaml.unknownFields(node, EDGE_FIELDS, "edge: ", problems);
    String from = text(node, "from", problems);
    String to = text(node, "to", problems);
    Duration within = null;
    if (node.hasNonNull("within")) {
      Matcher m = DURATION.matcher(node.get("within").asText());
      if (!m.matches()) {
        problems.add(
            "edge "
                + from
                + " -> "
                + to
                + ": within '"
                + node.get("within").asText()
                + "' (expected: a number with s, m, h or d)");
      } else {
        long n = Long.parseLong(m.group(1));
        within =
            switch (m.group(2)) {
              case "s" -> Duration.ofSeconds(n);
              case "m" -> Duration.ofMinutes(n);
              case "h" -> Duration.ofHours(n);
              default -> Duration.ofDays(n);
            };
      }
    }
    return from == null || to == null ? null : new ProcessEdge(from, to, within);
  }

  private static Set<String> names(JsonNode node, String field, List<String> problems) {
    Set<String> names = new LinkedHashSet<>();
    if (node.isMissingNode() || node.isNull()) {
      return names;
    }
    if (!node.isArray()) {
      problems.add(field + ": expected a list of step IRIs");
      return names;
    }
    node.forEach(n -> names.add(n.asText()));
    return names;
  }

  private static @Nullable String text(JsonNode node, String field, List<String> problems) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      problems.add(field + ": missing (expected: a string)");
      return null;
    }
    return value.asText();
  }
}
