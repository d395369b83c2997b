package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/** A verified completion record: the step was observed to finish successfully. */
public record Completion(
    String issuer,
    String txn,
    String step,
    String component,
    String decision,
    Instant completedAt,
    Instant expiresAt,
    String digest) {
  public Completion {
    requireNonNull(issuer, "issuer");
    requireNonNull(txn, "txn");
    requireNonNull(step, "step");
    requireNonNull(component, "component");
    requireNonNull(decision, "decision");
    requireNonNull(completedAt, "completedAt");
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(digest, "digest");
  }
}
