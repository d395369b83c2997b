package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;

/** A verified hop transition ({@code Txn-Chain} element): one hop already passed. */
public record Transition(
    String issuer,
    String txn,
    int position,
    String pred,
    String component,
    String step,
    Set<String> authority,
    Instant expiresAt,
    String decision,
    String digest) {
  public Transition {
    requireNonNull(issuer, "issuer");
    requireNonNull(txn, "txn");
    requireNonNull(pred, "pred");
    requireNonNull(component, "component");
    requireNonNull(step, "step");
    authority = Set.copyOf(authority);
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(decision, "decision");
    requireNonNull(digest, "digest");
  }
}
