package dev.hopgate.pdp.association;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * START (hopgate allowed a hop) or COMPLETE (it observed the hop's success).
 *
 * @param completionRecord COMPLETE only: the signed record, which every reader verifies itself
 */
public record BoundarySignal(Kind kind, String txn, String decisionId, String component, String step,
    String enforcementPoint, Instant at, @Nullable String completionRecord) {
  public enum Kind { START, COMPLETE }

  public BoundarySignal {
    requireNonNull(kind, "kind");
    requireNonNull(txn, "txn");
    requireNonNull(decisionId, "decisionId");
    requireNonNull(component, "component");
    requireNonNull(step, "step");
    requireNonNull(enforcementPoint, "enforcementPoint");
    requireNonNull(at, "at");
    if (kind == Kind.COMPLETE && (completionRecord == null || completionRecord.isEmpty())) {
      throw new IllegalArgumentException("a COMPLETE carries its completion record");
    }
  }
}
