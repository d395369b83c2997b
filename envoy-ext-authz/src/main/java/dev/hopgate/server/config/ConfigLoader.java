package dev.hopgate.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Reads a YAML configuration file, applies overrides (from flags and environment variables, as
 * dotted paths such as {@code trust.token_service.jwks}), and binds and validates the result.
 */
public final class ConfigLoader {
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .registerModule(
              new SimpleModule()
                  .addDeserializer(Duration.class, new DurationDeserializer())
                  .addDeserializer(
                      Choice.Engine.class, new ChoiceDeserializer<>(Choice.Engine.class))
                  .addDeserializer(Choice.Store.class, new ChoiceDeserializer<>(Choice.Store.class))
                  .addDeserializer(Choice.Trace.class, new ChoiceDeserializer<>(Choice.Trace.class))
                  .addDeserializer(
                      Choice.WhenFull.class, new ChoiceDeserializer<>(Choice.WhenFull.class)));

  private ConfigLoader() {}

  /** A loaded configuration and the directory its relative paths are relative to. */
  public record Loaded(HopgateConfig config, Path file, Path baseDir) {
    /** Resolves a path from the configuration against its file's directory. */
    public Path path(String configured) {
      return baseDir.resolve(configured).normalize();
    }
  }

  /** Any configuration record and the directory its relative paths are relative to. */
  public record Typed<T>(T config, Path baseDir) {
    public Path path(String configured) {
      return baseDir.resolve(configured).normalize();
    }
  }

  /** Loads a YAML file into {@code type}, with the same checks and messages as hopgate's own. */
  public static <T> Typed<T> load(Path file, Map<String, String> overrides, Class<T> type)
      throws ConfigException {
    Path absolute = file.toAbsolutePath().normalize();
    return new Typed<>(bind(file, absolute, overrides, type), parent(absolute));
  }

  /**
   * Loads {@code file} with {@code overrides} applied on top.
   *
   * @throws ConfigException naming the file and the field at fault
   */
  public static Loaded load(Path file, Map<String, String> overrides) throws ConfigException {
    Path absolute = file.toAbsolutePath().normalize();
    return new Loaded(
        bind(file, absolute, overrides, HopgateConfig.class), absolute, parent(absolute));
  }

  private static Path parent(Path absolute) {
    Path parent = absolute.getParent();
    return parent == null ? absolute.getRoot() : parent;
  }

  private static <T> T bind(Path file, Path absolute, Map<String, String> overrides, Class<T> type)
      throws ConfigException {
    String text;
    try {
      text = Files.readString(absolute);
    } catch (IOException e) {
      throw new ConfigException("config " + file + ": cannot read (" + e.getMessage() + ")");
    }
    ObjectNode tree = parse(file, text);
    for (Map.Entry<String, String> override : overrides.entrySet()) {
      apply(tree, override.getKey(), override.getValue());
    }
    rejectUnknownFields(file, tree, type, "");
    try {
      return YAML.treeToValue(tree, type);
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds() == null
              ? ""
              : " (expected one of: "
                  + e.getKnownPropertyIds().stream()
                      .map(String::valueOf)
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + ")";
      throw new ConfigException(
          "config " + file + ": unknown field '" + path(e, true) + "'" + known);
    } catch (ValueInstantiationException e) {
      // Each record names its own field; the path says where that record sits.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      String where = path(e, true);
      throw new ConfigException(
          "config " + file + ": " + (where.isEmpty() ? "" : where + ".") + cause.getMessage());
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      String what =
          cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
      throw new ConfigException(
          "config " + file + ": " + path(e, true) + ": " + firstLine(String.valueOf(what)));
    } catch (JsonProcessingException e) {
      throw new ConfigException("config " + file + ": " + firstLine(e.getOriginalMessage()));
    }
  }

  private static ObjectNode parse(Path file, String text) throws ConfigException {
    JsonNode node;
    try {
      node = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
      throw new ConfigException(
          "config "
              + file
              + ": not valid YAML"
              + where
              + " ("
              + firstLine(e.getOriginalMessage())
              + ")");
    }
    if (node == null || node.isMissingNode() || node.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!(node instanceof ObjectNode object)) {
      throw new ConfigException(
          "config "
              + file
              + ": the top level is a "
              + node.getNodeType()
              + " (expected: a mapping of fields)");
    }
    return object;
  }

  /**
   * Names a misspelt field as such. Jackson builds a record before it reports an unknown field, so
   * a typo in a required field would otherwise read as "missing".
   */
  private static void rejectUnknownFields(Path file, JsonNode node, Class<?> type, String prefix)
      throws ConfigException {
    if (!type.isRecord() || !(node instanceof ObjectNode object)) {
      return;
    }
    Map<String, Class<?>> fields = new TreeMap<>();
    for (RecordComponent component : type.getRecordComponents()) {
      JsonProperty name = component.getAccessor().getAnnotation(JsonProperty.class);
      fields.put(name != null ? name.value() : component.getName(), component.getType());
    }
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      Class<?> fieldType = fields.get(field.getKey());
      if (fieldType == null) {
        throw new ConfigException(
            "config "
                + file
                + ": unknown field '"
                + prefix
                + field.getKey()
                + "' (expected one of: "
                + String.join(", ", fields.keySet())
                + ")");
      }
      rejectUnknownFields(file, field.getValue(), fieldType, prefix + field.getKey() + ".");
    }
  }

  /** Sets a dotted path to a value; a list field takes a comma-separated value. */
  static void apply(ObjectNode tree, String dottedPath, String value) throws ConfigException {
    String[] parts = dottedPath.split("\\.");
    ObjectNode node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || child.isNull()) {
        node = node.putObject(parts[i]);
      } else if (child instanceof ObjectNode object) {
        node = object;
      } else {
        throw new ConfigException(
            "override " + dottedPath + ": '" + parts[i] + "' is not a mapping");
      }
    }
    String leaf = parts[parts.length - 1];
    if (node.get(leaf) instanceof ArrayNode || LIST_FIELDS.contains(dottedPath)) {
      ArrayNode array = node.putArray(leaf);
      for (String item : value.split(",")) {
        array.add(item.trim());
      }
    } else {
      node.put(leaf, value);
    }
  }

  private static final Set<String> LIST_FIELDS =
      Set.of(
          "trust.token_service.issuers", "trust.token_service.algorithms",
          "trust.txn_token_service.issuers", "trust.txn_token_service.algorithms",
          "trust.manifest_registry.issuers", "trust.manifest_registry.algorithms",
          "revocation.principals", "revocation.txns");

  private static String path(JsonMappingException e, boolean dotted) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining(dotted ? "." : "/"))
        .replace(".[", "[");
  }

  private static String firstLine(String message) {
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /** A {@link Choice} by its name, refused naming the names it accepts. */
  private static final class ChoiceDeserializer<E extends Enum<E> & Choice>
      extends JsonDeserializer<E> {
    private final Class<E> type;

    ChoiceDeserializer(Class<E> type) {
      this.type = type;
    }

    @Override
    public E deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      try {
        return Choice.parse(type, p.getValueAsString(p.getText()));
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, e.getMessage(), e);
      }
    }
  }

  private static final class DurationDeserializer extends JsonDeserializer<Duration> {
    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      try {
        return Durations.parse(p.getValueAsString(p.getText()));
      } catch (IllegalArgumentException e) {
        throw JsonMappingException.from(p, e.getMessage(), e);
      }
    }
  }
}
