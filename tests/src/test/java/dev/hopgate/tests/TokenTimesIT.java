package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.Jwcrypto;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of issue 18 on token times (RFC 7519 4.1.5 {@code nbf}, {@code iat} in the future, an
 * origin token that lives too long), through a real Envoy, the tokens re-signed by jwcrypto so they
 * are not hopgate's own library's output.
 */
class TokenTimesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AN_HOUR_AHEAD = "{\"nbf\": {\"now+\": 3600}}";

  @TempDir static Path dir;
  static EdgeStack stack;
  static SSLContext planner;

  @BeforeAll
  static void start() throws Exception {
    stack = EdgeStack.start(dir);
    planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  /** Fresh first-hop credentials, the hop token and the origin token re-signed by jwcrypto. */
  private static Map<String, String> credentials(String hopEdits, String originEdits) {
    Map<String, String> nimbus = stack.credentials(EdgeStack.INVENTORY);
    Map<String, String> headers = new HashMap<>(nimbus);
    String hop = nimbus.get("Authorization").substring("Bearer ".length());
    headers.put(
        "Authorization",
        "Bearer " + Jwcrypto.resign(dir.resolve("token-service.private.jwk.json"), hop, hopEdits));
    headers.put(
        "Txn-Token",
        Jwcrypto.resign(
            dir.resolve("txn-token-service.private.jwk.json"),
            nimbus.get("Txn-Token"),
            originEdits));
    return headers;
  }

  private static String code(HttpResponse<String> response) throws Exception {
    return JSON.readTree(response.body()).at("/violations/0/code").asText();
  }

  @Test
  void tokensSignedByJwcrypto_areAllowed() throws Exception {
    HttpResponse<String> allowed =
        stack.get(planner, "/inventory/reserve", credentials("{}", "{}"));

    assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
  }

  /** Before: allowed (nbf was never read). */
  @Test
  void aHopTokenNotValidForAnotherHour_isRefused() throws Exception {
    HttpResponse<String> early =
        stack.get(planner, "/inventory/reserve", credentials(AN_HOUR_AHEAD, "{}"));

    assertThat(early.statusCode()).as(early.body()).isEqualTo(401);
    assertThat(code(early)).isEqualTo("token_not_yet_valid");
  }

  /** Before: allowed (nbf was never read). */
  @Test
  void anOriginTokenNotValidForAnotherHour_isRefused() throws Exception {
    HttpResponse<String> early =
        stack.get(planner, "/inventory/reserve", credentials("{}", AN_HOUR_AHEAD));

    assertThat(early.statusCode()).as(early.body()).isEqualTo(401);
    assertThat(code(early)).isEqualTo("origin_not_yet_valid");
  }

  /** Before: allowed (the origin token's iat was read but never compared). */
  @Test
  void anOriginTokenIssuedAnHourAhead_isRefused() throws Exception {
    HttpResponse<String> early =
        stack.get(
            planner,
            "/inventory/reserve",
            credentials("{}", "{\"iat\": {\"now+\": 3600}, \"exp\": {\"now+\": 3900}}"));

    assertThat(early.statusCode()).as(early.body()).isEqualTo(401);
    assertThat(code(early)).isEqualTo("origin_not_yet_valid");
  }

  /** Before: allowed (a Txn-Token living a day was accepted until its exp). */
  @Test
  void anOriginTokenLivingADay_isRefused() throws Exception {
    HttpResponse<String> longLived =
        stack.get(
            planner,
            "/inventory/reserve",
            credentials("{}", "{\"iat\": {\"now+\": -60}, \"exp\": {\"now+\": 86340}}"));

    assertThat(longLived.statusCode()).isEqualTo(401);
    assertThat(code(longLived)).isEqualTo("origin_lifetime");
  }
}
