package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.Optional;

/**
 * An immutable snapshot of a trust set's keys, indexed by {@code kid}.
 *
 * @param revision increases whenever the key material changes, so that anything verified with a
 *     removed key can be told apart from what the current keys verify
 */
record KeySet(long revision, Map<String, TrustedKey> keys) {
  public KeySet {
    keys = Map.copyOf(requireNonNull(keys, "keys"));
  }

  public Optional<TrustedKey> find(String kid) {
    return Optional.ofNullable(keys.get(kid));
  }
}
