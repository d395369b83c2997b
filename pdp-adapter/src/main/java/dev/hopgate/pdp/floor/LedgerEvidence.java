package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JWSAlgorithm;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the association's ledger may hold, and what a decision may take from it. A START carries the
 * transition its ALLOW signed, a COMPLETE the completion record; each is verified as the floor
 * verifies a chain link or a carried record (signed by an enforcement point that the manifest of
 * its component lists, for a step that component performs, not expired) and must say what the
 * signal says: the same txn, decision, component, step and enforcement point. An artifact that
 * fails to verify is remembered for a while, by its digest (bounded in bytes), so the same junk
 * costs one verification however often it is sent or read.
 */
public final class LedgerEvidence {
  /** Longest a refusal is remembered: a manifest reloaded since may admit the artifact. */
  private static final Duration REMEMBER_REFUSALS = Duration.ofMinutes(1);

  private final JwsVerifier jws;
  private final Set<JWSAlgorithm> algorithms;
  private final Duration clockSkew;
  private final Cache<String, String> refused =
      Caffeine.newBuilder()
          .maximumWeight(8L << 20)
          .weigher((String artifact, String why) -> artifact.length() + why.length())
          .expireAfterWrite(REMEMBER_REFUSALS)
          .build();

  public LedgerEvidence(JwsVerifier jws, Set<JWSAlgorithm> algorithms, Duration clockSkew) {
    this.jws = requireNonNull(jws, "jws");
    this.algorithms = Set.copyOf(algorithms);
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
  }

  /**
   * What a signal to the ledger claims: that a hop of {@code txn} was allowed ({@code start}: the
   * artifact is its ALLOW's transition) or observed to complete (the artifact is its completion
   * record), as decision {@code decisionId} of {@code step} at {@code component}, by {@code
   * enforcementPoint}.
   */
  public record Claim(
      boolean start,
      String txn,
      String decisionId,
      String component,
      String step,
      String enforcementPoint,
      String artifact) {}

  /** Why {@code claim} may not enter a ledger, or empty when its artifact proves it. */
  public Optional<String> refusal(Claim claim, ManifestRegistry manifests, Instant now) {
    try {
      if (claim.start()) {
        Transition t = transition(claim.artifact(), manifests, now);
        matches(t.txn(), t.decision(), t.component(), t.step(), t.issuer(), claim, "transition");
      } else {
        Completion c = completion(claim.artifact(), manifests, now);
        matches(
            c.txn(), c.decision(), c.component(), c.step(), c.issuer(), claim, "completion record");
      }
      return Optional.empty();
    } catch (Refused e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The steps of {@code txn} that the ledger says were allowed and not (yet) completed, each taken
   * only when its hop's transition verifies and names that hop.
   */
  public Set<String> running(
      String txn, List<LinkedHop> hops, ManifestRegistry manifests, Instant now) {
    Set<String> steps = new LinkedHashSet<>();
    for (LinkedHop hop : hops) {
      String transition = hop.transition();
      if (transition == null) {
        continue;
      }
      try {
        Transition t = transition(transition, manifests, now);
        matches(
            t.txn(),
            t.decision(),
            t.component(),
            t.step(),
            t.issuer(),
            new Claim(
                true,
                txn,
                hop.decisionId(),
                hop.component(),
                hop.step(),
                hop.enforcementPoint(),
                transition),
            "transition");
        steps.add(t.step());
      } catch (Refused e) {
        // Not evidence: the repair is computed as if the ledger had not named this hop.
      }
    }
    return steps;
  }

  private Transition transition(String compact, ManifestRegistry manifests, Instant now)
      throws Refused {
    String key = "transition " + Digests.ofJws(compact);
    remembered(key);
    try {
      EnforcedArtifacts.Verified verified =
          EnforcedArtifacts.verify(
              compact, WireTypes.TRANSITION, algorithms, manifests, jws, "The transition", now);
      Transition t =
          ChainVerifier.read(verified.jws().claims(), verified.jws().digest(), "The transition");
      if (!verified.manifest().performs().contains(t.step())) {
        throw refuse(
            key,
            "the transition records step "
                + t.step()
                + ", which "
                + t.component()
                + " does not perform");
      }
      if (now.isAfter(t.expiresAt().plus(clockSkew))) {
        throw new Refused("the transition expired at " + t.expiresAt());
      }
      return t;
    } catch (EnforcedArtifacts.Rejected e) {
      throw refuse(key, e.getMessage());
    } catch (FloorRejection e) {
      throw refuse(key, e.getMessage());
    }
  }

  private Completion completion(String compact, ManifestRegistry manifests, Instant now)
      throws Refused {
    String key = "completion " + Digests.ofJws(compact);
    remembered(key);
    try {
      EnforcedArtifacts.Verified verified =
          EnforcedArtifacts.verify(
              compact,
              WireTypes.COMPLETION,
              algorithms,
              manifests,
              jws,
              "The completion record",
              now);
      Completion c =
          CompletionVerifier.read(
              verified.jws().claims(), verified.jws().digest(), "The completion record");
      if (!verified.manifest().performs().contains(c.step())) {
        throw refuse(
            key,
            "the completion record is for step "
                + c.step()
                + ", which "
                + c.component()
                + " does not perform");
      }
      if (now.isAfter(c.expiresAt().plus(clockSkew))) {
        throw new Refused("the completion record expired at " + c.expiresAt());
      }
      return c;
    } catch (EnforcedArtifacts.Rejected e) {
      throw refuse(key, e.getMessage());
    } catch (IllegalArgumentException e) {
      throw refuse(key, String.valueOf(e.getMessage()));
    }
  }

  private void remembered(String key) throws Refused {
    String why = refused.getIfPresent(key);
    if (why != null) {
      throw new Refused(why);
    }
  }

  /**
   * A refusal of the artifact itself as what it was offered as (its type, signature, signer,
   * claims): remembered under that kind, so a genuine transition offered as a record is not thereby
   * refused as a transition.
   */
  private Refused refuse(String key, String why) {
    refused.put(key, why);
    return new Refused(why);
  }

  /** The signal's (or hop's) fields must be the artifact's; a mismatch is not remembered. */
  private static void matches(
      String txn,
      String decision,
      String component,
      String step,
      String issuer,
      Claim claim,
      String what)
      throws Refused {
    if (!txn.equals(claim.txn())
        || !decision.equals(claim.decisionId())
        || !component.equals(claim.component())
        || !step.equals(claim.step())
        || !issuer.equals(claim.enforcementPoint())) {
      throw new Refused(
          "the "
              + what
              + " is for another hop than the signal names (txn, decision, component, "
              + "step or enforcement point differ)");
    }
  }

  /** Why an artifact is not evidence. */
  private static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }

    @Override
    public String getMessage() {
      return Objects.requireNonNull(super.getMessage());
    }
  }
}
