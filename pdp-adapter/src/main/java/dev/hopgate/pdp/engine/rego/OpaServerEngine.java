package dev.hopgate.pdp.engine.rego;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PolicyEngine;
import dev.hopgate.pdp.engine.PolicyLoadException;
import dev.hopgate.pdp.engine.PolicySources;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.input.InputDocument;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A real OPA server, over its REST API with the JDK's HttpClient (the OPA Java SDKs are not used).
 *
 * <p>{@link #prepare} pushes hopgate's Rego sources into the server through the Policy API, so the
 * server runs exactly this revision (each hopgate owns its OPA; sharing one between revisions would
 * let one overwrite the other). Evaluation queries {@code POST /v1/data/hopgate/gates/decision}; a
 * reply later than the timeout is a TIMEOUT, anything else unexpected an ABORT.
 */
public final class OpaServerEngine implements PolicyEngine {
  public static final String NAME = "opa-server";

  private final URI base;
  private final Duration timeout;
  private final HttpClient http;

  public OpaServerEngine(URI base, Duration timeout) {
    this.base = requireNonNull(base, "base");
    this.timeout = requireNonNull(timeout, "timeout");
    // OPA speaks HTTP/1.1 on plain http; keep-alive connections are reused by the client.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * @param regoDirectory policies/rego: every {@code *.rego} but the {@code *_test.rego}
   */
  @Override
  public PreparedPolicy prepare(Path regoDirectory) throws PolicyLoadException {
    Map<Path, String> sources = PolicySources.readTree(regoDirectory, ".rego");
    sources.keySet().removeIf(p -> p.getFileName().toString().endsWith("_test.rego"));
    if (sources.isEmpty()) {
      throw new PolicyLoadException("opa-server: no *.rego under " + regoDirectory);
    }
    for (Map.Entry<Path, String> source : sources.entrySet()) {
      String id =
          "hopgate/" + regoDirectory.relativize(source.getKey()).toString().replace('\\', '/');
      HttpResponse<String> response;
      try {
        response =
            http.send(
                HttpRequest.newBuilder(base.resolve("/v1/policies/" + id))
                    .timeout(Duration.ofSeconds(10))
                    .header("content-type", "text/plain")
                    .PUT(HttpRequest.BodyPublishers.ofString(source.getValue()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new PolicyLoadException("opa-server: " + base + " does not answer (" + e + ")");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new PolicyLoadException("opa-server: interrupted");
      }
      if (response.statusCode() != 200) {
        throw new PolicyLoadException(
            "opa-server: "
                + source.getKey()
                + " refused by OPA (HTTP "
                + response.statusCode()
                + "): "
                + response.body());
      }
    }
    return new Prepared(
        http,
        base.resolve("/v1/data/" + RegoDecisions.ENTRYPOINT),
        timeout,
        PolicySources.revision(sources));
  }

  private record Prepared(HttpClient http, URI query, Duration timeout, String revision)
      implements PreparedPolicy {
    @Override
    public String engine() {
      return NAME;
    }

    @Override
    public EngineDecision evaluate(InputDocument input) throws EvaluationException {
      String body = "{\"input\":" + RegoDecisions.input(input) + "}";
      HttpResponse<String> response;
      try {
        response =
            http.send(
                HttpRequest.newBuilder(query)
                    .timeout(timeout)
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (HttpTimeoutException e) {
        throw EvaluationException.timedOut(
            "opa-server: no answer within " + timeout.toMillis() + " ms", e);
      } catch (IOException e) {
        throw new EvaluationException("opa-server: " + e, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw EvaluationException.timedOut("opa-server: interrupted", e);
      }
      if (response.statusCode() != 200) {
        throw new EvaluationException(
            "opa-server: HTTP " + response.statusCode() + ": " + response.body());
      }
      JsonNode reply;
      try {
        reply = RegoDecisions.JSON.readTree(response.body());
      } catch (IOException e) {
        throw new EvaluationException("opa-server: reply is not JSON", e);
      }
      return RegoDecisions.read(reply.path("result"), NAME);
    }
  }
}
