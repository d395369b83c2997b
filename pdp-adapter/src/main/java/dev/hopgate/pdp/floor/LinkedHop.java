package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One hop of a txn as the association saw it: its START with the ALLOW's transition, its COMPLETE
 * with the completion record where observed. Nothing here is believed until the reader verifies it.
 */
public record LinkedHop(
    String decisionId,
    String component,
    String step,
    String enforcementPoint,
    @Nullable Instant startedAt,
    @Nullable Instant completedAt,
    @Nullable String transition,
    @Nullable String completionRecord) {
  public LinkedHop {
    requireNonNull(decisionId, "decisionId");
    requireNonNull(component, "component");
    requireNonNull(step, "step");
    requireNonNull(enforcementPoint, "enforcementPoint");
  }

  /** Allowed, and no success observed (yet): the step may still be running. */
  public boolean running() {
    return startedAt != null && completedAt == null;
  }
}
