package dev.hopgate.pdp.floor;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Reads typed claims, failing with a message that names the claim. */
final class Claims {
  private Claims() {}

  static String string(Map<String, Object> claims, String name, String what) {
    if (!(claims.get(name) instanceof String s) || s.isEmpty()) {
      throw new IllegalArgumentException(what + " has no string claim '" + name + "'");
    }
    return s;
  }

  static Instant date(JWTClaimsSet claims, String name, String what) {
    Object value = claims.getClaim(name);
    if (!(value instanceof Date date)) {
      throw new IllegalArgumentException(what + " has no numeric date claim '" + name + "'");
    }
    return date.toInstant();
  }

  /** A NumericDate inside a nested object (Nimbus leaves those as numbers). */
  static Instant epochSeconds(Map<String, Object> claims, String name, String what) {
    if (!(claims.get(name) instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())) {
      throw new IllegalArgumentException(what + " has no integer claim '" + name + "'");
    }
    return Instant.ofEpochSecond(n.longValue());
  }

  static int integer(Map<String, Object> claims, String name, String what) {
    if (!(claims.get(name) instanceof Number n)
        || n.longValue() != n.doubleValue()
        || n.longValue() < 1
        || n.longValue() > 1_000_000) {
      throw new IllegalArgumentException(what + " has no positive integer claim '" + name + "'");
    }
    return n.intValue();
  }

  static Set<String> strings(
      Map<String, Object> claims, String name, String what, boolean required) {
    Object value = claims.get(name);
    if (value == null && !required) {
      return Set.of();
    }
    if (!(value instanceof List<?> list) || list.stream().anyMatch(v -> !(v instanceof String))) {
      throw new IllegalArgumentException(what + " has no list of strings '" + name + "'");
    }
    Set<String> result = new LinkedHashSet<>();
    list.forEach(v -> result.add((String) v));
    return result;
  }

  @SuppressWarnings("unchecked")
  static @Nullable Map<String, Object> object(
      Map<String, Object> claims, String name, String what) {
    Object value = claims.get(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(what + "'s claim '" + name + "' is not an object");
    }
    return (Map<String, Object>) value;
  }
}
