package dev.hopgate.pdp.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryStateStoreTest {
  private final AtomicLong nanos = new AtomicLong();
  private final InMemoryStateStore store = new InMemoryStateStore(100, (Ticker) nanos::get);

  @Test
  void claim_theFirstOwnerHoldsTheKeyUntilItExpires() {
    assertThat(store.claim("k", "a", Duration.ofSeconds(10))).isEqualTo("a");
    assertThat(store.claim("k", "b", Duration.ofSeconds(10))).isEqualTo("a");
    assertThat(store.claim("k", "a", Duration.ofSeconds(10))).isEqualTo("a");

    nanos.addAndGet(Duration.ofSeconds(11).toNanos());
    assertThat(store.claim("k", "b", Duration.ofSeconds(10))).isEqualTo("b");
  }
}
