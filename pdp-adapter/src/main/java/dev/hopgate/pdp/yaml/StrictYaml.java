package dev.hopgate.pdp.yaml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * YAML read strictly: a key written twice is an error (the later one would silently win), and a
 * field no reader knows is named, so a misspelt setting never reads as its default.
 */
public final class StrictYaml {
  /** Refuses duplicate keys. */
  public static final ObjectMapper MAPPER =
      new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private StrictYaml() {}

  /**
   * Adds a problem, prefixed by {@code where}, for each field of {@code node} not in {@code known}.
   */
  public static void unknownFields(
      JsonNode node, Set<String> known, String where, List<String> problems) {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        problems.add(
            where + "unknown field '" + name + "' (expected one of: " + new TreeSet<>(known) + ")");
      }
    }
  }
}
