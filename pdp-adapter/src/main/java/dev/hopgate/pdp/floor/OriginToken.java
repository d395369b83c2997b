package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
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
 * @param claimed what else the token says, for policies to read: never authority
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
    String digest,
    Claimed claimed) {
  /**
   * Claims of the Txn-Token beyond hopgate's floor (draft-ietf-oauth-transaction-tokens-10).
   *
   * @param requester {@code req_wl}: the workload that asked for this token
   * @param scope {@code scope}, its space-delimited values in order
   * @param context the members of {@code tctx} other than hopgate's own
   * @param requestContext {@code rctx} (the request's IP, authentication, ...), or null
   */
  public record Claimed(
      String requester,
      List<String> scope,
      Map<String, Object> context,
      @Nullable Map<String, Object> requestContext) {
    public Claimed {
      requireNonNull(requester, "requester");
      scope = List.copyOf(scope);
      // JSON objects may hold nulls, which Map.copyOf refuses.
      context = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(context));
      requestContext =
          requestContext == null
              ? null
              : java.util.Collections.unmodifiableMap(
                  new java.util.LinkedHashMap<>(requestContext));
    }
  }

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
    requireNonNull(claimed, "claimed");
  }
}
