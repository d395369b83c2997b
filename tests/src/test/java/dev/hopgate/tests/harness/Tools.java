package dev.hopgate.tests.harness;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the pinned tools and the built hopgate are; set by the build (tests/pom.xml). */
public final class Tools {
  private Tools() {}

  public static Path repo() {
    return Path.of(property("hopgate.repo.dir"));
  }

  public static Path envoy() {
    return existing(
        Path.of(property("hopgate.tools.dir"), "venv", "bin", "envoy"),
        "Envoy is installed by scripts/install-tools.sh (make test runs it)");
  }

  public static Path opa() {
    return existing(
        Path.of(property("hopgate.tools.dir"), "bin", "opa"),
        "OPA is installed by scripts/install-tools.sh (make test runs it)");
  }

  public static Path toxiproxy() {
    return existing(
        Path.of(property("hopgate.tools.dir"), "bin", "toxiproxy-server"),
        "Toxiproxy is installed by scripts/install-tools.sh (make test runs it)");
  }

  public static Path jaeger() {
    return existing(
        Path.of(property("hopgate.tools.dir"), "bin", "jaeger"),
        "Jaeger is built by scripts/install-tools.sh (make test runs it)");
  }

  public static Path otelcol() {
    return existing(
        Path.of(property("hopgate.tools.dir"), "bin", "otelcol"),
        "the OpenTelemetry Collector is built by scripts/install-tools.sh (make test runs it)");
  }

  public static Path hopgateJar() {
    return existing(
        Path.of(property("hopgate.jar")), "hopgate.jar is built by the envoy-ext-authz module");
  }

  public static Path java() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  private static String property(String name) {
    String value = System.getProperty(name);
    if (value == null) {
      throw new IllegalStateException(
          "system property " + name + " is not set: run the tests through Maven");
    }
    return value;
  }

  private static Path existing(Path path, String hint) {
    if (!Files.isExecutable(path) && !Files.isRegularFile(path)) {
      throw new IllegalStateException(path + " is missing: " + hint);
    }
    return path;
  }
}
