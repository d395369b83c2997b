package dev.hopgate.pdp.manifest;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.token.JwsRejection;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.token.TrustedKey;
import dev.hopgate.pdp.token.VerifiedJws;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The verified manifests of a directory of {@code *.jws} files, indexed by component. A manifest
 * that does not verify or does not make sense is not loaded, and {@link #problems()} names it.
 */
public final class ManifestRegistry {
  /** The JOSE {@code typ} of a signed manifest. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("hop-manifest+jwt");

  /** Revisions are unique in the process, so a reload never reuses a cached verification. */
  private static final AtomicLong REVISIONS = new AtomicLong(1);

  private final Map<String, Manifest> byComponent;
  private final Map<String, KeyResolver> enforcementKeys;
  private final List<String> problems;
  private final long revision;

  private ManifestRegistry(Map<String, Manifest> byComponent, List<String> problems) {
    this.revision = REVISIONS.getAndIncrement();
    this.byComponent = Map.copyOf(byComponent);
    Map<String, KeyResolver> keys = new HashMap<>();
    byComponent.forEach(
        (component, manifest) -> keys.put(component, manifest.enforcementKeys(revision)));
    this.enforcementKeys = Map.copyOf(keys);
    this.problems = List.copyOf(problems);
  }

  /** A registry of the given manifests (for tests and tools). */
  public static ManifestRegistry of(Collection<Manifest> manifests) {
    Map<String, Manifest> map = new TreeMap<>();
    manifests.forEach(m -> map.put(m.component(), m));
    return new ManifestRegistry(map, List.of());
  }

  /**
   * Loads every {@code *.jws} in {@code directory}, each verified against the registry trust set.
   *
   * @throws IOException when the directory cannot be listed
   */
  public static ManifestRegistry load(
      Path directory, TrustSet registry, JwsVerifier verifier, Clock clock) throws IOException {
    Map<String, Manifest> manifests = new TreeMap<>();
    Map<String, String> sources = new HashMap<>();
    List<String> problems = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> list = Files.list(directory)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".jws")).sorted().toList();
    }
    for (Path file : files) {
      try {
        Manifest manifest =
            parse(
                Files.readString(file).strip(),
                file.getFileName().toString(),
                registry,
                verifier,
                clock.instant());
        // A component named twice loads neither: which one is right is the registry's call.
        String previous = sources.put(manifest.component(), manifest.source());
        if (previous != null) {
          problems.add(
              "manifest "
                  + file.getFileName()
                  + ": component "
                  + manifest.component()
                  + " already has a manifest ("
                  + previous
                  + "); neither is loaded");
          manifests.remove(manifest.component());
          continue;
        }
        manifests.put(manifest.component(), manifest);
      } catch (ManifestException e) {
        problems.add("manifest " + file.getFileName() + ": " + e.getMessage());
      }
    }
    return new ManifestRegistry(manifests, problems);
  }

  /** Verifies and reads one signed manifest. */
  public static Manifest parse(
      String compact, String source, TrustSet registry, JwsVerifier verifier, Instant now)
      throws ManifestException {
    VerifiedJws jws;
    try {
      jws =
          verifier.verify(
              compact, TYPE, registry.algorithms(), KeyResolver.of(registry), "The manifest");
    } catch (JwsRejection e) {
      throw new ManifestException(e.getMessage());
    }
    JWTClaimsSet claims = jws.claims();
    String iss = claims.getIssuer();
    if (iss == null || !registry.issuers().contains(iss)) {
      throw new ManifestException("issuer '" + iss + "' is not an issuer of " + registry.name());
    }
    Date exp = claims.getExpirationTime();
    if (exp != null && exp.toInstant().isBefore(now)) {
      throw new ManifestException("expired at " + exp.toInstant());
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now)) {
      throw new ManifestException("not valid before " + nbf.toInstant() + " (nbf)");
    }
    String component = string(claims, "component");
    Set<String> performs = strings(claims, "performs", true);
    Set<String> doesNotPerform = strings(claims, "does_not_perform", false);
    Set<String> both = new LinkedHashSet<>(performs);
    both.retainAll(doesNotPerform);
    if (!both.isEmpty()) {
      throw new ManifestException("steps both performed and not performed: " + both);
    }
    return new Manifest(
        component,
        performs,
        doesNotPerform,
        strings(claims, "expects_completed", false),
        delegation(claims),
        enforcement(claims),
        issuerEndpoint(claims),
        jws.digest(),
        source,
        exp == null ? null : exp.toInstant());
  }

  public Optional<Manifest> get(String component) {
    return Optional.ofNullable(byComponent.get(component));
  }

  /** The enforcement keys of a component's manifest, or empty when it has none. */
  public Optional<KeyResolver> enforcementKeys(String component) {
    return Optional.ofNullable(enforcementKeys.get(component));
  }

  public Collection<Manifest> all() {
    return byComponent.values();
  }

  /** The manifests that were not loaded, each named with the reason. */
  public List<String> problems() {
    return problems;
  }

  /**
   * Changes on every load, so signatures verified with an older registry's keys are checked again.
   */
  public long revision() {
    return revision;
  }

  private static Delegation delegation(JWTClaimsSet claims) throws ManifestException {
    Object value = claims.getClaim("delegates");
    if (value == null) {
      return Delegation.NONE;
    }
    if ("*".equals(value)) {
      return Delegation.ALL;
    }
    return new Delegation(false, strings(claims, "delegates", false));
  }

  private static List<EnforcementPoint> enforcement(JWTClaimsSet claims) throws ManifestException {
    Object value = claims.getClaim("enforcement");
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      throw new ManifestException("'enforcement' missing (expected: a list of {id, keys})");
    }
    List<EnforcementPoint> points = new ArrayList<>();
    Set<String> kids = new HashSet<>();
    for (Object item : list) {
      if (!(item instanceof Map<?, ?> map)
          || !(map.get("id") instanceof String id)
          || !(map.get("keys") instanceof Map<?, ?> jwks)
          || !(jwks.get("keys") instanceof List<?> keyList)) {
        throw new ManifestException("an enforcement entry is not {id, keys: {keys: [...]}}");
      }
      Map<String, TrustedKey> keys = new HashMap<>();
      for (Object k : keyList) {
        try {
          @SuppressWarnings("unchecked")
          TrustedKey key = TrustedKey.of(JWK.parse((Map<String, Object>) k));
          if (!kids.add(key.keyId())) {
            throw new ManifestException(
                "kid '" + key.keyId() + "' appears twice among the enforcement keys");
          }
          keys.put(key.keyId(), key);
        } catch (ParseException | IllegalArgumentException | ClassCastException e) {
          throw new ManifestException("enforcement point " + id + ": " + e.getMessage());
        }
      }
      points.add(new EnforcementPoint(id, keys));
    }
    return points;
  }

  private static @Nullable String issuerEndpoint(JWTClaimsSet claims) {
    return claims.getClaim("endpoints") instanceof Map<?, ?> endpoints
            && endpoints.get("issuer") instanceof String s
        ? s
        : null;
  }

  private static String string(JWTClaimsSet claims, String name) throws ManifestException {
    if (!(claims.getClaim(name) instanceof String s) || s.isBlank()) {
      throw new ManifestException("'" + name + "' missing (expected: a string)");
    }
    return s;
  }

  private static Set<String> strings(JWTClaimsSet claims, String name, boolean required)
      throws ManifestException {
    Object value = claims.getClaim(name);
    if (value == null) {
      if (required) {
        throw new ManifestException("'" + name + "' missing (expected: a list of step IRIs)");
      }
      return Set.of();
    }
    if (!(value instanceof List<?> list) || list.stream().anyMatch(v -> !(v instanceof String))) {
      throw new ManifestException("'" + name + "' is not a list of step IRIs");
    }
    Set<String> result = new LinkedHashSet<>();
    list.forEach(v -> result.add((String) v));
    return result;
  }

  /** Why one manifest was not loaded. */
  public static final class ManifestException extends Exception {
    private static final long serialVersionUID = 1L;

    public ManifestException(String message) {
      super(message);
    }
  }
}
