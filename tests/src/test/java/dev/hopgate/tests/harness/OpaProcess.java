package dev.hopgate.tests.harness;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The pinned real OPA (built by scripts/install-tools.sh) as a server on a free loopback port. */
public final class OpaProcess extends ManagedProcess {
  private final int port;

  private OpaProcess(List<String> command, Path log, int port) {
    super("opa", command, log);
    this.port = port;
  }

  public static OpaProcess start(Path dir) {
    int port = Ports.free();
    OpaProcess opa =
        new OpaProcess(
            List.of(
                Tools.opa().toString(),
                "run",
                "--server",
                "--addr",
                "127.0.0.1:" + port,
                "--log-level",
                "error"),
            dir.resolve("opa-" + port + ".log"),
            port);
    opa.awaitReady(opa::healthy, Duration.ofSeconds(30));
    return opa;
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  private boolean healthy() {
    try {
      return HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(uri().resolve("/health"))
                      .timeout(Duration.ofSeconds(1))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode()
          == 200;
    } catch (Exception e) {
      return false;
    }
  }
}
