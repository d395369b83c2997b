package dev.hopgate.tests.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Jaeger (v2 all-in-one, built by scripts/install-tools.sh): OTLP receivers and the query
 * API on free loopback ports, traces in memory.
 */
public final class JaegerProcess extends ManagedProcess {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final int queryPort;
  private final int otlpGrpcPort;
  private final int otlpHttpPort;

  private JaegerProcess(List<String> command, Path log, int query, int grpc, int http) {
    super("jaeger", command, log);
    this.queryPort = query;
    this.otlpGrpcPort = grpc;
    this.otlpHttpPort = http;
  }

  public static JaegerProcess start(Path dir) {
    int query = Ports.free();
    int grpc = Ports.free();
    int http = Ports.free();
    Path config = dir.resolve("jaeger.yaml");
    try {
      Files.writeString(
          config,
          EnvoyProcess.render(
              EnvoyProcess.read("/telemetry/jaeger.yaml"),
              Map.of(
                  "QUERY_PORT", "" + query,
                  "QUERY_GRPC_PORT", "" + Ports.free(),
                  "OTLP_GRPC_PORT", "" + grpc,
                  "OTLP_HTTP_PORT", "" + http)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JaegerProcess jaeger =
        new JaegerProcess(
            List.of(Tools.jaeger().toString(), "--config", config.toString()),
            dir.resolve("jaeger.log"),
            query,
            grpc,
            http);
    jaeger.awaitReady(
        () ->
            jaeger.get("/api/services") != null && jaeger.logText().contains("Everything is ready"),
        Duration.ofSeconds(60));
    return jaeger;
  }

  /** Jaeger's own shutdown is not under test: one that hangs (an open stream) is killed. */
  @Override
  public void close() {
    stopOrKill(Duration.ofSeconds(5));
  }

  /** Where OTLP/gRPC is received (Envoy's OpenTelemetry tracer exports there). */
  public int otlpGrpcPort() {
    return otlpGrpcPort;
  }

  /** The OTLP/HTTP traces endpoint (hopgate's exporter). */
  public String otlpHttpTraces() {
    return "http://127.0.0.1:" + otlpHttpPort + "/v1/traces";
  }

  /** The trace with {@code traceId} from the query API, or null while Jaeger has none. */
  public JsonNode trace(String traceId) {
    JsonNode body = get("/api/traces/" + traceId);
    if (body == null || !body.path("data").isArray() || body.path("data").isEmpty()) {
      return null;
    }
    return body.path("data").get(0);
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + queryPort + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
