package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A verified origin token ({@code Txn-Token}): who the txn acts for, the workload that started it,
 * its deadline, its declared intent and the authority the originator granted.
 *
 * @param intent {@code {process, digest}}, or null for an implicit intent
 * @param binding the origin binding: position 1's {@code pred}
 * @param digest {@code sha256:} of the token as sent (a hop token may name the one it was issued
 *     from)
 */
public record OriginToken(
    String txn,
    String subject,
    String audience,
    String originWorkload,
    Instant deadline,
    @Nullable Map<String, Object> intent,
    Set<String> authority,
    Instant expiresAt,
    String binding,
    String digest) {
  public OriginToken {
    requireNonNull(txn, "txn");
    requireNonNull(subject, "subject");
    requireNonNull(audience, "audience");
    requireNonNull(originWorkload, "originWorkload");
    requireNonNull(deadline, "deadline");
    intent = intent == null ? null : Map.copyOf(intent);
    authority = Set.copyOf(authority);
    requireNonNull(expiresAt, "expiresAt");
    requireNonNull(binding, "binding");
    requireNonNull(digest, "digest");
  }
}
