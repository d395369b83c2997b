package dev.hopgate.pdp.manifest;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.TrustedKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A verified component manifest (house spec, section 2).
 *
 * @param issuerEndpoint where a caller gets a new hop token for this component, or null
 * @param digest {@code sha256:} of the signed manifest
 * @param expiresAt its {@code exp}, or null: a manifest is judged by it on every use, not only when
 *     it is loaded (a registry directory is re-read only on a reload)
 */
public record Manifest(
    String component,
    Set<String> performs,
    Set<String> doesNotPerform,
    Set<String> expectsCompleted,
    Delegation delegates,
    List<EnforcementPoint> enforcement,
    @Nullable String issuerEndpoint,
    String digest,
    String source,
    @Nullable Instant expiresAt) {
  public Manifest {
    requireNonNull(component, "component");
    performs = Set.copyOf(performs);
    doesNotPerform = Set.copyOf(doesNotPerform);
    expectsCompleted = Set.copyOf(expectsCompleted);
    requireNonNull(delegates, "delegates");
    enforcement = List.copyOf(enforcement);
    requireNonNull(digest, "digest");
    requireNonNull(source, "source");
  }

  /** Whether its {@code exp} has passed at {@code now}, beyond {@code skew}. */
  public boolean expiredAt(Instant now, Duration skew) {
    return expiresAt != null && expiresAt.plus(skew).isBefore(now);
  }

  /** The enforcement point holding key {@code kid}, if any. */
  public Optional<EnforcementPoint> enforcerOf(String kid) {
    return enforcement.stream().filter(ep -> ep.keys().containsKey(kid)).findFirst();
  }

  /** The enforcement keys, for verifying transitions and completions of this component. */
  public KeyResolver enforcementKeys(long registryRevision) {
    Map<String, TrustedKey> all = new HashMap<>();
    enforcement.forEach(ep -> all.putAll(ep.keys()));
    Map<String, TrustedKey> keys = Map.copyOf(all);
    String scope = "the enforcement points of " + component;
    return new KeyResolver() {
      @Override
      public String scope() {
        return scope;
      }

      @Override
      public Optional<TrustedKey> find(String kid) {
        return Optional.ofNullable(keys.get(kid));
      }

      @Override
      public long revision() {
        return registryRevision;
      }
    };
  }
}
