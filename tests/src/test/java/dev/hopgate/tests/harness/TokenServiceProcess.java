package dev.hopgate.tests.harness;

import dev.hopgate.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * {@code hopgate token-service} as a process, over mTLS, in {@code dir}: it signs with {@code
 * dir/txn-token-service.private.jwk.json} and {@code dir/token-service.private.jwk.json} and
 * accepts identity tokens verified by {@code dir/idp.jwks.json}.
 */
public final class TokenServiceProcess extends ManagedProcess {
  private final int port;

  private TokenServiceProcess(List<String> command, Path log, int port) {
    super("token-service", command, log);
    this.port = port;
  }

  /** The component whose hop tokens this token service always issues one-time. */
  public static final String ONE_TIME_COMPONENT = "spiffe://shop.example/payments";

  public static TokenServiceProcess start(
      Path dir, TestPki pki, String trustDomain, String txnIssuer, String hopIssuer)
      throws IOException {
    pki.server("token-service");
    int port = Ports.free();
    Files.writeString(
        dir.resolve("token-service.yaml"),
        """
        listen: 127.0.0.1:%d
        tls: {cert: token-service.pem, key: token-service.key, client_ca: ca.pem}
        trust_domain: %s
        txn_issuer: %s
        hop_issuer: %s
        txn_key: txn-token-service.private.jwk.json
        hop_key: token-service.private.jwk.json
        identity: {issuers: [https://idp.shop.example], jwks: idp.jwks.json, client_ids: [hopgate]}
        one_time: {components: [%s]}
        processes: %s
        """
            .formatted(
                port,
                trustDomain,
                txnIssuer,
                hopIssuer,
                ONE_TIME_COMPONENT,
                Tools.repo().resolve("policies/processes")));
    TokenServiceProcess process =
        new TokenServiceProcess(
            List.of(
                Tools.java().toString(),
                "-Xmx128m",
                "-jar",
                Tools.hopgateJar().toString(),
                "token-service",
                "--config",
                dir.resolve("token-service.yaml").toString()),
            dir.resolve("token-service.log"),
            port);
    SSLContext probe =
        pki.workload("token-service-probe", "spiffe://shop.example/tests/probe").sslContext();
    process.awaitReady(
        () -> {
          try {
            return process.get(probe, "/healthz").statusCode() == 200;
          } catch (IOException e) {
            return false;
          }
        },
        Duration.ofSeconds(60));
    return process;
  }

  /** RFC 8693 token exchange, as the workload presenting {@code tls}. */
  public HttpResponse<String> exchange(SSLContext tls, Map<String, String> form)
      throws IOException {
    Map<String, String> all = new LinkedHashMap<>(form);
    all.putIfAbsent("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
    String body =
        all.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return send(
        tls,
        HttpRequest.newBuilder(uri("/token"))
            .header("content-type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public HttpResponse<String> get(SSLContext tls, String path) throws IOException {
    return send(tls, HttpRequest.newBuilder(uri(path)).GET());
  }

  private URI uri(String path) {
    return URI.create("https://localhost:" + port + path);
  }

  private static HttpResponse<String> send(SSLContext tls, HttpRequest.Builder request)
      throws IOException {
    try {
      return HttpClient.newBuilder()
          .sslContext(tls)
          .connectTimeout(Duration.ofSeconds(3))
          .build()
          .send(
              request.timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
