package dev.hopgate.pdp.token;

import java.util.Optional;

/** Where a trust set's public keys come from (a JWKS file, later a JWKS URL). */
public interface KeySource {
  /** The keys as last loaded. */
  KeySet current();

  /**
   * Looks a key up, reloading the source first (at most once per refresh interval) when the {@code
   * kid} is unknown, so a key the issuer has just rotated in is found.
   */
  Optional<TrustedKey> find(String kid);

  /** A description for messages and logs, such as the file path. */
  String describe();
}
