package dev.hopgate.server.association;

import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.floor.LinkedHop;
import java.util.List;

/**
 * How a hopgate talks to its association: signals out, a txn's ledger in. Never in the way of a
 * decision: a signal that cannot be delivered is counted, a lookup that cannot be answered is an
 * empty view (the decision goes on with the records the request carries).
 */
public interface AssociationLink extends LedgerView.Lookup, AutoCloseable {
  /** A START: sent in the background (buffered, retried). */
  void start(BoundarySignal signal);

  /**
   * A COMPLETE: sent before the response is released (bounded wait), retried in the background if
   * it fails.
   */
  void complete(BoundarySignal signal);

  /** The hops of a txn (for {@code hopgate txn show}). */
  List<LinkedHop> linkage(String txn);

  /** Signals that could not be delivered, lookups that could not be answered. */
  long lost();

  long lookupsFailed();

  String describe();

  @Override
  default void close() {}
}
