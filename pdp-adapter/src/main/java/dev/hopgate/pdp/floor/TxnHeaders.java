package dev.hopgate.pdp.floor;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Splits {@code Txn-Chain} and {@code Txn-Completions} into their elements. Envoy joins a header
 * that appears twice with a comma, and no compact JWS holds one, so a comma means the header was
 * sent twice: malformed, never guessed at.
 */
final class TxnHeaders {
  private TxnHeaders() {}

  public static List<String> elements(
      @Nullable String value, String header, int maxElements, int maxBytes) throws FloorRejection {
    if (value == null || value.isEmpty()) {
      return List.of();
    }
    if (value.length() > maxBytes) {
      throw new FloorRejection(
          FloorCode.CHAIN_TOO_LARGE,
          header + " is " + value.length() + " bytes (expected: at most " + maxBytes + ").");
    }
    if (value.indexOf(',') >= 0) {
      throw new FloorRejection(
          FloorCode.CHAIN_MALFORMED, header + " appears twice or holds a comma.");
    }
    String[] parts = value.split("~", -1);
    if (parts.length > maxElements) {
      throw new FloorRejection(
          FloorCode.CHAIN_TOO_LARGE,
          header + " has " + parts.length + " elements (expected: at most " + maxElements + ").");
    }
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isBlank()) {
        throw new FloorRejection(
            FloorCode.CHAIN_MALFORMED, header + " element " + (i + 1) + " is empty.");
      }
    }
    return List.of(parts);
  }
}
