package dev.hopgate.pdp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package of the decision library imports one above it. The layers, bottom first: vocabulary and
 * wire formats, tokens and manifests, the floor, what decisions read, the engines, what a decision
 * is, and the decision point with the stores around it. A new arrow upward fails here, naming the
 * file; a new package must be placed in a layer.
 */
class PackageLayersTest {
  private static final List<List<String>> LAYERS =
      List.of(
          List.of("digest", "gate", "request", "wire", "yaml"),
          List.of("token"),
          List.of("manifest"),
          List.of("floor", "process"),
          List.of("input", "problem"),
          List.of("mcp", "engine"),
          List.of("route", "engine.cedar", "engine.rego"),
          List.of("snapshot"),
          List.of("repair", "state"),
          List.of("decision"),
          List.of("evidence", "association", "conformance"),
          List.of(""));

  private static final Pattern IMPORT =
      Pattern.compile(
          "^import (?:static )?dev\\.hopgate\\.pdp\\.((?:[a-z]+\\.)*)[A-Z]", Pattern.MULTILINE);

  @Test
  void noPackageImportsOneAboveIt() throws IOException {
    Map<String, Integer> layerOf = new TreeMap<>();
    for (int i = 0; i < LAYERS.size(); i++) {
      for (String pkg : LAYERS.get(i)) {
        layerOf.put(pkg, i);
      }
    }
    Path root = Path.of("src", "main", "java", "dev", "hopgate", "pdp");
    List<String> upward = new ArrayList<>();
    List<String> unplaced = new ArrayList<>();
    int read = 0;
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        read++;
        String pkg = root.relativize(file.getParent()).toString().replace('/', '.');
        Integer own = layerOf.get(pkg);
        if (own == null) {
          unplaced.add(pkg);
          continue;
        }
        Matcher m = IMPORT.matcher(Files.readString(file));
        while (m.find()) {
          String target =
              m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).length() - 1);
          Integer theirs = layerOf.get(target);
          if (theirs == null) {
            unplaced.add(target);
          } else if (theirs > own || (theirs == own && !target.equals(pkg))) {
            upward.add(root.relativize(file) + " imports " + (target.isEmpty() ? "pdp" : target));
          }
        }
      }
    }
    assertThat(read).as("source files read (run from the module)").isGreaterThan(100);
    assertThat(unplaced).as("packages in no layer").isEmpty();
    assertThat(upward).as("imports of a package in the same or a higher layer").isEmpty();
  }
}
