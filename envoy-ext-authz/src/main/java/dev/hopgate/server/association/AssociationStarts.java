package dev.hopgate.server.association;

import static java.util.Objects.requireNonNull;
import static java.util.Objects.requireNonNullElse;

import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.server.grpc.DecisionListener;
import java.time.Clock;

/**
 * Tells the association that a step started: a START for every ALLOW that names a step (session
 * methods and denials start nothing), proved by the ALLOW's own transition.
 */
public final class AssociationStarts implements DecisionListener {
  private final AssociationLink association;
  private final String enforcementPoint;
  private final Clock clock;

  public AssociationStarts(AssociationLink association, String enforcementPoint, Clock clock) {
    this.association = requireNonNull(association, "association");
    this.enforcementPoint = requireNonNull(enforcementPoint, "enforcementPoint");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public void decided(Decision decision, long checkNanos) {
    String step = decision.about().step();
    String txn = decision.txn();
    String chain = decision.upstreamHeaders().get(WireTypes.TXN_CHAIN);
    if (decision.outcome() != Outcome.ALLOW || step == null || txn == null || chain == null) {
      return;
    }
    // The ALLOW's own transition, the last element of the chain it sends upstream: what proves
    // the START.
    String transition = chain.substring(chain.lastIndexOf('~') + 1);
    association.start(
        BoundarySignal.start(
            txn,
            decision.id(),
            requireNonNullElse(decision.about().component(), "-"),
            step,
            enforcementPoint,
            clock.instant(),
            transition));
  }
}
