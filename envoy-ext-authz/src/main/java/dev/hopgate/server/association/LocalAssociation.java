package dev.hopgate.server.association;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.association.LedgerView;
import dev.hopgate.pdp.association.LinkedHop;
import java.util.List;

/** The embedded association: this hopgate's own in-memory ledger (also served to others over gRPC). */
public final class LocalAssociation implements AssociationLink {
  private final Ledger ledger;

  public LocalAssociation(Ledger ledger) {
    this.ledger = requireNonNull(ledger, "ledger");
  }

  @Override
  public void start(BoundarySignal signal) {
    ledger.record(signal);
  }

  @Override
  public void complete(BoundarySignal signal) {
    ledger.record(signal);
  }

  @Override
  public LedgerView view(String txn) {
    return LedgerView.of(ledger.linkage(txn));
  }

  @Override
  public List<LinkedHop> linkage(String txn) {
    return ledger.linkage(txn);
  }

  @Override
  public long lost() {
    return 0;
  }

  @Override
  public long lookupsFailed() {
    return 0;
  }

  @Override
  public String describe() {
    return "embedded (in memory)";
  }
}
