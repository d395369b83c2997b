package dev.hopgate.tests.harness;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A small HTTP upstream that answers 200 and records every request that reached it; under {@code
 * /mcp} it is an MCP server ({@link McpToolServer}).
 */
public final class Upstream implements AutoCloseable {
  /** What reached the upstream: path and headers (names in lower case). */
  public record Seen(String method, String path, Map<String, String> headers) {}

  private final HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();

  private Upstream(HttpServer server) {
    this.server = server;
  }

  public static Upstream start() {
    McpToolServer mcp =
        new McpToolServer(List.of("reserve_stock", "drop_database", "list_orders", "issue_refund"));
    return start(
        exchange -> {
          if (exchange.getRequestURI().getPath().startsWith("/mcp")) {
            mcp.handle(exchange);
            return;
          }
          byte[] body =
              ("upstream saw " + exchange.getRequestURI().getPath() + "\n")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
  }

  /**
   * An upstream that records each request, then lets {@code handler} answer it (a service of the
   * mesh).
   */
  public static Upstream start(com.sun.net.httpserver.HttpHandler handler) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
      Upstream upstream = new Upstream(server);
      server.createContext(
          "/",
          exchange -> {
            Map<String, String> headers =
                exchange.getRequestHeaders().entrySet().stream()
                    .collect(
                        Collectors.toMap(
                            e -> e.getKey().toLowerCase(java.util.Locale.ROOT),
                            e -> String.join(",", e.getValue())));
            upstream.seen.add(
                new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), headers));
            try {
              handler.handle(exchange);
            } catch (RuntimeException e) {
              exchange.sendResponseHeaders(500, -1);
              exchange.close();
            }
          });
      server.start();
      return upstream;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public List<Seen> seen() {
    return List.copyOf(seen);
  }

  public int hits() {
    return seen.size();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
