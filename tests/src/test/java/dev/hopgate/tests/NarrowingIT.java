package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSObject;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.Jwcrypto;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, narrowing at once, through a real Envoy: once the origin token is replaced by one that
 * narrows authority, the next transition hopgate mints carries only the narrowed authority, though
 * the chain head it continues still carries the broader one. The replacement is re-signed by
 * jwcrypto (the txn token service's key), so it is not hopgate's own library's output.
 */
class NarrowingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DROP = "/ops/drop-production-database";

  @TempDir static Path dir;
  static EdgeStack stack;
  static SSLContext planner;
  static SSLContext opsDb;

  @BeforeAll
  static void start() throws Exception {
    stack = EdgeStack.start(dir);
    planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
    opsDb = stack.pki().workload("ops-db", EdgeStack.OPS_DB).sslContext();
  }

  @AfterAll
  static void stop() {
    stack.close();
  }

  @SuppressWarnings("unchecked")
  private static List<String> authority(String transition) throws Exception {
    return (List<String>) JWSObject.parse(transition).getPayload().toJSONObject().get("authority");
  }

  private static String[] chainSeenUpstream(int before) {
    return stack.upstream().seen().get(before).headers().get("txn-chain").split("~");
  }

  @Test
  @SuppressWarnings("unchecked")
  void aTransitionAfterANarrowingReplacement_carriesOnlyTheNarrowedAuthority() throws Exception {
    String txn = "txn-" + UUID.randomUUID();
    Map<String, String> first =
        stack.credentials(
            EdgeStack.OPS_DB, null, txn, Set.of(EdgeStack.RESERVE, EdgeStack.DROP_DB), c -> c);
    int before = stack.upstream().hits();
    HttpResponse<String> hop1 = stack.get(planner, DROP, first);
    assertThat(hop1.statusCode()).as(hop1.body()).isEqualTo(200);
    String t1 = chainSeenUpstream(before)[0];
    assertThat(authority(t1)).containsExactlyInAnyOrder(EdgeStack.RESERVE, EdgeStack.DROP_DB);

    // The planner replaces its origin token: same txn and binding, authority narrowed to DROP_DB.
    String origin = first.get("Txn-Token");
    Map<String, Object> tctx =
        new HashMap<>(
            (Map<String, Object>) JWSObject.parse(origin).getPayload().toJSONObject().get("tctx"));
    tctx.put("authority", List.of(EdgeStack.DROP_DB));
    String narrowed =
        Jwcrypto.resign(
            dir.resolve("txn-token-service.private.jwk.json"),
            origin,
            JSON.writeValueAsString(Map.of("tctx", tctx, "iat", Map.of("now+", 0))));

    Map<String, String> second = new HashMap<>();
    second.put("Txn-Token", narrowed);
    second.put("Txn-Chain", t1);
    second.put(
        "Authorization",
        stack
            .credentials(EdgeStack.OPS_DB, null, txn, Set.of(EdgeStack.DROP_DB), c -> c)
            .get("Authorization"));
    before = stack.upstream().hits();
    HttpResponse<String> hop2 = stack.get(opsDb, DROP, second);

    assertThat(hop2.statusCode()).as(hop2.body()).isEqualTo(200);
    String[] chain = chainSeenUpstream(before);
    assertThat(chain).hasSize(2);
    assertThat(authority(chain[1]))
        .as("the transition minted after the replacement")
        .containsExactly(EdgeStack.DROP_DB);
  }
}
