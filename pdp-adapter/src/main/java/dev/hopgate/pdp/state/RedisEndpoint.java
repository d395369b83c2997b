package dev.hopgate.pdp.state;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Where a Redis server is and how hopgate logs in: {@code redis://} or {@code rediss://} (TLS),
 * {@code [user:password@]} or {@code [:password@]} (an ACL user, or the default user), host and
 * port. With TLS the server's certificate must chain to {@code trust} (a private CA) or, without
 * one, to the JVM's CAs, and name the host. Its {@code toString} and every message name the server,
 * never the password.
 */
public record RedisEndpoint(
    String host,
    int port,
    boolean tls,
    @Nullable String user,
    @Nullable String password,
    @Nullable SSLContext trust) {
  public RedisEndpoint {
    requireNonNull(host, "host");
    if (trust != null && !tls) {
      throw new IllegalArgumentException(
          "a CA for Redis is set, but " + describe(tls, user, host, port) + " is not rediss://");
    }
  }

  /**
   * Parses {@code url}.
   *
   * @throws IllegalArgumentException naming what is wrong, the password never shown
   */
  public static RedisEndpoint parse(String url, @Nullable SSLContext trust) {
    requireNonNull(url, "url");
    String shown = redact(url);
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "redis: '" + shown + "' is not a URL (expected: redis[s]://[user:password@]host:port)");
    }
    boolean tls;
    if ("redis".equals(uri.getScheme())) {
      tls = false;
    } else if ("rediss".equals(uri.getScheme())) {
      tls = true;
    } else {
      throw new IllegalArgumentException(
          "redis: '" + shown + "' (expected: redis://host:port, or rediss://host:port for TLS)");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(
          "redis: '" + shown + "' names no host (expected: redis[s]://[user:password@]host:port)");
    }
    if ((uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))
        || uri.getQuery() != null
        || uri.getFragment() != null) {
      throw new IllegalArgumentException(
          "redis: '"
              + shown
              + "' has a path, query or fragment (hopgate uses database 0 and no URL options;"
              + " a key prefix separates deployments)");
    }
    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "redis: '" + shown + "' has a user but no password (expected: user:password@)");
      }
      user = colon == 0 ? null : decode(userInfo.substring(0, colon));
      password = decode(userInfo.substring(colon + 1));
    }
    int port = uri.getPort() < 0 ? 6379 : uri.getPort();
    return new RedisEndpoint(uri.getHost(), port, tls, user, password, trust);
  }

  /** The server and user, for logs and messages: never the password. */
  public String describe() {
    return describe(tls, user, host, port);
  }

  @Override
  public String toString() {
    return describe();
  }

  /**
   * {@code url} as messages may show it: scheme, user and host, the password replaced by {@code
   * ***}, no query (which could carry one); a URL without {@code @} whose host cannot be read is
   * shown by its scheme alone (a typo like {@code redis://:secret} has its password where the host
   * would be).
   */
  public static String redact(String url) {
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return "(not a URL)";
    }
    String prefix = url.substring(0, scheme + 3);
    int at = url.lastIndexOf('@');
    String rest = at > scheme ? url.substring(at + 1) : url.substring(scheme + 3);
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query) + "?***";
    }
    if (at > scheme) {
      String userInfo = url.substring(scheme + 3, at);
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      return prefix + user + ":***@" + rest;
    }
    if (rest.contains(":") && !rest.matches("[A-Za-z0-9.\\-\\[\\]]+:[0-9]*(/.*)?(\\?\\*\\*\\*)?")) {
      return prefix + "***";
    }
    return prefix + rest;
  }

  private static String describe(boolean tls, @Nullable String user, String host, int port) {
    return (tls ? "rediss://" : "redis://") + (user == null ? "" : user + "@") + host + ":" + port;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
