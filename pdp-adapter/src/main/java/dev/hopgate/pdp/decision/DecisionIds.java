package dev.hopgate.pdp.decision;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Generates decision ids: UUID version 7 (RFC 9562), so ids sort by time in logs.
 *
 * <p>Decision ids are correlation handles, not secrets, so {@link ThreadLocalRandom} is enough and
 * keeps the Check path free of {@code SecureRandom} contention.
 */
public final class DecisionIds {
  private DecisionIds() {}

  public static String next() {
    long millis = System.currentTimeMillis();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (millis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
