package dev.hopgate.server.association;

import static java.util.Objects.requireNonNull;

import dev.hopgate.association.v1.AssociationGrpc;
import dev.hopgate.association.v1.Hop;
import dev.hopgate.association.v1.Recorded;
import dev.hopgate.association.v1.Signal;
import dev.hopgate.association.v1.TxnLinkage;
import dev.hopgate.association.v1.TxnQuery;
import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.association.LinkedHop;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Instant;

/** Serves a ledger over gRPC: signals in, a txn's linkage out. It never authorizes anything. */
public final class AssociationService extends AssociationGrpc.AssociationImplBase {
  private static final int MAX_FIELD = 64 * 1024;

  private final Ledger ledger;

  public AssociationService(Ledger ledger) {
    this.ledger = requireNonNull(ledger, "ledger");
  }

  @Override
  public void record(Signal signal, StreamObserver<Recorded> response) {
    BoundarySignal s;
    try {
      s = fromWire(signal);
    } catch (IllegalArgumentException e) {
      response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
      return;
    }
    response.onNext(Recorded.newBuilder().setLinked(ledger.record(s)).build());
    response.onCompleted();
  }

  @Override
  public void linkage(TxnQuery query, StreamObserver<TxnLinkage> response) {
    if (query.getTxn().isEmpty() || query.getTxn().length() > MAX_FIELD) {
      response.onError(Status.INVALID_ARGUMENT.withDescription("txn: missing or too long").asRuntimeException());
      return;
    }
    TxnLinkage.Builder linkage = TxnLinkage.newBuilder().setTxn(query.getTxn());
    for (LinkedHop hop : ledger.linkage(query.getTxn())) {
      linkage.addHops(toWire(hop));
    }
    response.onNext(linkage.build());
    response.onCompleted();
  }

  static BoundarySignal fromWire(Signal s) {
    BoundarySignal.Kind kind = switch (s.getKind()) {
      case START -> BoundarySignal.Kind.START;
      case COMPLETE -> BoundarySignal.Kind.COMPLETE;
      default -> throw new IllegalArgumentException("kind: expected START or COMPLETE");
    };
    for (String field : new String[] {s.getTxn(), s.getDecisionId(), s.getComponent(), s.getStep(),
        s.getEnforcementPoint()}) {
      if (field.isEmpty() || field.length() > MAX_FIELD) {
        throw new IllegalArgumentException("txn, decision_id, component, step and enforcement_point are required"
            + " and at most " + MAX_FIELD + " characters");
      }
    }
    // 0 .. 9999-12-31: anything else is not a time a hopgate sent (and Instant would throw).
    if (s.getAtEpochSeconds() < 0 || s.getAtEpochSeconds() > 253_402_300_799L) {
      throw new IllegalArgumentException("at_epoch_seconds: " + s.getAtEpochSeconds() + " (expected: 0..253402300799)");
    }
    if (s.getCompletionRecord().length() > MAX_FIELD) {
      throw new IllegalArgumentException("completion_record: over " + MAX_FIELD + " characters");
    }
    return new BoundarySignal(kind, s.getTxn(), s.getDecisionId(), s.getComponent(), s.getStep(),
        s.getEnforcementPoint(), Instant.ofEpochSecond(s.getAtEpochSeconds()),
        s.getCompletionRecord().isEmpty() ? null : s.getCompletionRecord());
  }

  static Signal toWire(BoundarySignal s) {
    Signal.Builder b = Signal.newBuilder()
        .setKind(s.kind() == BoundarySignal.Kind.START ? Signal.Kind.START : Signal.Kind.COMPLETE)
        .setTxn(s.txn()).setDecisionId(s.decisionId()).setComponent(s.component()).setStep(s.step())
        .setEnforcementPoint(s.enforcementPoint()).setAtEpochSeconds(s.at().getEpochSecond());
    if (s.completionRecord() != null) {
      b.setCompletionRecord(s.completionRecord());
    }
    return b.build();
  }

  static Hop toWire(LinkedHop hop) {
    Hop.Builder b = Hop.newBuilder().setDecisionId(hop.decisionId()).setComponent(hop.component())
        .setStep(hop.step()).setEnforcementPoint(hop.enforcementPoint());
    if (hop.startedAt() != null) {
      b.setStartedAt(hop.startedAt().getEpochSecond());
    }
    if (hop.completedAt() != null) {
      b.setCompletedAt(hop.completedAt().getEpochSecond());
    }
    if (hop.completionRecord() != null) {
      b.setCompletionRecord(hop.completionRecord());
    }
    return b.build();
  }

  static LinkedHop fromWire(Hop hop) {
    return new LinkedHop(hop.getDecisionId(), hop.getComponent(), hop.getStep(), hop.getEnforcementPoint(),
        hop.getStartedAt() == 0 ? null : Instant.ofEpochSecond(hop.getStartedAt()),
        hop.getCompletedAt() == 0 ? null : Instant.ofEpochSecond(hop.getCompletedAt()),
        hop.getCompletionRecord().isEmpty() ? null : hop.getCompletionRecord());
  }
}
