package dev.hopgate.pdp.association;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.floor.LedgerEvidence;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * START (hopgate allowed a hop) or COMPLETE (it observed the hop's success), with the signed
 * artifact that proves it: a START carries the ALLOW's transition, a COMPLETE its completion
 * record. An association stores a signal only once that artifact verifies ({@code LedgerEvidence}),
 * and every reader verifies it again.
 *
 * @param transition START only: the transition the ALLOW signed (the new {@code Txn-Chain} element)
 * @param completionRecord COMPLETE only: the signed completion record
 */
public record BoundarySignal(
    Kind kind,
    String txn,
    String decisionId,
    String component,
    String step,
    String enforcementPoint,
    Instant at,
    @Nullable String transition,
    @Nullable String completionRecord) {
  public enum Kind {
    START,
    COMPLETE
  }

  public BoundarySignal {
    requireNonNull(kind, "kind");
    requireNonNull(txn, "txn");
    requireNonNull(decisionId, "decisionId");
    requireNonNull(component, "component");
    requireNonNull(step, "step");
    requireNonNull(enforcementPoint, "enforcementPoint");
    requireNonNull(at, "at");
    if (kind == Kind.START && (transition == null || transition.isEmpty())) {
      throw new IllegalArgumentException("a START carries the transition of its ALLOW");
    }
    if (kind == Kind.COMPLETE && (completionRecord == null || completionRecord.isEmpty())) {
      throw new IllegalArgumentException("a COMPLETE carries its completion record");
    }
  }

  public static BoundarySignal start(
      String txn,
      String decisionId,
      String component,
      String step,
      String enforcementPoint,
      Instant at,
      String transition) {
    return new BoundarySignal(
        Kind.START, txn, decisionId, component, step, enforcementPoint, at, transition, null);
  }

  public static BoundarySignal complete(
      String txn,
      String decisionId,
      String component,
      String step,
      String enforcementPoint,
      Instant at,
      String completionRecord) {
    return new BoundarySignal(
        Kind.COMPLETE,
        txn,
        decisionId,
        component,
        step,
        enforcementPoint,
        at,
        null,
        completionRecord);
  }

  /** What the signal claims, for {@link LedgerEvidence} to verify. */
  public LedgerEvidence.Claim claim() {
    return new LedgerEvidence.Claim(
        kind == Kind.START, txn, decisionId, component, step, enforcementPoint, artifact());
  }

  /** The signed artifact this signal carries. */
  public String artifact() {
    return requireNonNull(kind == Kind.START ? transition : completionRecord);
  }
}
