package dev.hopgate.tests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real OpenTelemetry Collector (built with ocb by scripts/install-tools.sh: the OTLP receiver and
 * the file exporter), receiving OTLP/HTTP on a loopback port and writing every log record it gets
 * to a file. It can be started again on the same port and file (a receiver back after an outage).
 */
public final class CollectorProcess extends ManagedProcess {
  private final int port;
  private final Path out;

  private CollectorProcess(List<String> command, Path log, int port, Path out) {
    super("otelcol", command, log);
    this.port = port;
    this.out = out;
  }

  /** A collector on a free port, writing to {@code dir}/received.jsonl. */
  public static CollectorProcess start(Path dir) {
    return start(dir, Ports.free(), 1);
  }

  /** Another run of a stopped collector: same port, same file (appended to). */
  public static CollectorProcess again(CollectorProcess stopped, Path dir) {
    return start(dir, stopped.port, 2);
  }

  private static CollectorProcess start(Path dir, int port, int run) {
    Path out = dir.resolve("received.jsonl");
    Path config = dir.resolve("otelcol.yaml");
    try {
      Files.writeString(
          config,
          EnvoyProcess.render(
              EnvoyProcess.read("/telemetry/otelcol.yaml"),
              Map.of("OTLP_HTTP_PORT", "" + port, "OUT", out.toString())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    CollectorProcess collector =
        new CollectorProcess(
            List.of(Tools.otelcol().toString(), "--config", config.toString()),
            dir.resolve("otelcol-" + run + ".log"),
            port,
            out);
    collector.awaitReady(collector::listens, Duration.ofSeconds(60));
    return collector;
  }

  private boolean listens() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The OTLP/HTTP logs endpoint. */
  public String otlpHttpLogs() {
    return "http://127.0.0.1:" + port + "/v1/logs";
  }

  /** The file it writes what it received to. */
  public Path received() {
    return out;
  }
}
