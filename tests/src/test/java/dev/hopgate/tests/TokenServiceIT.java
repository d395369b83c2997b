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
import dev.hopgate.tests.harness.Jwcrypto;
import dev.hopgate.tests.harness.TokenServiceProcess;
import dev.hopgate.tests.harness.Tools;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
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
  static TokenServiceProcess tokenService;
  static JwsSigning idp;
  static SSLContext planner;
  static SSLContext agent;
  static ProcessDefinition checkout;

  @BeforeAll
  static void start() throws Exception {
    Path edge = Files.createDirectories(dir.resolve("edge"));
    stack = EdgeStack.start(edge);
    TestPki pki = stack.pki();
    idp = JwsSigning.of(JwsSigning.generate("ES256", "idp-1"));
    Files.writeString(
        edge.resolve("idp.jwks.json"), new JWKSet(idp.key().toPublicJWK()).toString());
    checkout =
        ProcessDefinitions.load(Tools.repo().resolve("policies/processes/checkout.process.yaml"));
    planner = pki.workload("planner", EdgeStack.PLANNER).sslContext();
    agent = pki.workload("agent", "spiffe://shop.example/agent").sslContext();
    tokenService =
        TokenServiceProcess.start(
            edge, pki, EdgeStack.TRUST_DOMAIN, EdgeStack.TXN_ISSUER, EdgeStack.ISSUER);
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
    JsonNode origin =
        exchange(
            planner,
            Map.of(
                "subject_token",
                idToken(),
                "subject_token_type",
                ID_TOKEN,
                "requested_token_type",
                TXN,
                "request_details",
                JSON.writeValueAsString(
                    Map.of(
                        "intent", Map.of("process", checkout.iri(), "digest", checkout.digest()),
                        "authority", List.of(EdgeStack.RESERVE)))));
    assertThat(origin.get("issued_token_type").asText()).isEqualTo(TXN);
    Map<String, Object> claims =
        JWSObject.parse(origin.get("access_token").asText()).getPayload().toJSONObject();
    @SuppressWarnings("unchecked")
    Map<String, Object> tctx = (Map<String, Object>) claims.get("tctx");
    assertThat(tctx).containsEntry("origin_wl", EdgeStack.PLANNER);
    assertThat(claims)
        .containsEntry("sub", "alice@shop.example")
        .containsEntry("aud", EdgeStack.TRUST_DOMAIN);

    JsonNode hop =
        exchange(
            planner,
            Map.of(
                "subject_token",
                origin.get("access_token").asText(),
                "subject_token_type",
                TXN,
                "requested_token_type",
                HOP,
                "audience",
                EdgeStack.INVENTORY));
    HttpResponse<String> response =
        stack.get(
            planner,
            "/inventory/reserve",
            Map.of(
                "Txn-Token",
                origin.get("access_token").asText(),
                "Authorization",
                "Bearer " + hop.get("access_token").asText()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void anIntentTheServiceCannotResolve_isRefused() throws Exception {
    HttpResponse<String> response =
        post(
            planner,
            Map.of(
                "subject_token",
                idToken(),
                "subject_token_type",
                ID_TOKEN,
                "requested_token_type",
                TXN,
                "request_details",
                JSON.writeValueAsString(
                    Map.of(
                        "intent",
                        Map.of("process", checkout.iri(), "digest", "sha256:" + "0".repeat(64))))));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.get("error").asText()).isEqualTo("invalid_request");
    assertThat(error.get("error_description").asText()).contains("cannot be resolved");
  }

  @Test
  void replacement_keepsTheBoundMembersAndOnlyNarrows() throws Exception {
    String origin =
        exchange(planner, newTxnForm(idToken(), EdgeStack.RESERVE, EdgeStack.DROP_DB))
            .get("access_token")
            .asText();

    String replaced =
        exchange(planner, replacementForm(origin, EdgeStack.RESERVE)).get("access_token").asText();
    Map<String, Object> before = JWSObject.parse(origin).getPayload().toJSONObject();
    Map<String, Object> after = JWSObject.parse(replaced).getPayload().toJSONObject();
    assertThat(replaced).isNotEqualTo(origin);
    assertThat(after.get("txn")).isEqualTo(before.get("txn"));
    @SuppressWarnings("unchecked")
    Map<String, Object> tctx = (Map<String, Object>) after.get("tctx");
    assertThat((List<?>) tctx.get("authority")).hasSize(1);

    HttpResponse<String> widened =
        post(planner, replacementForm(replaced, EdgeStack.RESERVE, EdgeStack.DROP_DB));
    assertThat(widened.statusCode()).isEqualTo(400);
    assertThat(widened.body()).contains("may only narrow");

    HttpResponse<String> byAnother =
        post(
            agent,
            Map.of(
                "subject_token", replaced, "subject_token_type", TXN, "requested_token_type", TXN));
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
    HttpResponse<String> response =
        post(
            planner,
            Map.of(
                "subject_token",
                idToken(forger),
                "subject_token_type",
                ID_TOKEN,
                "requested_token_type",
                TXN));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(response.body()).get("error").asText()).isEqualTo("invalid_grant");
  }

  /** An ID token minted by jwcrypto with the identity provider's key, {@code aud} as given. */
  private static String jwcryptoIdToken(String audience) throws Exception {
    var spec = JSON.createObjectNode();
    spec.putObject("key").set("jwk", JSON.readTree(idp.key().toJSONString()));
    var token = spec.putArray("tokens").addObject();
    token.putObject("header").put("alg", "ES256").put("kid", "idp-1").put("typ", "JWT");
    var claims = token.putObject("claims");
    claims.put("iss", "https://idp.shop.example").put("sub", "alice@shop.example");
    claims.put("aud", audience);
    claims.putObject("iat").put("now+", 0);
    claims.putObject("exp").put("now+", 300);
    return JSON.readTree(Jwcrypto.mint(JSON.writeValueAsString(spec))).at("/tokens/0").asText();
  }

  /** A new txn from an ID token, granting {@code authority}. */
  private static Map<String, String> newTxnForm(String idToken, String... authority)
      throws Exception {
    return Map.of(
        "subject_token", idToken,
        "subject_token_type", ID_TOKEN,
        "requested_token_type", TXN,
        "request_details", JSON.writeValueAsString(Map.of("authority", List.of(authority))));
  }

  /** A replacement of {@code origin} with {@code authority}. */
  private static Map<String, String> replacementForm(String origin, String... authority)
      throws Exception {
    return Map.of(
        "subject_token", origin,
        "subject_token_type", TXN,
        "requested_token_type", TXN,
        "request_details", JSON.writeValueAsString(Map.of("authority", List.of(authority))));
  }

  private static Map<String, String> originForm(String subjectToken) {
    return Map.of(
        "subject_token", subjectToken, "subject_token_type", ID_TOKEN, "requested_token_type", TXN);
  }

  /** Issue 18 (RFC 8725 3.9): an ID token the provider issued to another of its clients. */
  @Test
  void anIdTokenIssuedToAnotherClient_isRefused() throws Exception {
    assertThat(exchange(planner, originForm(jwcryptoIdToken("hopgate"))).get("access_token"))
        .isNotNull();

    HttpResponse<String> response = post(planner, originForm(jwcryptoIdToken("another-client")));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.get("error").asText()).isEqualTo("invalid_grant");
    assertThat(error.get("error_description").asText())
        .contains("another-client")
        .contains("client ids");
  }

  /** Issue 18: {@code once} was taken from the request; it is the token service's policy. */
  @Test
  void onceChosenByTheRequester_isRefused_thePolicyDecides() throws Exception {
    String origin = exchange(planner, originForm(idToken())).get("access_token").asText();
    Map<String, String> form = new java.util.HashMap<>();
    form.put("subject_token", origin);
    form.put("subject_token_type", TXN);
    form.put("requested_token_type", HOP);
    form.put("audience", EdgeStack.INVENTORY);
    Map<String, String> asked = new java.util.HashMap<>(form);
    asked.put("once", "false");

    HttpResponse<String> refused = post(planner, asked);
    Map<String, Object> reusable =
        JWSObject.parse(exchange(planner, form).get("access_token").asText())
            .getPayload()
            .toJSONObject();
    form.put("audience", TokenServiceProcess.ONE_TIME_COMPONENT);
    Map<String, Object> oneTime =
        JWSObject.parse(exchange(planner, form).get("access_token").asText())
            .getPayload()
            .toJSONObject();

    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
    assertThat(JSON.readTree(refused.body()).get("error").asText()).isEqualTo("invalid_request");
    assertThat(JSON.readTree(refused.body()).get("error_description").asText())
        .contains("one_time.components");
    assertThat(reusable.get("once")).isNotEqualTo(true);
    assertThat(oneTime).containsEntry("once", true);
  }

  /**
   * Issue 18: an older, broader origin token stayed usable until its exp after a narrowing
   * replacement. The service now takes only the txn's newest origin token.
   */
  @Test
  void anOriginTokenReplacedByANarrowerOne_isNoLongerExchanged() throws Exception {
    String broad =
        exchange(planner, newTxnForm(idToken(), EdgeStack.RESERVE, EdgeStack.DROP_DB))
            .get("access_token")
            .asText();
    String narrow =
        exchange(planner, replacementForm(broad, EdgeStack.RESERVE)).get("access_token").asText();

    for (String requested : new String[] {HOP, TXN}) {
      Map<String, String> form = new java.util.HashMap<>();
      form.put("subject_token", broad);
      form.put("subject_token_type", TXN);
      form.put("requested_token_type", requested);
      if (requested.equals(HOP)) {
        form.put("audience", EdgeStack.OPS_DB);
      }
      HttpResponse<String> refused = post(planner, form);
      assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
      assertThat(JSON.readTree(refused.body()).get("error_description").asText())
          .contains("replaced");
    }
    String hop =
        exchange(
                planner,
                Map.of(
                    "subject_token",
                    narrow,
                    "subject_token_type",
                    TXN,
                    "requested_token_type",
                    HOP,
                    "audience",
                    EdgeStack.INVENTORY))
            .get("access_token")
            .asText();

    // Through Envoy: the hop token names the origin token it was issued from, so the replaced,
    // broader one cannot travel with it.
    HttpResponse<String> withBroad =
        stack.get(
            planner,
            "/inventory/reserve",
            Map.of("Txn-Token", broad, "Authorization", "Bearer " + hop));
    HttpResponse<String> withNarrow =
        stack.get(
            planner,
            "/inventory/reserve",
            Map.of("Txn-Token", narrow, "Authorization", "Bearer " + hop));
    assertThat(withBroad.statusCode()).as(withBroad.body()).isEqualTo(401);
    assertThat(JSON.readTree(withBroad.body()).at("/violations/0/code").asText())
        .isEqualTo("origin_mismatch");
    assertThat(withNarrow.statusCode()).as(withNarrow.body()).isEqualTo(200);
  }

  /** Issue 18: an expired origin token was replaced, extending a txn past its token's life. */
  @Test
  void anExpiredOriginToken_cannotBeReplaced() throws Exception {
    String origin = exchange(planner, originForm(idToken())).get("access_token").asText();
    String expired =
        Jwcrypto.resign(
            dir.resolve("edge/txn-token-service.private.jwk.json"),
            origin,
            "{\"iat\": {\"now+\": -120}, \"exp\": {\"now+\": -60}}");

    HttpResponse<String> response =
        post(
            planner,
            Map.of(
                "subject_token", expired, "subject_token_type", TXN, "requested_token_type", TXN));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.get("error").asText()).isEqualTo("invalid_grant");
    assertThat(error.get("error_description").asText()).contains("expired");
  }

  private static String idToken() {
    return idToken(idp);
  }

  private static String idToken(JwsSigning signer) {
    Instant now = Instant.now();
    return signer.sign(
        com.nimbusds.jose.JOSEObjectType.JWT,
        new JWTClaimsSet.Builder()
            .issuer("https://idp.shop.example")
            .subject("alice@shop.example")
            .audience("hopgate")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .build());
  }

  private static JsonNode exchange(SSLContext tls, Map<String, String> form) throws IOException {
    HttpResponse<String> response = post(tls, form);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> post(SSLContext tls, Map<String, String> form)
      throws IOException {
    return tokenService.exchange(tls, form);
  }
}
