package dev.hopgate.tests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The official MCP SDK (PyPI {@code mcp}, pinned, installed by scripts/install-tools.sh): its
 * server (tests/src/test/resources/mcp/sdk_server.py) as a real MCP upstream, its client as a
 * planner (tests/src/test/resources/mcp/planner.py).
 */
public final class McpSdk {
  private McpSdk() {}

  private static Path python() {
    return Path.of(System.getProperty("hopgate.tools.dir"), "venv", "bin", "python");
  }

  private static Path script(String name) {
    return Tools.repo().resolve("tests/src/test/resources/mcp/" + name);
  }

  /** Starts the SDK's MCP server on {@code port} (Streamable HTTP at /mcp), ready to take calls. */
  public static ManagedProcess server(Path dir, int port) {
    return start(dir, "sdk_server.py", port);
  }

  /** Starts the conformance suite's fixtures, built with the SDK, on {@code port}. */
  public static ManagedProcess conformanceServer(Path dir, int port) {
    return start(dir, "conformance_server.py", port);
  }

  private static ManagedProcess start(Path dir, String script, int port) {
    String name = script.replace(".py", "");
    ManagedProcess server =
        new ManagedProcess(
            name,
            List.of(python().toString(), script(script).toString(), Integer.toString(port)),
            dir.resolve(name + ".log"));
    server.awaitReady(() -> server.logText().contains("listening"), Duration.ofSeconds(60));
    return server;
  }

  /**
   * Runs the MCP conformance suite's server scenarios (npm @modelcontextprotocol/conformance,
   * pinned, installed by scripts/install-tools.sh) against {@code url}, its results under {@code
   * out}.
   *
   * @return what the suite printed
   */
  public static String conformance(String url, Path out) {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return suite(
        out.resolveSibling(out.getFileName() + ".log"),
        "server",
        "--url",
        url,
        "-o",
        out.toString());
  }

  /**
   * The suite's server scenarios and the MCP revisions each is marked for, as its {@code list}
   * command prints them ({@code - name [2025-06-18,2025-11-25]}).
   */
  public static java.util.Map<String, String> conformanceScenarios(Path dir) {
    java.util.Map<String, String> scenarios = new java.util.TreeMap<>();
    java.util.regex.Pattern line = java.util.regex.Pattern.compile("\\s*- (\\S+) \\[([^]]*)]");
    for (String l : suite(dir.resolve("conformance-list.log"), "list", "--server").split("\n")) {
      java.util.regex.Matcher m = line.matcher(l);
      if (m.matches()) {
        scenarios.put(m.group(1), m.group(2));
      }
    }
    return scenarios;
  }

  private static String suite(Path log, String... args) {
    Path suite = Path.of(System.getProperty("hopgate.tools.dir"), "mcp-conformance");
    try {
      List<String> command = new java.util.ArrayList<>();
      command.add(suite.resolve("node_modules/.bin/node").toString());
      command.add(
          suite.resolve("node_modules/@modelcontextprotocol/conformance/dist/index.js").toString());
      command.addAll(List.of(args));
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            "the MCP conformance suite did not finish:\n" + Files.readString(log));
      }
      // The suite exits non-zero when a scenario fails: the results say which.
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Runs the planner on {@code scenarioJson} (see planner.py) and returns what it printed.
   *
   * @throws IllegalStateException with the planner's error output when it fails
   */
  public static String plan(Path dir, String scenarioJson) {
    long run = System.nanoTime();
    Path errors = dir.resolve("mcp-planner-" + run + ".log");
    Path output = dir.resolve("mcp-planner-" + run + ".json");
    try {
      // Both streams to files: a planner that hangs is stopped, never waited on.
      Process p =
          new ProcessBuilder(python().toString(), script("planner.py").toString())
              .redirectError(errors.toFile())
              .redirectOutput(output.toFile())
              .start();
      try (var in = p.getOutputStream()) {
        in.write(scenarioJson.getBytes(StandardCharsets.UTF_8));
      }
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("the MCP planner did not finish");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("the MCP planner failed:\n" + Files.readString(errors));
      }
      return Files.readString(output).strip();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
