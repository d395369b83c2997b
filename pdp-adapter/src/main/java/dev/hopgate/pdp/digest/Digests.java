package dev.hopgate.pdp.digest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.erdtman.jcs.JsonCanonicalizer;
import org.jspecify.annotations.Nullable;

/**
 * Every digest of the wire formats: {@code sha256:} + lowercase hex, over RFC 8785 (JCS) canonical
 * JSON or over the ASCII bytes of a compact JWS. Absent members are omitted before
 * canonicalisation, never written as null. Golden vectors: {@code docs/vectors/digests.json}.
 */
public final class Digests {
  public static final String PREFIX = "sha256:";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Digests() {}

  /** The RFC 8785 canonical form of a JSON value (maps, lists, strings, numbers, booleans). */
  public static String canonicalJson(@Nullable Object value) {
    try {
      return new JsonCanonicalizer(JSON.writeValueAsString(value)).getEncodedString();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not representable as JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("not canonicalisable JSON: " + e.getMessage(), e);
    }
  }

  /** The RFC 8785 canonical form of a JSON text. */
  public static String canonicalJsonText(String json) {
    try {
      return new JsonCanonicalizer(json).getEncodedString();
    } catch (IOException e) {
      throw new IllegalArgumentException("not canonicalisable JSON: " + e.getMessage(), e);
    }
  }

  /** {@code sha256:} + hex over the UTF-8 bytes of the canonical JSON of {@code value}. */
  public static String ofJson(@Nullable Object value) {
    return sha256(canonicalJson(value).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code sha256:} + hex over raw bytes (a compiled policy module). */
  public static String ofBytes(byte[] bytes) {
    return sha256(bytes);
  }

  /** {@code sha256:} + hex over the ASCII bytes of a compact JWS. */
  public static String ofJws(String compactJws) {
    return sha256(compactJws.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The origin binding (house spec, section 2): the digest of JCS({@code txn, sub, aud, origin_wl,
   * deadline, intent}), {@code intent} omitted when the intent is implicit. It survives a
   * replacement of the origin token with new bytes, so the chain stays bound to the txn.
   *
   * @param deadline the txn's deadline in seconds since the epoch (a JSON integer)
   */
  public static String originBinding(
      String txn,
      String sub,
      String aud,
      String originWorkload,
      long deadline,
      @Nullable Map<String, ?> intent) {
    Map<String, Object> bound = new LinkedHashMap<>();
    bound.put("txn", txn);
    bound.put("sub", sub);
    bound.put("aud", aud);
    bound.put("origin_wl", originWorkload);
    bound.put("deadline", deadline);
    if (intent != null) {
      bound.put("intent", intent);
    }
    return ofJson(bound);
  }

  static String sha256(byte[] bytes) {
    try {
      return PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
