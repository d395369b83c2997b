package dev.hopgate.pdp.request;

/**
 * Text from a caller, made safe for a log line: control characters cannot forge lines or escapes.
 */
public final class LogText {
  private static final int MAX = 512;

  private LogText() {}

  public static String of(String untrusted) {
    StringBuilder out = new StringBuilder(Math.min(untrusted.length(), MAX));
    for (int i = 0; i < untrusted.length() && out.length() < MAX; i++) {
      char c = untrusted.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return untrusted.length() > MAX ? out + "..." : out.toString();
  }
}
