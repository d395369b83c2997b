package dev.hopgate.server.grpc;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * HMAC-SHA256 over a list of values, under the secret the replicas of one enforcement point share:
 * how ext_proc knows that an ALLOW it is told of is one this enforcement point decided. The first
 * key signs; every key verifies, so a new key can be rolled out before the old one is removed.
 * Secrets never reach a log: {@link #toString()} names the key ids only.
 */
public final class DecisionAuthenticator {
  /** The shortest secret accepted: 256 bits, the size of the hash. */
  static final int MIN_SECRET_BYTES = 32;

  private static final String HMAC = "HmacSHA256";

  private final String currentKid;
  private final Map<String, SecretKeySpec> keys;
  private final ThreadLocal<Map<String, Mac>> macs = ThreadLocal.withInitial(LinkedHashMap::new);

  private DecisionAuthenticator(Map<String, SecretKeySpec> keys) {
    this.keys = Map.copyOf(keys);
    this.currentKid = keys.keySet().iterator().next();
  }

  /** A secret made now, for a single hopgate (replicas must share a configured one). */
  public static DecisionAuthenticator generated() {
    byte[] secret = new byte[MIN_SECRET_BYTES];
    new SecureRandom().nextBytes(secret);
    Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    keys.put("generated", new SecretKeySpec(secret, HMAC));
    return new DecisionAuthenticator(keys);
  }

  /**
   * The secrets of a JWK set file of {@code oct} keys, each with a {@code kid} and at least 256
   * bits.
   *
   * @throws IllegalArgumentException naming what is wrong with the file (never a secret)
   */
  public static DecisionAuthenticator load(Path file) throws IOException {
    JWKSet set;
    try {
      set = JWKSet.load(file.toFile());
    } catch (ParseException e) {
      throw new IllegalArgumentException(file + ": not a JWK set (" + e.getMessage() + ")");
    }
    Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    for (JWK jwk : set.getKeys()) {
      if (!(jwk instanceof OctetSequenceKey oct)) {
        throw new IllegalArgumentException(
            file
                + ": key '"
                + jwk.getKeyID()
                + "' is "
                + jwk.getKeyType()
                + " (expected: oct, a shared secret)");
      }
      if (oct.getKeyID() == null || oct.getKeyID().isBlank()) {
        throw new IllegalArgumentException(file + ": a key has no kid");
      }
      byte[] secret = oct.toByteArray();
      if (secret.length < MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            file
                + ": key '"
                + oct.getKeyID()
                + "' has "
                + secret.length * 8
                + " bits (expected: at least "
                + MIN_SECRET_BYTES * 8
                + ")");
      }
      if (keys.put(oct.getKeyID(), new SecretKeySpec(secret, HMAC)) != null) {
        throw new IllegalArgumentException(file + ": kid '" + oct.getKeyID() + "' appears twice");
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(file + ": no keys");
    }
    return new DecisionAuthenticator(keys);
  }

  /** The id of the key that signs. */
  public String currentKid() {
    return currentKid;
  }

  /** The authenticator of {@code values} under the current key, base64url without padding. */
  public String sign(List<String> values) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(mac(currentKid, values));
  }

  /**
   * Whether {@code authenticator} is that of {@code values} under key {@code kid} (compared in
   * constant time).
   */
  public boolean verifies(
      @Nullable String kid, @Nullable String authenticator, List<String> values) {
    if (kid == null || authenticator == null || !keys.containsKey(kid)) {
      return false;
    }
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(authenticator);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(mac(kid, values), given);
  }

  /** Whether {@code kid} names one of the keys. */
  public boolean knows(@Nullable String kid) {
    return kid != null && keys.containsKey(kid);
  }

  private byte[] mac(String kid, List<String> values) {
    Mac mac =
        macs.get()
            .computeIfAbsent(
                kid,
                k -> {
                  try {
                    Mac m = Mac.getInstance(HMAC);
                    m.init(requireNonNull(keys.get(k)));
                    return m;
                  } catch (GeneralSecurityException e) {
                    throw new IllegalStateException("HmacSHA256 is not available", e);
                  }
                });
    // Each value length-prefixed: no two lists of values share an encoding.
    for (String value : values) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      mac.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
      mac.update((byte) ':');
      mac.update(bytes);
    }
    return mac.doFinal();
  }

  @Override
  public String toString() {
    return "decision authenticator (keys " + keys.keySet() + ", signing with " + currentKid + ")";
  }
}
