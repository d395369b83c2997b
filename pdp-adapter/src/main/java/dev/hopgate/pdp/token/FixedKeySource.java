package dev.hopgate.pdp.token;

import com.nimbusds.jose.jwk.JWK;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Keys that never change: a service's own public keys, or a warm-up's throwaway ones. */
public final class FixedKeySource implements KeySource {
  private final KeySet keys;
  private final String description;

  private FixedKeySource(KeySet keys, String description) {
    this.keys = keys;
    this.description = description;
  }

  /** The public halves of {@code keys}. */
  public static FixedKeySource of(String description, List<JWK> keys) {
    Map<String, TrustedKey> byKid = new HashMap<>();
    for (JWK key : keys) {
      TrustedKey trusted = TrustedKey.of(key.toPublicJWK());
      byKid.put(trusted.keyId(), trusted);
    }
    return new FixedKeySource(new KeySet(1, byKid), description);
  }

  @Override
  public KeySet current() {
    return keys;
  }

  @Override
  public Optional<TrustedKey> find(String kid) {
    return keys.find(kid);
  }

  @Override
  public String describe() {
    return description;
  }
}
