package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.manifest.Delegation;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What this hopgate signs as an enforcement point: the transition of every ALLOW (the next element
 * of {@code Txn-Chain}) and the completion record of every observed success. Its key must be listed
 * under {@code enforcement} in the manifests of the components it enforces for, or the next hop
 * refuses the chain ({@code chain_signer}).
 */
public final class EnforcementPointSigner {
  private final String id;
  private final JwsSigning signing;
  private final Duration transitionTtl;

  public EnforcementPointSigner(String id, JwsSigning signing, Duration transitionTtl) {
    this.id = requireNonNull(id, "id");
    this.signing = requireNonNull(signing, "signing");
    this.transitionTtl = requireNonNull(transitionTtl, "transitionTtl");
  }

  public String id() {
    return id;
  }

  public String keyId() {
    return signing.key().getKeyID();
  }

  /**
   * The transition for an ALLOW of {@code step} at {@code component}: position and {@code pred}
   * continue the verified chain; the authority is what reached this hop (the predecessor's
   * intersected with the current origin token's, so a replacement origin token that narrows
   * authority narrows every transition minted from then on) narrowed by the component's {@code
   * delegates}; {@code exp} is never later than the predecessor's or the txn deadline.
   */
  public String transition(
      VerifiedFacts facts, String component, String step, String decisionId, Instant now) {
    OriginToken origin = facts.origin();
    Transition head = facts.head().orElse(null);
    Set<String> given = facts.authority();
    Manifest manifest = facts.manifest();
    Delegation delegates = manifest == null ? Delegation.NONE : manifest.delegates();
    Set<String> authority = delegates.narrow(given);
    Instant exp = now.plus(transitionTtl);
    Instant ceiling = head == null ? origin.deadline() : min(head.expiresAt(), origin.deadline());
    exp = min(exp, ceiling);
    String pred = head == null ? origin.binding() : head.digest();
    int position = head == null ? 1 : head.position() + 1;
    return signing.sign(
        WireTypes.TRANSITION,
        Minting.transition(
            id, origin.txn(), position, pred, component, step, authority, now, exp, decisionId));
  }

  /** The completion record of an observed success of {@code step} at {@code component}. */
  public String completion(
      String txn,
      String component,
      String step,
      String decisionId,
      Instant now,
      Instant expiresAt) {
    return signing.sign(
        WireTypes.COMPLETION,
        Minting.completion(id, txn, step, component, decisionId, now, expiresAt));
  }

  /**
   * What an ALLOW sets upstream: the {@code Txn-Chain} that arrived, extended by this hop's
   * transition.
   */
  public Map<String, String> upstreamHeaders(
      @Nullable String arrived,
      VerifiedFacts facts,
      String component,
      String step,
      String decisionId,
      Instant now) {
    String chain = extend(arrived, transition(facts, component, step, decisionId, now));
    return Map.of(WireTypes.TXN_CHAIN, chain);
  }

  /** The chain to send upstream: what arrived, then the new transition ({@code ~}-joined). */
  public static String extend(@Nullable String arrived, String transition) {
    return arrived == null || arrived.isEmpty() ? transition : arrived + "~" + transition;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
