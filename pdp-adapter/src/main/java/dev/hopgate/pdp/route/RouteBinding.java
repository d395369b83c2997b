package dev.hopgate.pdp.route;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The requests a route is for: a path (exact, or a prefix matched whole segments at a time), and
 * optionally the methods and authorities it takes. A binding only narrows: the component of a route
 * never comes from the request, so a {@code Host} header the client chooses can refuse a route but
 * never select another component.
 *
 * @param path the exact path, or null
 * @param pathPrefix the path prefix, or null: {@code /mcp} matches {@code /mcp} and {@code /mcp/x},
 *     never {@code /mcpx} (Envoy's {@code prefix} would)
 * @param methods the HTTP methods it takes, upper case; empty: any
 * @param authorities the authorities it takes, lower case ({@code host} matches any port, {@code
 *     host:port} that port only); empty: any
 */
public record RouteBinding(
    @Nullable String path,
    @Nullable String pathPrefix,
    Set<String> methods,
    Set<String> authorities) {
  /** Every request: for tests and tools. */
  public static final RouteBinding ANY = new RouteBinding(null, "/", Set.of(), Set.of());

  private static final Pattern METHOD = Pattern.compile("[A-Z]{1,20}");

  /** An authority as a route names it: a DNS name or an address, an optional port. */
  private static final Pattern AUTHORITY =
      Pattern.compile(
          "[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?|\\[[0-9a-f:.]+\\](:[0-9]{1,5})?");

  /** A host (a name, or a bracketed IPv6 address) and a numeric port. */
  private static final Pattern PORT =
      Pattern.compile("(\\[[0-9a-f:.]+\\]|[^:\\[\\]]+)(:[0-9]{1,5})");

  /**
   * @throws IllegalArgumentException naming what is wrong
   */
  public RouteBinding {
    if ((path == null) == (pathPrefix == null)) {
      throw new IllegalArgumentException("match: needs exactly one of 'path' and 'path_prefix'");
    }
    String spec = path != null ? path : requireNonNull(pathPrefix);
    String field = path != null ? "path" : "path_prefix";
    if (!RequestPaths.normalized(spec)) {
      throw new IllegalArgumentException(
          "match."
              + field
              + ": '"
              + spec
              + "' is not a path as Envoy's normalize_path leaves it (it must start with '/', with"
              + " no empty, '.' or '..' segment, no query, no ';', and no escape Envoy would decode"
              + " or that hides a slash, backslash or '%'): no request could match it");
    }
    if (pathPrefix != null && pathPrefix.length() > 1 && pathPrefix.endsWith("/")) {
      pathPrefix = pathPrefix.substring(0, pathPrefix.length() - 1);
    }
    methods = Set.copyOf(requireNonNull(methods, "methods"));
    for (String method : methods) {
      if (!METHOD.matcher(method).matches()) {
        throw new IllegalArgumentException(
            "match.methods: '" + method + "' is not an HTTP method in upper case (GET, POST, ...)");
      }
    }
    authorities = Set.copyOf(requireNonNull(authorities, "authorities"));
    for (String authority : authorities) {
      if (!AUTHORITY.matcher(authority).matches()) {
        throw new IllegalArgumentException(
            "match.authorities: '"
                + authority
                + "' is not an authority in lower case (host or host:port)");
      }
    }
  }

  /**
   * Whether this binding takes a request.
   *
   * @param path the request's path without its query, normalised ({@link RequestPaths})
   * @param authority the request's authority ({@code :authority}), or null
   */
  public boolean matches(String method, String path, @Nullable String authority) {
    return pathMatches(path) && takes(method, authority);
  }

  /** Whether the methods and authorities take the request (its path aside). */
  boolean takes(String method, @Nullable String authority) {
    return (methods.isEmpty() || methods.contains(method))
        && (authorities.isEmpty() || authorityMatches(authority));
  }

  /** How specific the path is: an exact path beats every prefix, a longer prefix a shorter one. */
  int specificity() {
    return path != null ? Integer.MAX_VALUE : requireNonNull(pathPrefix).length();
  }

  /**
   * Whether a request could match both at the same specificity: only a route name tells such a pair
   * apart (the table names it at start; matched by the table alone, it is ambiguous).
   */
  boolean overlaps(RouteBinding other) {
    return specificity() == other.specificity()
        && java.util.Objects.equals(exact(path), exact(other.path))
        && java.util.Objects.equals(pathPrefix, other.pathPrefix)
        && intersect(methods, other.methods)
        && intersectAuthorities(other);
  }

  /** Whether the path matches; an exact path takes its own trailing '/' too, as servers do. */
  boolean pathMatches(String requestPath) {
    if (path != null) {
      return path.equals(requestPath) || (!path.endsWith("/") && requestPath.equals(path + "/"));
    }
    String prefix = requireNonNull(pathPrefix);
    return prefix.equals("/")
        || requestPath.equals(prefix)
        || (requestPath.startsWith(prefix) && requestPath.charAt(prefix.length()) == '/');
  }

  private boolean authorityMatches(@Nullable String authority) {
    if (authority == null
        || authority.indexOf('@') >= 0
        || !authority.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
      return false; // lower-casing non-ASCII could make one (U+212A is 'k')
    }
    String asked = authority.toLowerCase(Locale.ROOT);
    String port = "";
    Matcher withPort = PORT.matcher(asked);
    if (withPort.matches()) {
      asked = withPort.group(1);
      port = withPort.group(2);
    }
    if (asked.length() > 1 && asked.endsWith(".")) {
      asked = asked.substring(0, asked.length() - 1); // the same name, written absolute
    }
    return authorities.contains(asked) || (!port.isEmpty() && authorities.contains(asked + port));
  }

  private boolean intersectAuthorities(RouteBinding other) {
    if (authorities.isEmpty() || other.authorities.isEmpty()) {
      return true;
    }
    for (String a : authorities) {
      for (String b : other.authorities) {
        if (a.equals(b) || hostOf(a).equals(b) || a.equals(hostOf(b))) {
          return true;
        }
      }
    }
    return false;
  }

  /** An exact path as it matches: with and without its trailing '/'. */
  private static @Nullable String exact(@Nullable String path) {
    return path != null && path.length() > 1 && path.endsWith("/")
        ? path.substring(0, path.length() - 1)
        : path;
  }

  private static String hostOf(String authority) {
    int colon = authority.lastIndexOf(':');
    return colon > 0 && authority.indexOf(']', colon) < 0
        ? authority.substring(0, colon)
        : authority;
  }

  private static boolean intersect(Set<String> a, Set<String> b) {
    return a.isEmpty() || b.isEmpty() || !Collections.disjoint(a, b);
  }
}
