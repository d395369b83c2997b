package dev.hopgate.pdp.association;

import java.util.List;

/** Where boundary signals are kept and linked, per txn. */
public interface Ledger {
  /**
   * Records {@code signal}, linking a COMPLETE to the START of the same decision.
   *
   * @return for a COMPLETE, whether its START was recorded
   */
  boolean record(BoundarySignal signal);

  /** The hops of {@code txn}, in the order they were first seen; empty for an unknown txn. */
  List<LinkedHop> linkage(String txn);
}
