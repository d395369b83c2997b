package dev.hopgate.server.association;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.association.LedgerView;
import dev.hopgate.pdp.association.LinkedHop;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The association this hopgate holds itself: its in-memory ledger (also served to others over
 * gRPC), or a ledger in Redis that every hopgate of the mesh shares. A ledger that fails (Redis
 * down) costs a counted signal or an empty view, never a decision.
 */
public final class LocalAssociation implements AssociationLink {
  private static final System.Logger LOG = System.getLogger(LocalAssociation.class.getName());

  private final Ledger ledger;
  private final String description;
  private final AtomicLong lost = new AtomicLong();
  private final AtomicLong lookupsFailed = new AtomicLong();

  public LocalAssociation(Ledger ledger) {
    this(ledger, "embedded (in memory)");
  }

  public LocalAssociation(Ledger ledger, String description) {
    this.ledger = requireNonNull(ledger, "ledger");
    this.description = requireNonNull(description, "description");
  }

  @Override
  public void start(BoundarySignal signal) {
    record(signal);
  }

  @Override
  public void complete(BoundarySignal signal) {
    record(signal);
  }

  private void record(BoundarySignal signal) {
    try {
      ledger.record(signal);
    } catch (RuntimeException e) {
      long n = lost.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        LOG.log(System.Logger.Level.WARNING, "association ledger {0} failed ({1}); {2} signals lost so far",
            description, e.getMessage(), n);
      }
    }
  }

  @Override
  public LedgerView view(String txn) {
    return LedgerView.of(linkage(txn));
  }

  @Override
  public List<LinkedHop> linkage(String txn) {
    try {
      return ledger.linkage(txn);
    } catch (RuntimeException e) {
      lookupsFailed.incrementAndGet();
      return List.of();
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

  @Override
  public void close() {
    if (ledger instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.DEBUG, "closing the ledger: {0}", e.getMessage());
      }
    }
  }
}
