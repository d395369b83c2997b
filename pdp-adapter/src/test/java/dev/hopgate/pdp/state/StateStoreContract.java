package dev.hopgate.pdp.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every state store does with reservations, retries and releases: the in-memory store runs it
 * as a unit test, Redis (the Lua scripts) against a real server in the end-to-end suite.
 */
public abstract class StateStoreContract {
  private static final Duration TTL = Duration.ofMinutes(5);

  /** A store with nothing in it (a fresh key space for each test). */
  protected abstract StateStore store();

  private static Reservation.Claim claim(String key) {
    return new Reservation.Claim(key, TTL);
  }

  private static Reservation.Unit unit(String key, long max) {
    return new Reservation.Unit(key, max, TTL);
  }

  @Test
  public void aRetry_isTheFirstDecisionAgain_andSpendsNothingMore() throws Exception {
    StateStore store = store();
    Reservation first = new Reservation("owner", "d1", List.of(claim("c")), List.of(unit("u", 1)));

    assertThat(store.reserve(first)).isInstanceOf(Reservation.Outcome.Reserved.class);
    assertThat(store.reserve(new Reservation("owner", "d2", first.claims(), first.units())))
        .isEqualTo(new Reservation.Outcome.Again("d1"));
    assertThat(store.reserve(new Reservation("other", "d3", List.of(), first.units())))
        .as("the budget holds one unit, spent once")
        .isEqualTo(new Reservation.Outcome.BudgetSpent(0, 1));
  }

  @Test
  public void release_undoesWhatItsDecisionWrote_andNothingOfARetry() throws Exception {
    StateStore store = store();
    Reservation first = new Reservation("owner", "d1", List.of(claim("c")), List.of(unit("u", 1)));
    Reservation retry = new Reservation("owner", "d2", first.claims(), first.units());
    store.reserve(first);
    store.reserve(retry);

    assertThat(store.release(retry)).as("the retry wrote nothing").isFalse();
    assertThat(store.holder("c")).isEqualTo("owner");
  }

  /**
   * Envoy's retry was answered as the first decision's ALLOW: whatever becomes of the first attempt
   * (its own deadline, its record refused), its release must no longer undo the spend.
   */
  @Test
  public void aDecisionAnsweredByItsRetry_cannotBeReleasedAnyMore() throws Exception {
    StateStore store = store();
    Reservation first = new Reservation("owner", "d1", List.of(claim("c")), List.of(unit("u", 1)));
    store.reserve(first);
    assertThat(store.reserve(new Reservation("owner", "d2", first.claims(), first.units())))
        .isEqualTo(new Reservation.Outcome.Again("d1"));

    assertThat(store.release(first)).isFalse();
    assertThat(store.holder("c")).isEqualTo("owner");
    assertThat(store.used("u", "someone else")).isEqualTo(1);
  }

  @Test
  public void release_ofAReservationThatWasPartlyHeld_undoesOnlyItsOwnPart() throws Exception {
    StateStore store = store();
    store.reserve(new Reservation("owner", "d1", List.of(claim("a")), List.of()));
    Reservation wider = new Reservation("owner", "d2", List.of(claim("a"), claim("b")), List.of());
    assertThat(store.reserve(wider)).isInstanceOf(Reservation.Outcome.Reserved.class);

    assertThat(store.release(wider)).isTrue();
    assertThat(store.holder("b")).isNull();
    assertThat(store.holder("a")).as("written by d1, not by d2").isEqualTo("owner");
  }

  @Test
  public void release_givesBackClaimsAndUnits() throws Exception {
    StateStore store = store();
    Reservation r = new Reservation("owner", "d1", List.of(claim("c")), List.of(unit("u", 1)));
    store.reserve(r);

    assertThat(store.release(r)).isTrue();
    assertThat(store.holder("c")).isNull();
    assertThat(store.reserve(new Reservation("other", "d2", r.claims(), r.units())))
        .isInstanceOf(Reservation.Outcome.Reserved.class);
  }
}
