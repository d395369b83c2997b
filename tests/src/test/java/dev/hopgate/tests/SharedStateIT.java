package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.RedisProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/** hopgate with its state and revocations in a real Redis, through a real Envoy. */
class SharedStateIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void principalRevokedInRedis_isRefusedOnceTheFeedHasReadIt() throws Exception {
    try (RedisProcess redis = RedisProcess.start(Files.createDirectories(dir.resolve("redis")));
        EdgeStack stack =
            EdgeStack.start(
                Files.createDirectories(dir.resolve("edge")),
                """
             state: { store: redis, redis: "%s", timeout: 1s }
             revocation: { redis: true, max_staleness: 2s }
             """
                    .formatted(redis.uri()));
        JedisPooled operator = new JedisPooled("127.0.0.1", redis.port())) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      assertThat(stack.hopgate().logText()).contains("state store: " + redis.uri());

      Map<String, String> once = stack.credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));
      assertThat(stack.get(planner, "/inventory/reserve", once).statusCode()).isEqualTo(200);
      assertThat(stack.get(planner, "/inventory/reserve", once).statusCode()).isEqualTo(401);
      assertThat(operator.keys("hopgate:once:*")).hasSize(1);

      operator.sadd("hopgate:revoked:principals", "alice@shop.example");
      // The feed is re-read every half of its maximum staleness: fresh credentials are allowed
      // until
      // the read that sees the revocation, and refused from then on. Nothing else would refuse
      // them.
      HttpResponse<String> revoked =
          Eventually.within(
              Eventually.DEFAULT,
              "hopgate refuses the revoked principal",
              () ->
                  stack.get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY)),
              response -> response.statusCode() != 200);
      assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(403);
      assertThat(JSON.readTree(revoked.body()).at("/violations/0/code").asText())
          .isEqualTo("revoked");
      assertThat(
              stack
                  .get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY))
                  .statusCode())
          .as("refused from then on")
          .isEqualTo(403);
    }
  }
}
