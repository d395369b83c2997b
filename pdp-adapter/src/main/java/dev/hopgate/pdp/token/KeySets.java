package dev.hopgate.pdp.token;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parses a JWKS document into trusted keys, refusing anything a trust set must not hold. */
final class KeySets {
  private static final System.Logger LOG = System.getLogger(KeySets.class.getName());

  private KeySets() {}

  /**
   * @param source how messages name the document, as in {@code jwks /etc/keys.json}
   * @throws IllegalArgumentException naming the source and the key at fault
   */
  static KeySet parse(String source, String content, long revision) {
    JWKSet set;
    try {
      set = JWKSet.parse(content);
    } catch (ParseException e) {
      throw new IllegalArgumentException(source + ": not a JWK set (" + e.getMessage() + ")", e);
    }
    if (set.getKeys().isEmpty()) {
      throw new IllegalArgumentException(source + ": no keys (expected: at least one)");
    }
    Map<String, TrustedKey> byKid = new HashMap<>();
    List<String> leftOut = new ArrayList<>();
    for (JWK jwk : set.getKeys()) {
      if (!forSignatures(jwk)) {
        // A published JWKS may hold encryption keys beside signing keys: they are not refused,
        // only left out, since a trust set verifies signatures only.
        leftOut.add("'" + jwk.getKeyID() + "' (not for signatures: use or key_ops)");
        continue;
      }
      if (jwk instanceof RSAKey && jwk.getAlgorithm() == null) {
        // RFC 8725 3.1: one algorithm per key. Left out, not refusing the set: an identity
        // provider that publishes such keys beside pinned ones keeps working with those.
        leftOut.add("'" + jwk.getKeyID() + "' (an RSA key without alg: RS256 or PS256?)");
        continue;
      }
      TrustedKey key;
      try {
        key = TrustedKey.of(jwk);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
      }
      if (byKid.put(key.keyId(), key) != null) {
        throw new IllegalArgumentException(
            source + ": kid '" + key.keyId() + "' appears twice (expected: unique kids)");
      }
    }
    if (byKid.isEmpty()) {
      throw new IllegalArgumentException(
          source + ": no key for verifying signatures; left out: " + String.join(", ", leftOut));
    }
    if (!leftOut.isEmpty()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "{0}: keys left out, tokens they sign are refused: {1}",
          source,
          String.join(", ", leftOut));
    }
    return new KeySet(revision, byKid);
  }

  private static boolean forSignatures(JWK jwk) {
    return (jwk.getKeyUse() == null || KeyUse.SIGNATURE.equals(jwk.getKeyUse()))
        && (jwk.getKeyOperations() == null || jwk.getKeyOperations().contains(KeyOperation.VERIFY));
  }
}
