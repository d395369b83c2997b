package dev.hopgate.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The token endpoint over HTTPS: {@code POST /token} (RFC 8693), callers authenticated by their
 * client certificate (its URI SAN is the requester); {@code GET /healthz}.
 */
public final class TokenServiceServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TokenServiceServer.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_BODY = 64 * 1024;

  private final HttpsServer server;

  private TokenServiceServer(HttpsServer server) {
    this.server = server;
  }

  public static TokenServiceServer start(
      InetSocketAddress address, SSLContext tls, TokenExchange exchange, Clock clock)
      throws IOException {
    HttpsServer server = HttpsServer.create(address, 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters ssl = tls.getDefaultSSLParameters();
            ssl.setNeedClientAuth(true);
            params.setSSLParameters(ssl);
          }
        });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/token", http -> handle(http, exchange, clock));
    server.createContext("/healthz", http -> reply(http, 200, Map.of("status", "SERVING")));
    server.start();
    return new TokenServiceServer(server);
  }

  /** The TLS context from PEM files (certificate chain, PKCS#8 key, the callers' CA). */
  public static SSLContext tls(Path cert, Path key, Path clientCa)
      throws IOException, GeneralSecurityException {
    return PemTls.server(cert, key, clientCa);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void handle(HttpExchange http, TokenExchange exchange, Clock clock)
      throws IOException {
    try {
      if (!"POST".equals(http.getRequestMethod())) {
        reply(http, 405, error("invalid_request", "POST application/x-www-form-urlencoded"));
        return;
      }
      String requester = requester((HttpsExchange) http);
      if (requester == null) {
        reply(
            http,
            401,
            error("invalid_client", "the client certificate carries no URI SAN identity"));
        return;
      }
      byte[] body = http.getRequestBody().readNBytes(MAX_BODY + 1);
      if (body.length > MAX_BODY) {
        reply(http, 413, error("invalid_request", "request too large"));
        return;
      }
      Map<String, String> form = form(new String(body, StandardCharsets.UTF_8));
      TokenExchange.Issued issued = exchange.exchange(form, requester, clock.instant());
      LOG.log(System.Logger.Level.INFO, "issued a {0} to {1}", issued.type(), requester);
      reply(http, 200, TokenExchange.response(issued));
    } catch (TokenExchange.Refused e) {
      reply(
          http,
          e.status(),
          error(e.error(), java.util.Objects.requireNonNullElse(e.getMessage(), "refused")));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "token exchange failed", e);
      reply(http, 500, error("server_error", "the token service could not answer"));
    }
  }

  private static @org.jspecify.annotations.Nullable String requester(HttpsExchange http) {
    try {
      Certificate[] chain = http.getSSLSession().getPeerCertificates();
      if (chain.length > 0
          && chain[0] instanceof X509Certificate leaf
          && leaf.getSubjectAlternativeNames() != null) {
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
          if (san.size() == 2 && Integer.valueOf(6).equals(san.get(0))) {
            return String.valueOf(san.get(1));
          }
        }
      }
    } catch (Exception e) {
      return null;
    }
    return null;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> form = new HashMap<>();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      if (form.putIfAbsent(key, value) != null) {
        form.put(key, ""); // a repeated parameter is refused as missing rather than guessed at
      }
    }
    return form;
  }

  private static Map<String, Object> error(String code, String description) {
    return Map.of("error", code, "error_description", description);
  }

  private static void reply(HttpExchange http, int status, Map<String, Object> body)
      throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    http.getResponseHeaders().set("content-type", "application/json");
    http.getResponseHeaders().set("cache-control", "no-store");
    http.sendResponseHeaders(status, bytes.length);
    http.getResponseBody().write(bytes);
    http.close();
  }

  @Override
  public void close() {
    server.stop(1);
  }
}
