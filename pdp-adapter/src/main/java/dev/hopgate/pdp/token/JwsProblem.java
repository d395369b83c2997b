package dev.hopgate.pdp.token;

/** What is wrong with a JWS, before any claim is read; each artifact maps it to its own code. */
public enum JwsProblem {
  /** Not a compact JWS of the expected {@code typ}, no {@code kid}, claims not a JSON object. */
  MALFORMED,
  /** {@code alg: none}, an algorithm the trust set refuses, or one that does not fit the key. */
  ALGORITHM,
  /**
   * A {@code crit} header names extensions that must be understood (RFC 7515 4.1.11); hopgate
   * understands none, so any is refused.
   */
  CRITICAL,
  /** The {@code kid} names no key of the trust set. */
  UNKNOWN_KEY,
  /** The signature is absent or does not verify. */
  SIGNATURE
}
