package dev.hopgate.pdp.engine.rego;

import dev.hopgate.pdp.engine.PolicyLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code opa check --strict --schema <input document schema>} over a Rego directory, with a local
 * {@code opa} binary: what the build does for the shipped policies, done at load (and every reload)
 * for the Rego hopgate pushes to an OPA server, whose REST API compiles but neither runs strict
 * mode nor type-checks against a schema. A rule reading a field the input never has is refused with
 * OPA's file:line, instead of a rule that can never match.
 */
public final class RegoTypeCheck {
  private static final String SCHEMA = "/dev/hopgate/pdp/input/input-document.schema.json";

  private RegoTypeCheck() {}

  /** Refuses {@code regoDirectory} when {@code opa check --strict} with the schema fails. */
  public static void check(Path opa, Path regoDirectory) throws PolicyLoadException {
    Path schema = null;
    try {
      schema = Files.createTempFile("hopgate-input-schema", ".json");
      try (InputStream in = RegoTypeCheck.class.getResourceAsStream(SCHEMA)) {
        if (in == null) {
          throw new PolicyLoadException(
              "rego type check: the input document schema is missing from the build");
        }
        Files.write(schema, in.readAllBytes());
      }
      Process process =
          new ProcessBuilder(
                  List.of(
                      opa.toString(),
                      "check",
                      "--strict",
                      "--schema",
                      schema.toString(),
                      regoDirectory.toString()))
              .redirectErrorStream(true)
              .start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new PolicyLoadException(
            "rego type check: " + opa + " check did not finish within 60 s");
      }
      String output =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (process.exitValue() != 0) {
        throw new PolicyLoadException(
            "rego type check (opa check --strict against the input document schema): " + output);
      }
    } catch (IOException e) {
      throw new PolicyLoadException(
          "rego type check: cannot run " + opa + " (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PolicyLoadException("rego type check: interrupted");
    } finally {
      if (schema != null) {
        try {
          Files.deleteIfExists(schema);
        } catch (IOException e) {
          // A temporary file left behind; nothing to decide on.
        }
      }
    }
  }
}
