package dev.hopgate.pdp.route;

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
   * Whether {@code path} (without a query) is normalised as Envoy's {@code normalize_path} leaves
   * it: it starts with '/', has no empty, '.' or '..' segment, no ';' (a path parameter some
   * servers strip, {@code /a/..;/b} being {@code /b} to them), no fragment, backslash, space,
   * control or non-ASCII character, and every percent-escape is of a character that must stay
   * escaped (Envoy's normalisation decodes the rest, whatever the hex case: {@code %61} is {@code
   * a}; it copies other escapes exactly), never of a slash, backslash, '%', '.' or a control
   * character.
   */
  public static boolean normalized(String path) {
    if (path.isEmpty() || path.charAt(0) != '/' || path.length() > 8192) {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c <= 0x20 || c >= 0x7F || c == '\\' || c == '#' || c == '?' || c == ';') {
        return false;
      }
      if (c == '%') {
        if (i + 2 >= path.length() || !hex(path.charAt(i + 1)) || !hex(path.charAt(i + 2))) {
          return false;
        }
        int b = Integer.parseInt(path.substring(i + 1, i + 3), 16);
        if (b < 0x20 || b == 0x7F || b == '/' || b == '\\' || b == '%' || unreserved(b)) {
          return false;
        }
        i += 2;
      }
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

  private static boolean hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
  }

  /** RFC 3986 unreserved: a normaliser decodes its escape. */
  private static boolean unreserved(int b) {
    return (b >= 'A' && b <= 'Z')
        || (b >= 'a' && b <= 'z')
        || (b >= '0' && b <= '9')
        || b == '-'
        || b == '.'
        || b == '_'
        || b == '~';
  }
}
