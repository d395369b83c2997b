package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.NotBefore;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies completion records. One that does not verify (bad signature, signer not bound to its
 * component, another txn, expired, a step its component does not perform) is ignored and counted,
 * never a reason to abort the txn: completions only ever unlock, so ignoring one is safe.
 */
public final class CompletionVerifier {
  private static final System.Logger LOG = System.getLogger(CompletionVerifier.class.getName());

  /** The completions that verified, and why each of the others was ignored. */
  public record Result(List<Completion> completed, List<String> ignored) {
    public Result {
      completed = List.copyOf(completed);
      ignored = List.copyOf(ignored);
    }
  }

  private final JwsVerifier jwsVerifier;
  private final Set<JWSAlgorithm> algorithms;
  private final Duration clockSkew;

  public CompletionVerifier(
      JwsVerifier jwsVerifier, Set<JWSAlgorithm> algorithms, Duration clockSkew) {
    this.jwsVerifier = requireNonNull(jwsVerifier, "jwsVerifier");
    this.algorithms = Set.copyOf(algorithms);
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
  }

  public Result verify(List<String> records, String txn, ManifestRegistry manifests, Instant now) {
    Map<String, Completion> completed = new LinkedHashMap<>();
    List<String> ignored = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      String what = "Completion " + (i + 1);
      try {
        EnforcedArtifacts.Verified verified =
            EnforcedArtifacts.verify(
                records.get(i),
                WireTypes.COMPLETION,
                algorithms,
                manifests,
                jwsVerifier,
                what,
                now);
        Completion c = read(verified.jws().claims(), verified.jws().digest(), what);
        if (!c.txn().equals(txn)) {
          throw new IllegalArgumentException(what + " belongs to another txn");
        }
        if (!verified.manifest().performs().contains(c.step())) {
          throw new IllegalArgumentException(
              what
                  + " records step "
                  + c.step()
                  + ", which "
                  + c.component()
                  + " does not perform");
        }
        if (now.isAfter(c.expiresAt().plus(clockSkew))) {
          throw new IllegalArgumentException(what + " expired at " + c.expiresAt());
        }
        String early = NotBefore.refusal(verified.jws().claims(), now, clockSkew, what);
        if (early != null) {
          throw new IllegalArgumentException(early.substring(0, early.length() - 1));
        }
        completed.putIfAbsent(c.digest(), c);
      } catch (EnforcedArtifacts.Rejected | IllegalArgumentException e) {
        ignored.add(e.getMessage());
        LOG.log(System.Logger.Level.DEBUG, "ignored: {0}", e.getMessage());
      }
    }
    return new Result(List.copyOf(completed.values()), ignored);
  }

  static Completion read(JWTClaimsSet claims, String digest, String what) {
    Map<String, Object> all = claims.getClaims();
    if (!"completed".equals(all.get("status"))) {
      throw new IllegalArgumentException(
          what + " has status " + all.get("status") + " (expected: completed)");
    }
    return new Completion(
        Claims.string(all, "iss", what),
        Claims.string(all, "txn", what),
        Claims.string(all, "step", what),
        Claims.string(all, "component", what),
        Claims.string(all, "decision", what),
        Claims.date(claims, "iat", what),
        Claims.date(claims, "exp", what),
        digest);
  }
}
