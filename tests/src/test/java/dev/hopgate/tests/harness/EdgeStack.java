package dev.hopgate.tests.harness;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwsSigning;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * One edge of the mesh, for real: a test CA, a token service key, hopgate as a process, Envoy with
 * downstream mTLS in front of an upstream. Later work adds hops by composing more of these.
 */
public final class EdgeStack implements AutoCloseable {
  public static final String ISSUER = "https://tokens.shop.example";
  public static final String INVENTORY = "spiffe://shop.example/inventory";
  public static final String PLANNER = "spiffe://shop.example/planner";

  private final Path dir;
  private final TestPki pki;
  private final JwsSigning tokenService;
  private final Upstream upstream;
  private final HopgateProcess hopgate;
  private final EnvoyProcess envoy;
  private final int listenerPort;

  private EdgeStack(Path dir, TestPki pki, JwsSigning tokenService, Upstream upstream, HopgateProcess hopgate,
      EnvoyProcess envoy, int listenerPort) {
    this.dir = dir;
    this.pki = pki;
    this.tokenService = tokenService;
    this.upstream = upstream;
    this.hopgate = hopgate;
    this.envoy = envoy;
    this.listenerPort = listenerPort;
  }

  /** Starts everything in {@code dir}; on failure, stops what already started. */
  public static EdgeStack start(Path dir) throws IOException {
    TestPki pki = TestPki.create(dir);
    TestPki.Identity edge = pki.server("edge");
    JwsSigning tokenService = JwsSigning.of(JwsSigning.generate("ES256", "e2e-token-service"));
    Files.writeString(dir.resolve("token-service.jwks.json"),
        new JWKSet(tokenService.key().toPublicJWK()).toString());
    Path policies = Files.createDirectories(dir.resolve("policies"));
    try (DirectoryStream<Path> shipped = Files.newDirectoryStream(Tools.repo().resolve("policies/cedar"))) {
      for (Path file : shipped) {
        Files.copy(file, policies.resolve(file.getFileName()));
      }
    }
    try (InputStream testPolicy = EdgeStack.class.getResourceAsStream("/policies/e2e-caller.cedar")) {
      Files.copy(testPolicy, policies.resolve("e2e-caller.cedar"));
    }

    Upstream upstream = Upstream.start();
    HopgateProcess hopgate = null;
    try {
      hopgate = HopgateProcess.start("""
          engine: cedar
          policies:
            cedar: policies
          trust:
            token_service:
              issuers: [%s]
              jwks: token-service.jwks.json
              endpoint: https://tokens.shop.example/token
          """.formatted(ISSUER), dir);
      int listenerPort = Ports.free();
      EnvoyProcess envoy = EnvoyProcess.start("/envoy/edge-mtls.yaml", Map.of(
          "LISTENER_PORT", Integer.toString(listenerPort),
          "HOPGATE_PORT", Integer.toString(hopgate.port()),
          "UPSTREAM_PORT", Integer.toString(upstream.port()),
          "SERVER_CERT", edge.certFile().toString(),
          "SERVER_KEY", edge.keyFile().toString(),
          "CA_CERT", pki.caPem().toString(),
          "ACCESS_LOG", dir.resolve("access.log").toString()), dir);
      return new EdgeStack(dir, pki, tokenService, upstream, hopgate, envoy, listenerPort);
    } catch (RuntimeException e) {
      if (hopgate != null) {
        hopgate.close();
      }
      upstream.close();
      throw e;
    }
  }

  public TestPki pki() {
    return pki;
  }

  public Upstream upstream() {
    return upstream;
  }

  public HopgateProcess hopgate() {
    return hopgate;
  }

  public EnvoyProcess envoy() {
    return envoy;
  }

  public String accessLog() {
    try {
      return Files.readString(dir.resolve("access.log"));
    } catch (IOException e) {
      return "";
    }
  }

  /** A hop token from the token service: for the inventory, to alice, valid two minutes. */
  public String hopToken(UnaryOperator<JWTClaimsSet.Builder> edit) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .issuer(ISSUER).subject("alice@shop.example").audience(INVENTORY)
        .claim("txn", "txn-" + UUID.randomUUID()).jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plus(Duration.ofMinutes(2))));
    return tokenService.sign(HopTokenVerifier.TYPE, edit.apply(claims).build());
  }

  public String hopToken() {
    return hopToken(c -> c);
  }

  /** GET {@code path} through Envoy as the workload presenting {@code tls}. */
  public HttpResponse<String> get(SSLContext tls, String path, String authorization) throws IOException {
    HttpClient client = HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + listenerPort + path))
        .timeout(Duration.ofSeconds(10)).GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      envoy.close();
    } finally {
      try {
        hopgate.close();
      } finally {
        upstream.close();
      }
    }
  }

  /** Fails with every process's log, so a red test says what happened. */
  public String logs() {
    return "--- hopgate log\n" + hopgate.logText() + "\n--- envoy log (tail)\n" + tail(envoy.logText(), 40)
        + "\n--- access log\n" + accessLog();
  }

  private static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join("\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
  }

}
