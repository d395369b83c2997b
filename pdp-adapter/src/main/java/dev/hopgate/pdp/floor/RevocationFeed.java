package dev.hopgate.pdp.floor;

import java.util.Set;

/** Origin principals and txns that must no longer act (a revocation feed). */
public interface RevocationFeed {
  /**
   * @throws FloorRejection when the feed cannot be trusted to be current (then hopgate denies)
   */
  boolean isRevoked(String principal, String txn) throws FloorRejection;

  /** No revocations. */
  RevocationFeed NONE = (principal, txn) -> false;

  /** A fixed set (for tests and static deployments). */
  static RevocationFeed of(Set<String> principals, Set<String> txns) {
    Set<String> p = Set.copyOf(principals);
    Set<String> t = Set.copyOf(txns);
    return (principal, txn) -> p.contains(principal) || t.contains(txn);
  }
}
