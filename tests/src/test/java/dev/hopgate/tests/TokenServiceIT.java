package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessDefinitions;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.testing.TestPki;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.ManagedProcess;
import dev.hopgate.tests.harness.Ports;
import dev.hopgate.tests.harness.Tools;
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
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token service as a process, over mTLS: it owns "may you start", and what it issues is what a
 * real hopgate behind a real Envoy accepts.
 */
class TokenServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
  private static final String TXN = "urn:ietf:params:oauth:token-type:txn_token";
  private static final String HOP = "urn:hopgate:params:oauth:token-type:hop";
  private static final String ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";

  @TempDir static Path dir;
  static EdgeStack stack;
  static ManagedProcess tokenService;
  static int port;
  static JwsSigning idp;
  static SSLContext planner;
  static SSLContext agent;
  static ProcessDefinition checkout;

  @BeforeAll
  static void start() throws Exception {
    Path edge = Files.createDirectories(dir.resolve("edge"));
    stack = EdgeStack.start(edge);
    TestPki pki = stack.pki();
    TestPki.Identity server = pki.server("token-service");
    idp = JwsSigning.of(JwsSigning.generate("ES256", "idp-1"));
    Files.writeString(edge.resolve("idp.jwks.json"), new JWKSet(idp.key().toPublicJWK()).toString());
    checkout = ProcessDefinitions.load(Tools.repo().resolve("policies/processes/checkout.process.yaml"));
    port = Ports.free();
    Files.writeString(edge.resolve("token-service.yaml"), """
        listen: 127.0.0.1:%d
        tls: {cert: token-service.pem, key: token-service.key, client_ca: ca.pem}
        trust_domain: %s
        txn_issuer: %s
        hop_issuer: %s
        txn_key: txn-token-service.private.jwk.json
        hop_key: token-service.private.jwk.json
        identity: {issuers: [https://idp.shop.example], jwks: idp.jwks.json}
        processes: %s
        """.formatted(port, EdgeStack.TRUST_DOMAIN, EdgeStack.TXN_ISSUER, EdgeStack.ISSUER,
        Tools.repo().resolve("policies/processes")));
    planner = pki.workload("planner", EdgeStack.PLANNER).sslContext();
    agent = pki.workload("agent", "spiffe://shop.example/agent").sslContext();
    tokenService = new ManagedProcess("token-service", List.of(Tools.java().toString(), "-Xmx128m", "-jar",
        Tools.hopgateJar().toString(), "token-service", "--config", edge.resolve("token-service.yaml").toString()),
        edge.resolve("token-service.log")) {
      {
        awaitReady(() -> {
          try {
            return get(planner, "/healthz").statusCode() == 200;
          } catch (IOException e) {
            return false;
          }
        }, Duration.ofSeconds(60));
      }
    };
  }

  @AfterAll
  static void stop() {
    if (tokenService != null) {
      tokenService.close();
    }
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void tokensFromTheTokenService_areAcceptedByHopgateThroughEnvoy() throws Exception {
    JsonNode origin = exchange(planner, Map.of("subject_token", idToken(), "subject_token_type", ID_TOKEN,
        "requested_token_type", TXN, "request_details", JSON.writeValueAsString(Map.of(
            "intent", Map.of("process", checkout.iri(), "digest", checkout.digest()),
            "authority", List.of(EdgeStack.RESERVE)))));
    assertThat(origin.get("issued_token_type").asText()).isEqualTo(TXN);
    Map<String, Object> claims = JWSObject.parse(origin.get("access_token").asText()).getPayload().toJSONObject();
    @SuppressWarnings("unchecked")
    Map<String, Object> tctx = (Map<String, Object>) claims.get("tctx");
    assertThat(tctx).containsEntry("origin_wl", EdgeStack.PLANNER);
    assertThat(claims).containsEntry("sub", "alice@shop.example").containsEntry("aud", EdgeStack.TRUST_DOMAIN);

    JsonNode hop = exchange(planner, Map.of("subject_token", origin.get("access_token").asText(),
        "subject_token_type", TXN, "requested_token_type", HOP, "audience", EdgeStack.INVENTORY));
    HttpResponse<String> response = stack.get(planner, "/inventory/reserve", Map.of(
        "Txn-Token", origin.get("access_token").asText(),
        "Authorization", "Bearer " + hop.get("access_token").asText()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void anIntentTheServiceCannotResolve_isRefused() throws Exception {
    HttpResponse<String> response = post(planner, Map.of("subject_token", idToken(), "subject_token_type", ID_TOKEN,
        "requested_token_type", TXN, "request_details", JSON.writeValueAsString(Map.of(
            "intent", Map.of("process", checkout.iri(), "digest", "sha256:" + "0".repeat(64))))));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.get("error").asText()).isEqualTo("invalid_request");
    assertThat(error.get("error_description").asText()).contains("cannot be resolved");
  }

  @Test
  void replacement_keepsTheBoundMembersAndOnlyNarrows() throws Exception {
    String origin = exchange(planner, Map.of("subject_token", idToken(), "subject_token_type", ID_TOKEN,
        "requested_token_type", TXN, "request_details", JSON.writeValueAsString(Map.of(
            "authority", List.of(EdgeStack.RESERVE, EdgeStack.DROP_DB))))).get("access_token").asText();

    String replaced = exchange(planner, Map.of("subject_token", origin, "subject_token_type", TXN,
        "requested_token_type", TXN, "request_details", JSON.writeValueAsString(Map.of(
            "authority", List.of(EdgeStack.RESERVE))))).get("access_token").asText();
    Map<String, Object> before = JWSObject.parse(origin).getPayload().toJSONObject();
    Map<String, Object> after = JWSObject.parse(replaced).getPayload().toJSONObject();
    assertThat(replaced).isNotEqualTo(origin);
    assertThat(after.get("txn")).isEqualTo(before.get("txn"));
    @SuppressWarnings("unchecked")
    Map<String, Object> tctx = (Map<String, Object>) after.get("tctx");
    assertThat((List<?>) tctx.get("authority")).hasSize(1);

    HttpResponse<String> widened = post(planner, Map.of("subject_token", replaced, "subject_token_type", TXN,
        "requested_token_type", TXN, "request_details", JSON.writeValueAsString(Map.of(
            "authority", List.of(EdgeStack.RESERVE, EdgeStack.DROP_DB)))));
    assertThat(widened.statusCode()).isEqualTo(400);
    assertThat(widened.body()).contains("may only narrow");

    HttpResponse<String> byAnother = post(agent, Map.of("subject_token", replaced, "subject_token_type", TXN,
        "requested_token_type", TXN));
    assertThat(byAnother.statusCode()).isEqualTo(400);
    assertThat(byAnother.body()).contains("Only the workload that started the txn");
  }

  @Test
  void aCallerWithoutAClientCertificate_cannotConnect() {
    assertThatThrownBy(() -> post(stack.pki().anonymousClient(), Map.of("grant_type", GRANT)))
        .isInstanceOf(IOException.class);
  }

  @Test
  void aForgedSubjectToken_isRefused() throws Exception {
    JwsSigning forger = JwsSigning.of(JwsSigning.generate("ES256", "idp-1"));
    HttpResponse<String> response = post(planner, Map.of("subject_token", idToken(forger),
        "subject_token_type", ID_TOKEN, "requested_token_type", TXN));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("invalid_grant");
  }

  private static String idToken() {
    return idToken(idp);
  }

  private static String idToken(JwsSigning signer) {
    Instant now = Instant.now();
    return signer.sign(com.nimbusds.jose.JOSEObjectType.JWT, new JWTClaimsSet.Builder()
        .issuer("https://idp.shop.example").subject("alice@shop.example").audience("hopgate")
        .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).build());
  }

  private static JsonNode exchange(SSLContext tls, Map<String, String> form) throws IOException {
    HttpResponse<String> response = post(tls, form);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> post(SSLContext tls, Map<String, String> form) throws IOException {
    Map<String, String> all = new LinkedHashMap<>(form);
    all.putIfAbsent("grant_type", GRANT);
    String body = all.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    return send(tls, HttpRequest.newBuilder(URI.create("https://localhost:" + port + "/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> get(SSLContext tls, String path) throws IOException {
    return send(tls, HttpRequest.newBuilder(URI.create("https://localhost:" + port + path)).GET());
  }

  private static HttpResponse<String> send(SSLContext tls, HttpRequest.Builder request) throws IOException {
    try {
      return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(3)).build()
          .send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
