package dev.hopgate.pdp.route;

import java.util.Locale;

/**
 * The path of a request as routes match it: without its query, and only once Envoy normalised it
 * ({@code normalize_path}, {@code merge_slashes}, {@code path_with_escaped_slashes_action:
 * REJECT_REQUEST}, docs/envoy.md). A path that is not normalised reaches hopgate only from an Envoy
 * configured otherwise, and the upstream may read it as another path: it is refused, never matched.
 */
public final class RequestPaths {
  private RequestPaths() {}

  /** The path without its query string (routes never match on the query). */
  public static String withoutQuery(String path) {
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  /**
   * Whether {@code path} (without a query) is normalised: it starts with '/', has no empty, '.' or
   * '..' segment, no fragment, no backslash, no escaped slash or backslash, and no control or space
   * character.
   */
  public static boolean normalized(String path) {
    if (path.isEmpty() || path.charAt(0) != '/' || path.length() > 8192) {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= 0x20 || c >= 0x7F || c == '\\' || c == '#' || c == '?') {
        return false;
      }
    }
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("%2e")) {
      return false;
    }
    // Segments after the leading '/': none empty (but a trailing '/' on its own), '.' or '..'.
    String[] segments = path.substring(1).split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if ((s.isEmpty() && !last) || s.equals(".") || s.equals("..")) {
        return false;
      }
    }
    return true;
  }
}
