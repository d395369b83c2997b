package dev.hopgate.pdp.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The process definitions of a directory, indexed by IRI; a declared intent binds one by digest.
 */
public final class ProcessRegistry {
  private final Map<String, ProcessDefinition> byIri;

  private ProcessRegistry(Map<String, ProcessDefinition> byIri) {
    this.byIri = Map.copyOf(byIri);
  }

  public static ProcessRegistry of(Collection<ProcessDefinition> definitions) {
    Map<String, ProcessDefinition> map = new TreeMap<>();
    definitions.forEach(d -> map.put(d.iri(), d));
    return new ProcessRegistry(map);
  }

  /**
   * Loads every {@code *.flow}, {@code *.yaml} and {@code *.yml} file of {@code directory}. Unlike
   * manifests, one bad process refuses the whole set: an intent that cannot be resolved would deny
   * every request of its txns.
   */
  public static ProcessRegistry load(Path directory)
      throws ProcessDefinitionException, IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files =
          list.filter(
                  p ->
                      p.toString().endsWith(".flow")
                          || p.toString().endsWith(".yaml")
                          || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
    }
    Map<String, ProcessDefinition> map = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Path file : files) {
      try {
        ProcessDefinition definition = ProcessDefinitions.load(file);
        if (map.put(definition.iri(), definition) != null) {
          problems.add(file.getFileName() + ": process " + definition.iri() + " is defined twice");
        }
      } catch (ProcessDefinitionException e) {
        problems.add(e.getMessage());
      }
    }
    if (!problems.isEmpty()) {
      throw new ProcessDefinitionException(directory.toString(), problems);
    }
    return new ProcessRegistry(map);
  }

  /** What a declared {@code intent} claim (or null) names in this registry. */
  public DeclaredIntent declared(@Nullable Map<String, Object> intent) {
    return DeclaredIntent.of(intent, this);
  }

  /** The definition a declared intent binds: same IRI and same digest, or none. */
  public Optional<ProcessDefinition> resolve(@Nullable String iri, @Nullable String digest) {
    if (iri == null || digest == null) {
      return Optional.empty();
    }
    ProcessDefinition d = byIri.get(iri);
    return d != null && d.digest().equals(digest) ? Optional.of(d) : Optional.empty();
  }

  public Optional<ProcessDefinition> get(String iri) {
    return Optional.ofNullable(byIri.get(iri));
  }

  public Collection<ProcessDefinition> all() {
    return byIri.values();
  }
}
