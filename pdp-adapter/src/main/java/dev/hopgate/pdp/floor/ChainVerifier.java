package dev.hopgate.pdp.floor;

import static dev.hopgate.pdp.floor.FloorCode.CHAIN_BROKEN;
import static dev.hopgate.pdp.floor.FloorCode.CHAIN_EXPIRED;
import static dev.hopgate.pdp.floor.FloorCode.CHAIN_MALFORMED;
import static dev.hopgate.pdp.floor.FloorCode.CHAIN_NOT_YET_VALID;
import static dev.hopgate.pdp.floor.FloorCode.CHAIN_SIGNER;
import static dev.hopgate.pdp.floor.FloorCode.CHAIN_WIDENED;
import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.NotBefore;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Verifies {@code Txn-Chain}: every transition signed by an enforcement point of its component's
 * manifest for a step that component performs (chain_signer); one unbroken path of {@code pred}
 * links back to the origin binding, positions 1, 2, 3, one txn (chain_broken); authority only
 * narrowing through each manifest's {@code delegates} and {@code exp} never extended
 * (chain_widened); nothing expired or past the deadline (chain_expired).
 */
public final class ChainVerifier {
  private final JwsVerifier jwsVerifier;
  private final Set<JWSAlgorithm> algorithms;
  private final Duration clockSkew;

  public ChainVerifier(JwsVerifier jwsVerifier, Set<JWSAlgorithm> algorithms, Duration clockSkew) {
    this.jwsVerifier = requireNonNull(jwsVerifier, "jwsVerifier");
    this.algorithms = Set.copyOf(algorithms);
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
  }

  public List<Transition> verify(
      List<String> elements, OriginToken origin, ManifestRegistry manifests, Instant now)
      throws FloorRejection {
    List<Transition> chain = new ArrayList<>(elements.size());
    Transition previous = null;
    for (int i = 0; i < elements.size(); i++) {
      int position = i + 1;
      String what = "Transition " + position;
      EnforcedArtifacts.Verified verified;
      try {
        verified =
            EnforcedArtifacts.verify(
                elements.get(i),
                WireTypes.TRANSITION,
                algorithms,
                manifests,
                jwsVerifier,
                what,
                now);
      } catch (EnforcedArtifacts.Rejected e) {
        throw new FloorRejection(
            switch (e.failure) {
              case MALFORMED -> CHAIN_MALFORMED;
              case NO_MANIFEST, SIGNER -> CHAIN_SIGNER;
              case SIGNATURE -> CHAIN_BROKEN;
            },
            e.getMessage());
      }
      Transition t = read(verified.jws().claims(), verified.jws().digest(), what);
      String early = NotBefore.refusal(verified.jws().claims(), now, clockSkew, what);
      if (early != null) {
        throw new FloorRejection(CHAIN_NOT_YET_VALID, early);
      }
      Manifest manifest = verified.manifest();
      if (!manifest.performs().contains(t.step())) {
        throw new FloorRejection(
            CHAIN_SIGNER,
            what
                + " records step "
                + t.step()
                + ", which the manifest of "
                + t.component()
                + " does not perform.");
      }
      if (!t.txn().equals(origin.txn())) {
        throw new FloorRejection(CHAIN_BROKEN, what + " belongs to another txn.");
      }
      if (t.position() != position) {
        throw new FloorRejection(
            CHAIN_BROKEN,
            what
                + " says it is at position "
                + t.position()
                + " (expected: "
                + position
                + "; positions rise by one from 1).");
      }
      String expectedPred = previous == null ? origin.binding() : previous.digest();
      if (!t.pred().equals(expectedPred)) {
        throw new FloorRejection(
            CHAIN_BROKEN,
            what
                + "'s pred does not link to "
                + (previous == null ? "the origin binding" : "transition " + (position - 1))
                + ".");
      }
      Set<String> allowed =
          manifest.delegates().narrow(previous == null ? t.authority() : previous.authority());
      if (!allowed.containsAll(t.authority())) {
        Set<String> extra = new TreeSet<>(t.authority());
        extra.removeAll(allowed);
        throw new FloorRejection(
            CHAIN_WIDENED,
            what
                + " widens authority by "
                + extra
                + " (its predecessor"
                + " and the delegates of "
                + t.component()
                + " allow "
                + new TreeSet<>(allowed)
                + ").");
      }
      Instant ceiling =
          previous == null ? origin.deadline() : min(previous.expiresAt(), origin.deadline());
      if (t.expiresAt().isAfter(ceiling)) {
        throw new FloorRejection(
            CHAIN_WIDENED,
            what
                + " expires at "
                + t.expiresAt()
                + ", later than "
                + (previous == null ? "the txn deadline" : "its predecessor or the txn deadline")
                + " ("
                + ceiling
                + ").");
      }
      if (now.isAfter(t.expiresAt().plus(clockSkew))) {
        throw new FloorRejection(CHAIN_EXPIRED, what + " expired at " + t.expiresAt() + ".");
      }
      chain.add(t);
      previous = t;
    }
    if (now.isAfter(origin.deadline().plus(clockSkew))) {
      throw new FloorRejection(
          CHAIN_EXPIRED, "The txn's deadline " + origin.deadline() + " has passed.");
    }
    return List.copyOf(chain);
  }

  static Transition read(JWTClaimsSet claims, String digest, String what) throws FloorRejection {
    Map<String, Object> all = claims.getClaims();
    try {
      return new Transition(
          Claims.string(all, "iss", what),
          Claims.string(all, "txn", what),
          Claims.integer(all, "position", what),
          Claims.string(all, "pred", what),
          Claims.string(all, "component", what),
          Claims.string(all, "step", what),
          Claims.strings(all, "authority", what, true),
          Claims.date(claims, "exp", what),
          Claims.string(all, "decision", what),
          digest);
    } catch (IllegalArgumentException e) {
      throw new FloorRejection(CHAIN_MALFORMED, e.getMessage() + ".");
    }
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
