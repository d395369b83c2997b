package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.state.RedisEndpoint;
import dev.hopgate.pdp.state.RedisStateStore;
import dev.hopgate.pdp.state.StateException;
import dev.hopgate.testing.TestPki;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.RedisProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18: {@code rediss://} was refused, so state shared in Redis travelled in the clear with the
 * default user. A real redis-server speaking TLS only, its default user off, an ACL user for
 * hopgate.
 */
class RedisTlsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "s3cr3t-redis-pw";

  @TempDir static Path dir;
  static TestPki pki;
  static RedisProcess redis;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
    redis =
        RedisProcess.startTls(
            Files.createDirectories(dir.resolve("redis")), pki, "hopgate", PASSWORD);
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  private static RedisStateStore store(String url, SSLContext trust) {
    return new RedisStateStore(
        RedisEndpoint.parse(url, trust), Duration.ofSeconds(2), "tls-it:", 2);
  }

  private static String url(String userInfo) {
    return "rediss://" + userInfo + "127.0.0.1:" + redis.port();
  }

  @Test
  void anAclUserOverTls_holdsClaims() throws Exception {
    try (RedisStateStore store = store(url("hopgate:" + PASSWORD + "@"), pki.anonymousClient())) {
      assertThat(store.claim("k1", "owner-1", Duration.ofMinutes(1))).isEqualTo("owner-1");
      assertThat(store.holder("k1")).isEqualTo("owner-1");
      assertThat(store.describe()).isEqualTo(url("hopgate@")).doesNotContain(PASSWORD);
    }
  }

  @Test
  void aServerCertificateFromAnotherCa_isRefused() throws Exception {
    SSLContext other =
        TestPki.create(Files.createDirectories(dir.resolve("other-ca"))).anonymousClient();
    try (RedisStateStore store = store(url("hopgate:" + PASSWORD + "@"), other)) {
      assertThatThrownBy(() -> store.holder("k1")).isInstanceOf(StateException.class);
    }
  }

  @Test
  void theDefaultUser_orAWrongPassword_isRefused() throws Exception {
    for (String userInfo : new String[] {"", "hopgate:wrong@", ":" + PASSWORD + "@"}) {
      try (RedisStateStore store = store(url(userInfo), pki.anonymousClient())) {
        assertThatThrownBy(() -> store.holder("k1"))
            .as(userInfo)
            .isInstanceOf(StateException.class);
      }
    }
  }

  @Test
  void hopgateSpendsOnceTokens_inRedisOverTls_andNeverLogsThePassword() throws Exception {
    try (EdgeStack stack =
        EdgeStack.start(
            Files.createDirectories(dir.resolve("edge")),
            """
            state: { store: redis, redis: "%s", redis_ca: "%s", timeout: 2s }
            """
                .formatted(url("hopgate:" + PASSWORD + "@"), pki.caPem()))) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      Map<String, String> once = stack.credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));

      assertThat(stack.get(planner, "/inventory/reserve", once).statusCode()).isEqualTo(200);
      var again = stack.get(planner, "/inventory/reserve", once);
      assertThat(again.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(again.body()).at("/violations/0/code").asText())
          .isEqualTo("token_consumed");
      assertThat(stack.hopgate().logText())
          .contains("state store: " + url("hopgate@"))
          .doesNotContain(PASSWORD);
    }
  }
}
