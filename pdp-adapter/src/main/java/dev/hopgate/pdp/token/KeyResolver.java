package dev.hopgate.pdp.token;

import java.util.Optional;

/**
 * Finds the key that may verify a JWS, by {@code kid}, and says which revision of keys answered.
 */
public interface KeyResolver {
  /** The name of the trust set (or manifest) these keys belong to; part of the cache key. */
  String scope();

  Optional<TrustedKey> find(String kid);

  /**
   * Changes whenever keys are removed or replaced, so facts verified with old keys stop counting.
   */
  long revision();

  /** The keys of a trust set. */
  static KeyResolver of(TrustSet trustSet) {
    return new KeyResolver() {
      @Override
      public String scope() {
        return trustSet.name();
      }

      @Override
      public Optional<TrustedKey> find(String kid) {
        return trustSet.keys().find(kid);
      }

      @Override
      public long revision() {
        return trustSet.keys().current().revision();
      }
    };
  }
}
