package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import java.util.Set;

/**
 * A set of keys trusted for one purpose (the token service, the transaction token service, a
 * manifest registry), the issuers they speak for, and the only algorithms accepted from them.
 */
public record TrustSet(
    String name, Set<String> issuers, Set<JWSAlgorithm> algorithms, KeySource keys) {
  /** The default algorithms of every trust set (house spec, section 2). */
  public static final Set<JWSAlgorithm> DEFAULT_ALGORITHMS =
      Set.of(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA);

  /**
   * Algorithms no trust set may ever accept: symmetric ones would turn a public key into a secret.
   */
  private static final Set<JWSAlgorithm> ACCEPTABLE =
      Set.of(
          JWSAlgorithm.ES256,
          JWSAlgorithm.EdDSA,
          JWSAlgorithm.Ed25519,
          JWSAlgorithm.RS256,
          JWSAlgorithm.PS256);

  public TrustSet {
    requireNonNull(name, "name");
    issuers = Set.copyOf(requireNonNull(issuers, "issuers"));
    algorithms = Set.copyOf(requireNonNull(algorithms, "algorithms"));
    requireNonNull(keys, "keys");
    if (issuers.isEmpty()) {
      throw new IllegalArgumentException(
          "trust set " + name + ": no issuer (expected: at least one)");
    }
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException(
          "trust set " + name + ": no algorithm (expected: at least one)");
    }
    for (JWSAlgorithm alg : algorithms) {
      if (!ACCEPTABLE.contains(alg)) {
        throw new IllegalArgumentException(
            "trust set "
                + name
                + ": algorithm "
                + alg
                + " (expected: some of ES256, EdDSA, Ed25519, RS256, PS256)");
      }
    }
  }

  /** Parses an algorithm name as written in configuration, refusing anything not acceptable. */
  public static JWSAlgorithm algorithm(String name) {
    JWSAlgorithm alg = JWSAlgorithm.parse(name);
    if (!ACCEPTABLE.contains(alg)) {
      throw new IllegalArgumentException(
          "algorithm: " + name + " (expected: one of ES256, EdDSA, Ed25519, RS256, PS256)");
    }
    return alg;
  }
}
