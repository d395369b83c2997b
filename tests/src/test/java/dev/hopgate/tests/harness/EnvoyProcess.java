package dev.hopgate.tests.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The pinned real Envoy, configured from a YAML template kept beside the tests. */
public final class EnvoyProcess extends ManagedProcess {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

  private final int adminPort;

  private EnvoyProcess(List<String> command, Path log, int adminPort) {
    super("envoy", command, log);
    this.adminPort = adminPort;
  }

  /**
   * Renders {@code template} (a classpath resource) with {@code values} plus {@code ADMIN_PORT}
   * (and {@code HOPGATE_TIMEOUT}, 2 s unless given), starts Envoy and waits until its admin
   * endpoint says it is ready.
   */
  public static EnvoyProcess start(String template, Map<String, String> values, Path dir) {
    return start(template, values, dir, List.of());
  }

  /** The same, run as {@code runAs} (a command prefix such as {@code setpriv --reuid ...}). */
  public static EnvoyProcess start(
      String template, Map<String, String> values, Path dir, List<String> runAs) {
    int adminPort = Ports.free();
    Map<String, String> all = new java.util.HashMap<>(values);
    all.put("ADMIN_PORT", Integer.toString(adminPort));
    all.putIfAbsent("HOPGATE_TIMEOUT", "2s");
    all.putIfAbsent("HOPGATE_RETRY", "");
    all.putIfAbsent("HOPGATE_FALLBACK", "");
    all.putIfAbsent("TRACING", "");
    all.putIfAbsent("TRACE_CLUSTER", "");
    Path config = dir.resolve("envoy.yaml");
    try {
      Files.writeString(config, render(read(template), all));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new java.util.ArrayList<>(runAs);
    command.addAll(
        List.of(
            Tools.envoy().toString(),
            "-c",
            config.toString(),
            "--disable-hot-restart",
            "--concurrency",
            "1",
            "-l",
            "info",
            "--drain-time-s",
            "1",
            "--parent-shutdown-time-s",
            "2",
            // Envoy flushes log files every 10 s by default; tests read the access log right away.
            "--file-flush-interval-msec",
            "100"));
    EnvoyProcess envoy = new EnvoyProcess(command, dir.resolve("envoy.log"), adminPort);
    envoy.awaitReady(envoy::ready, Duration.ofSeconds(30));
    return envoy;
  }

  public int adminPort() {
    return adminPort;
  }

  /**
   * A stat from the admin endpoint, such as {@code http.ingress.ext_authz.denied}; 0 when absent.
   */
  public long stat(String name) {
    String body = admin("/stats");
    for (String line : body.split("\n")) {
      if (line.startsWith(name + ": ")) {
        return Long.parseLong(line.substring(name.length() + 2).trim());
      }
    }
    return 0;
  }

  private boolean ready() {
    try {
      return admin("/ready").trim().equals("LIVE");
    } catch (RuntimeException e) {
      return false;
    }
  }

  private String admin(String path) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String render(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(
            "template placeholder ${" + m.group(1) + "} has no value");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String read(String resource) throws IOException {
    try (InputStream in = EnvoyProcess.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("no resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
