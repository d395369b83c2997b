package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.pdp.state.RedisStateStore;
import dev.hopgate.pdp.state.Reservation;
import dev.hopgate.pdp.state.StateException;
import dev.hopgate.pdp.state.StateStore;
import dev.hopgate.pdp.state.StateStoreContract;
import dev.hopgate.tests.harness.RedisProcess;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state store's contract on a real Redis: the reservation and release Lua scripts. */
class RedisStateStoreIT extends StateStoreContract {
  @TempDir static Path dir;
  static RedisProcess redis;
  private final List<StateStore> opened = new ArrayList<>();

  @BeforeAll
  static void start() {
    redis = RedisProcess.start(dir);
  }

  @AfterAll
  static void stop() {
    redis.close();
  }

  @AfterEach
  void close() {
    opened.forEach(StateStore::close);
  }

  /**
   * A reservation whose decision was released before it reached the server (its reply was given up
   * on, the release went out on another connection and arrived first) writes nothing.
   */
  @Test
  void aReservationArrivingAfterItsRelease_writesNothing() throws Exception {
    StateStore store = store();
    Reservation late =
        new Reservation(
            "owner", "d1", List.of(new Reservation.Claim("c", Duration.ofMinutes(1))), List.of());

    assertThat(store.release(late)).isFalse();
    assertThatThrownBy(() -> store.reserve(late))
        .isInstanceOf(StateException.class)
        .hasMessageContaining("released");
    assertThat(store.holder("c")).isNull();
  }

  @Override
  protected StateStore store() {
    // A key prefix of its own: each test starts from an empty key space on the shared server.
    StateStore store =
        new RedisStateStore(
            URI.create(redis.uri()), Duration.ofSeconds(2), "it-" + UUID.randomUUID() + ":");
    opened.add(store);
    return store;
  }
}
