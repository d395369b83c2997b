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

  /** The key for {@code kid} and the revision of the very key set it came from. */
  record Resolved(Optional<TrustedKey> key, long revision) {}

  /**
   * {@link #find} and {@link #revision} from one snapshot: a refresh landing between two separate
   * calls would cache what one key set decided under the other's revision.
   */
  default Resolved resolve(String kid) {
    return new Resolved(find(kid), revision());
  }

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

      @Override
      public Resolved resolve(String kid) {
        trustSet.keys().find(kid); // may re-read the keys (stale, or an unknown kid)
        KeySet snapshot = trustSet.keys().current();
        return new Resolved(snapshot.find(kid), snapshot.revision());
      }
    };
  }
}
