package dev.hopgate.pdp.state;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where hopgate records what an ALLOW spends, atomically: in memory for one instance, in Redis when
 * replicas must agree (every enforcement point of a component shares one store). Every method
 * throws {@link StateException} when the store cannot answer; hopgate then denies (fail closed).
 */
public interface StateStore extends AutoCloseable {
  /**
   * Reserves all of {@code reservation} atomically or none of it: of two racing reservations for
   * one claim, or for the last unit of a budget, exactly one succeeds.
   */
  Reservation.Outcome reserve(Reservation reservation) throws StateException;

  /**
   * Undoes {@code reservation} if its decision wrote it (a retry's reservation, which found
   * everything already held, undoes nothing), and makes sure a reservation of that decision that
   * reaches the store later (its reply was lost, or it is still on its way) writes nothing.
   *
   * @return whether something was undone
   */
  boolean release(Reservation reservation) throws StateException;

  /** Who holds the claim {@code key}, or null when nobody does. */
  @Nullable String holder(String key) throws StateException;

  /** The units of budget {@code key} spent by owners other than {@code owner}. */
  long used(String key, String owner) throws StateException;

  /**
   * Claims {@code key} for {@code owner} until {@code ttl} passes.
   *
   * @return the owner holding the key after this call: {@code owner} when this call claimed it or
   *     it already held it, else whoever claimed it first
   */
  default String claim(String key, String owner, Duration ttl) throws StateException {
    Reservation.Outcome outcome =
        reserve(new Reservation(owner, List.of(new Reservation.Claim(key, ttl)), List.of()));
    return outcome instanceof Reservation.Outcome.ClaimHeld held ? held.holder() : owner;
  }

  /** A description for logs, such as {@code memory} or the Redis address. */
  String describe();

  @Override
  default void close() {}
}
