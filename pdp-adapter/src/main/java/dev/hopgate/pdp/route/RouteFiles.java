package dev.hopgate.pdp.route;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.mcp.ProtectedResource;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.yaml.StrictYaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Reads the route table from the {@code *.yaml} and {@code *.yml} files of a directory, each a
 * mapping with a {@code routes} list (docs/configuration.md). One bad route refuses the whole
 * table, as one bad process refuses the process set: a route missing from the table would deny
 * every request of a component, a wrong one decide them as something else.
 */
public final class RouteFiles {
  private static final ObjectMapper YAML = StrictYaml.MAPPER;

  private static final Set<String> FILE_FIELDS = Set.of("routes");
  private static final Set<String> ROUTE_FIELDS =
      Set.of("name", "component", "match", "step", "mcp", "disclosure", "require_caller");
  private static final Set<String> MATCH_FIELDS =
      Set.of("path", "path_prefix", "methods", "authorities");
  private static final Set<String> MCP_FIELDS =
      Set.of(
          "tools",
          "resources",
          "prompts",
          "methods",
          "session_methods",
          "denial_code",
          "denial_status",
          "resource_metadata",
          "denial_form",
          "protected_resource");

  private static final Set<String> PROTECTED_RESOURCE_FIELDS =
      Set.of("resource", "authorization_servers", "scopes_supported", "resource_name");

