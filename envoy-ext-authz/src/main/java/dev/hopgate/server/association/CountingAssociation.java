package dev.hopgate.server.association;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.floor.LedgerView;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What every association link counts and how it answers a view: from its linkage, never an error.
 */
abstract class CountingAssociation implements AssociationLink {
  protected final AtomicLong lost = new AtomicLong();
  protected final AtomicLong lookupsFailed = new AtomicLong();
  private final String description;

  CountingAssociation(String description) {
    this.description = requireNonNull(description, "description");
  }

  @Override
  public LedgerView view(String txn) {
    try {
      return LedgerView.of(linkage(txn));
    } catch (RuntimeException e) {
      lookupsFailed.incrementAndGet();
      return LedgerView.EMPTY;
    }
  }

  @Override
  public long lost() {
    return lost.get();
  }

  @Override
  public long lookupsFailed() {
    return lookupsFailed.get();
  }

  @Override
  public String describe() {
    return description;
  }
}
