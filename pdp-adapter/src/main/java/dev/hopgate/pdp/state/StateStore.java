package dev.hopgate.pdp.state;

import java.time.Duration;

/**
 * Where hopgate records what an ALLOW spends, atomically: in memory for one instance, in Redis when
 * replicas must agree (every enforcement point of a component shares one store).
 */
public interface StateStore extends AutoCloseable {
  /**
   * Claims {@code key} for {@code owner} until {@code ttl} passes, atomically: of two racing claims,
   * exactly one wins.
   *
   * @return the owner holding the key after this call: {@code owner} when this call claimed it or
   *     it already held it, else whoever claimed it first
   * @throws StateException when the store cannot answer (then hopgate denies: fail closed)
   */
  String claim(String key, String owner, Duration ttl) throws StateException;

  /** A description for logs, such as {@code memory} or the Redis address. */
  String describe();

  @Override
  default void close() {}
}
