package dev.hopgate.tests.harness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Toxiproxy (pinned, from the Go module proxy) on loopback: TCP proxies in front of Redis or
 * OPA whose traffic a test delays or stalls through Toxiproxy's HTTP API, so the faults hopgate
 * meets come from the network path, not from code written for the test.
 */
public final class ToxiproxyProcess extends ManagedProcess {
  private final int apiPort;
  private final HttpClient http = HttpClient.newHttpClient();

  private ToxiproxyProcess(List<String> command, Path log, int apiPort) {
    super("toxiproxy", command, log);
    this.apiPort = apiPort;
  }

  public static ToxiproxyProcess start(Path dir) {
    int port = Ports.free();
    ToxiproxyProcess toxiproxy =
        new ToxiproxyProcess(
            List.of(
                Tools.toxiproxy().toString(),
                "-host",
                "127.0.0.1",
                "-port",
                Integer.toString(port)),
            dir.resolve("toxiproxy-" + port + ".log"),
            port);
    toxiproxy.awaitReady(() -> toxiproxy.answers("/version"), Duration.ofSeconds(20));
    return toxiproxy;
  }

  /** A proxy named {@code name} to {@code upstreamPort}; returns the port it listens on. */
  public int proxy(String name, int upstreamPort) {
    int listen = Ports.free();
    call(
        "POST",
        "/proxies",
        "{\"name\":\"%s\",\"listen\":\"127.0.0.1:%d\",\"upstream\":\"127.0.0.1:%d\",\"enabled\":true}"
            .formatted(name, listen, upstreamPort));
    return listen;
  }

  /**
   * Delays every chunk on {@code proxy} by {@code latency}: {@code upstream} (requests on their way
   * to the server) or {@code downstream} (its replies).
   */
  public void delay(String proxy, String toxic, String stream, Duration latency) {
    call(
        "POST",
        "/proxies/" + proxy + "/toxics",
        "{\"name\":\"%s\",\"type\":\"latency\",\"stream\":\"%s\",\"attributes\":{\"latency\":%d}}"
            .formatted(toxic, stream, latency.toMillis()));
  }

  /**
   * Drops everything on {@code proxy}'s {@code stream} from now on, keeping its connections open (a
   * {@code timeout} toxic with timeout 0): answers that are lost on the way.
   */
  public void drop(String proxy, String toxic, String stream) {
    call(
        "POST",
        "/proxies/" + proxy + "/toxics",
        "{\"name\":\"%s\",\"type\":\"timeout\",\"stream\":\"%s\",\"attributes\":{\"timeout\":0}}"
            .formatted(toxic, stream));
  }

  /** Deletes {@code proxy}: its connections close, and nothing listens on its port any more. */
  public void delete(String proxy) {
    call("DELETE", "/proxies/" + proxy, null);
  }

  /** Removes a toxic: what it held back goes on at once. */
  public void remove(String proxy, String toxic) {
    call("DELETE", "/proxies/" + proxy + "/toxics/" + toxic, null);
  }

  private void call(String method, String path, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
            .timeout(Duration.ofSeconds(10));
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(
            "toxiproxy "
                + method
                + " "
                + path
                + ": "
                + response.statusCode()
                + " "
                + response.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("toxiproxy " + method + " " + path + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private boolean answers(String path) {
    try {
      return http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.discarding())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