  /** The table could not be read: every problem, each naming its file and route. */
  public static final class RouteTableException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    RouteTableException(List<String> problems) {
      super(String.join("; ", problems));
      this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
      return problems;
    }
  }

  private RouteFiles() {}

  /** The table of {@code directory}'s files, in file-name order. */
  public static RouteTable load(Path directory) throws IOException, RouteTableException {
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files =
          list.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    }
    List<String> problems = new ArrayList<>();
    List<Route> routes = new ArrayList<>();
    List<Object> read = new ArrayList<>();
    for (Path file : files) {
      String source = file.getFileName().toString();
      JsonNode root;
      try {
        root = YAML.readTree(Files.readString(file));
      } catch (JsonProcessingException e) {
        problems.add(source + ": not valid YAML: " + e.getOriginalMessage());
        continue;
      } catch (IOException e) {
        problems.add(source + ": cannot be read as UTF-8 text (" + e + ")");
        continue;
      }
      if (root == null || root.isMissingNode() || root.isNull()) {
        continue; // an empty file holds no routes
      }
      if (!root.isObject() || !root.path("routes").isArray()) {
        problems.add(source + ": expected a mapping with a 'routes' list");
        continue;
      }
      StrictYaml.unknownFields(root, FILE_FIELDS, source + ": ", problems);
      int i = 0;
      for (JsonNode node : root.get("routes")) {
        String where = source + ": routes[" + i++ + "]";
        if (node.hasNonNull("name") && node.get("name").isTextual()) {
          where += " '" + node.get("name").asText() + "'";
        }
        Route route = route(node, where + ": ", problems);
        if (route != null) {
          routes.add(route);
          read.add(YAML.convertValue(node, Object.class));
        }
      }
    }
    RouteTable table = null;
    if (problems.isEmpty()) {
      try {
        table = RouteTable.of(routes, Digests.ofJson(read));
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
    if (table == null) {
      throw new RouteTableException(problems);
    }
    return table;
  }

  private static @Nullable Route route(JsonNode node, String where, List<String> problems) {
    if (!node.isObject()) {
      problems.add(where + "expected a mapping");
      return null;
    }
    int before = problems.size();
    StrictYaml.unknownFields(node, ROUTE_FIELDS, where, problems);
    String name = text(node, "name", true, where, problems);
    String component = text(node, "component", true, where, problems);
    String step = text(node, "step", false, where, problems);
    JsonNode match = node.path("match");
    RouteBinding binding = null;
    if (!match.isObject()) {
      problems.add(
          where + "match: missing (expected: path or path_prefix, optional methods, authorities)");
    } else {
      StrictYaml.unknownFields(match, MATCH_FIELDS, where + "match.", problems);
      try {
        binding =
            new RouteBinding(
                text(match, "path", false, where + "match.", problems),
                text(match, "path_prefix", false, where + "match.", problems),
                strings(match, "methods", where + "match.", problems),
                lowerCase(strings(match, "authorities", where + "match.", problems)));
      } catch (IllegalArgumentException e) {
        problems.add(where + e.getMessage());
      }
    }
    McpRoute mcp = null;
    if (node.has("mcp")) {
      mcp = mcp(node.get("mcp"), where, problems);
    }
    DisclosureLevel disclosure = DisclosureLevel.FULL;
    String level = text(node, "disclosure", false, where, problems);
    if (level != null) {
      disclosure = DisclosureLevel.named(level).orElse(null);
      if (disclosure == null) {
        problems.add(
            where + "disclosure: '" + level + "' (expected: full, minimal or undisclosed)");
      }
    }
    boolean requireCaller = true;
    JsonNode caller = node.get("require_caller");
    if (caller != null) {
      if (!caller.isBoolean()) {
        problems.add(where + "require_caller: expected true or false");
      } else {
        requireCaller = caller.asBoolean();
      }
    }
    if (problems.size() > before
        || name == null
        || component == null
        || binding == null
        || disclosure == null) {
      return null;
    }
    try {
      return new Route(name, component, step, mcp, disclosure, requireCaller, binding);
    } catch (IllegalArgumentException e) {
      problems.add(where + e.getMessage());
      return null;
    }
  }

  private static @Nullable McpRoute mcp(JsonNode node, String where, List<String> problems) {
    if (!node.isObject()) {
      problems.add(where + "mcp: expected a mapping (tools, resources, prompts, methods, ...)");
      return null;
    }
    StrictYaml.unknownFields(node, MCP_FIELDS, where + "mcp.", problems);
    try {
      McpRoute route =
          McpRoute.of(
              steps(node, "tools", where, problems),
              steps(node, "resources", where, problems),
              steps(node, "prompts", where, problems),
              steps(node, "methods", where, problems),
              text(node, "session_methods", false, where + "mcp.", problems),
              integer(node, "denial_code", where, problems),
              integer(node, "denial_status", where, problems),
              text(node, "resource_metadata", false, where + "mcp.", problems),
              text(node, "denial_form", false, where + "mcp.", problems));
      JsonNode metadata = node.get("protected_resource");
      if (metadata == null) {
        return route;
      }
      if (!metadata.isObject()) {
        problems.add(where + "mcp.protected_resource: expected a mapping (resource, ...)");
        return null;
      }
      String in = where + "mcp.protected_resource.";
      StrictYaml.unknownFields(metadata, PROTECTED_RESOURCE_FIELDS, in, problems);
      return route.withProtectedResource(
          ProtectedResource.of(
              text(metadata, "resource", true, in, problems),
              List.copyOf(strings(metadata, "authorization_servers", in, problems)),
              List.copyOf(strings(metadata, "scopes_supported", in, problems)),
              text(metadata, "resource_name", false, in, problems)));
    } catch (IllegalArgumentException e) {
      problems.add(where + e.getMessage());
      return null;
    }
  }

  private static Map<String, String> steps(
      JsonNode node, String field, String where, List<String> problems) {
    Map<String, String> steps = new TreeMap<>();
    JsonNode map = node.get(field);
    if (map == null || map.isNull()) {
      return steps;
    }
    if (!map.isObject()) {
      problems.add(where + "mcp." + field + ": expected a mapping of names to steps");
      return steps;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isTextual()) {
        problems.add(where + "mcp." + field + "." + e.getKey() + ": expected a step (a string)");
        continue;
      }
      steps.put(e.getKey(), e.getValue().asText());
    }
    return steps;
  }

  private static @Nullable Integer integer(
      JsonNode node, String field, String where, List<String> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isInt()) {
      problems.add(where + "mcp." + field + ": expected an integer");
      return null;
    }
    return value.asInt();
  }

  private static Set<String> strings(
      JsonNode node, String field, String where, List<String> problems) {
    Set<String> values = new LinkedHashSet<>();
    JsonNode list = node.get(field);
    if (list == null || list.isNull()) {
      return values;
    }
    if (!list.isArray()) {
      problems.add(where + field + ": expected a list");
      return values;
    }
    for (JsonNode value : list) {
      if (!value.isTextual()) {
        problems.add(where + field + ": expected strings");
        continue;
      }
      values.add(value.asText());
    }
    return values;
  }

  private static Set<String> lowerCase(Set<String> values) {
    Set<String> lower = new LinkedHashSet<>();
    values.forEach(v -> lower.add(v.toLowerCase(Locale.ROOT)));
    return lower;
  }

  private static @Nullable String text(
      JsonNode node, String field, boolean required, String where, List<String> problems) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        problems.add(where + field + ": missing");
      }
      return null;
    }
    if (!value.isTextual() || value.asText().isBlank()) {
      problems.add(where + field + ": expected a string");
      return null;
    }
    return value.asText();
  }
}
