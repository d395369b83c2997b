package dev.hopgate.pdp.request;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * W3C Trace Context: the trace id of a request's {@code traceparent}, so a decision (its log
 * record, Envoy's dynamic metadata) joins the trace the request belongs to.
 */
public final class TraceContext {
  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final String INVALID_TRACE = "0".repeat(32);

  private TraceContext() {}

  /** The trace id, or null when the header is absent or malformed (never trusted blindly). */
  public static @Nullable String traceId(@Nullable String traceparent) {
    if (traceparent == null) {
      return null;
    }
    var m = TRACEPARENT.matcher(traceparent.strip());
    if (!m.matches() || m.group(1).equals(INVALID_TRACE)) {
      return null;
    }
    return m.group(1);
  }
}
