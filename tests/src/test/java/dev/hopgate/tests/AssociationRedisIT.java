package dev.hopgate.tests;

import dev.hopgate.tests.harness.RedisProcess;
import dev.hopgate.tests.harness.ShopChain;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;

/**
 * The same three hopgates with no association process between them: each keeps the ledger in one
 * real Redis ({@code association.store: redis}).
 */
class AssociationRedisIT extends AssociationIT {
  private RedisProcess redis;

  @Override
  ShopChain startChain() throws IOException {
    redis = RedisProcess.start(Files.createDirectories(dir.resolve("redis")));
    // A generous store budget: these tests are about what the ledger links, not how fast (Mesh).
    return ShopChain.start(
        dir,
        false,
        """
        state: {redis: "%s", timeout: 1s}
        association: {store: redis}
        """
            .formatted(redis.uri()));
  }

  /** Any hopgate serves the shared ledger: ask another than the one that started the txn. */
  @Override
  String servingEdge() {
    return "payments";
  }

  @AfterAll
  void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }
}
