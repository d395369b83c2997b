package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Public keys from a JWKS URL (HTTPS). Fetched at start (a failure refuses to start), refreshed in
 * the background every half of the maximum staleness, and on an unknown {@code kid} at most once
 * per refresh interval. Keys not confirmed by a fetch within the maximum staleness are no longer
 * trusted: every token they signed is then {@code token_unknown_key} until the URL answers again.
 */
public final class JwksUrlKeySource implements KeySource, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(JwksUrlKeySource.class.getName());
  private static final KeySet NONE = new KeySet(0, Map.of());
  private static final int MAX_BYTES = 256 * 1024;

  private record Fetched(KeySet keys, String body, Instant at) {}

  private final URI uri;
  private final HttpClient http;
  private final Duration timeout;
  private final Duration minRefreshInterval;
  private final Duration maxStaleness;
  private final Clock clock;
  private final AtomicReference<Fetched> fetched = new AtomicReference<>();
  private final ScheduledExecutorService refresher;
  private volatile Instant lastAttempt;

  private JwksUrlKeySource(
      URI uri,
      HttpClient http,
      Duration timeout,
      Duration minRefreshInterval,
      Duration maxStaleness,
      Clock clock) {
    this.uri = uri;
    this.http = http;
    this.timeout = timeout;
    this.minRefreshInterval = minRefreshInterval;
    this.maxStaleness = maxStaleness;
    this.clock = clock;
    this.lastAttempt = clock.instant();
    this.refresher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "hopgate-jwks-" + uri.getHost());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Fetches the JWKS once and starts refreshing it.
   *
   * @param tls the TLS context to reach it with (a private CA), or null for the JDK's defaults
   * @throws IllegalArgumentException when the URL is not HTTPS or the first fetch fails
   */
  public static JwksUrlKeySource load(
      URI uri,
      @Nullable SSLContext tls,
      Duration timeout,
      Duration minRefreshInterval,
      Duration maxStaleness,
      Clock clock) {
    requireNonNull(uri, "uri");
    if (!"https".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("jwks " + uri + ": only https URLs are fetched");
    }
    HttpClient.Builder builder =
        HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      builder.sslContext(tls);
    }
    JwksUrlKeySource source =
        new JwksUrlKeySource(
            uri, builder.build(), timeout, minRefreshInterval, maxStaleness, clock);
    try {
      source.fetch(1);
    } catch (IOException | IllegalArgumentException e) {
      source.close();
      throw new IllegalArgumentException("jwks " + uri + ": " + e.getMessage(), e);
    }
    long period = Math.max(1, maxStaleness.toMillis() / 2);
    source.refresher.scheduleWithFixedDelay(
        source::refreshQuietly, period, period, TimeUnit.MILLISECONDS);
    return source;
  }

  @Override
  public KeySet current() {
    Fetched f = fetched.get();
    if (f == null || clock.instant().isAfter(f.at().plus(maxStaleness))) {
      return NONE;
    }
    return f.keys();
  }

  @Override
  public Optional<TrustedKey> find(String kid) {
    Optional<TrustedKey> key = current().find(kid);
    if (key.isPresent()) {
      return key;
    }
    synchronized (this) {
      if (clock.instant().isAfter(lastAttempt.plus(minRefreshInterval))) {
        refreshQuietly();
      }
    }
    return current().find(kid);
  }

  @Override
  public String describe() {
    return uri.toString();
  }

  @Override
  public void close() {
    refresher.shutdownNow();
  }

  private void refreshQuietly() {
    try {
      Fetched f = fetched.get();
      fetch(f == null ? 1 : f.keys().revision() + 1);
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "jwks {0}: refresh failed, keeping the keys fetched at {1}: {2}",
          uri,
          fetched.get() == null ? "never" : fetched.get().at(),
          e.getMessage());
    }
  }

  private void fetch(long revision) throws IOException {
    lastAttempt = clock.instant();
    HttpResponse<byte[]> response;
    // The whole exchange within twice the timeout: a server that drips its body cannot hold the
    // refresh (the client's own timeout ends with the response headers).
    CompletableFuture<HttpResponse<byte[]>> exchange =
        http.sendAsync(
            HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("accept", "application/json")
                .GET()
                .build(),
            BoundedBody.handler(MAX_BYTES));
    try {
      response = exchange.get(2 * timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      exchange.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (TimeoutException e) {
      exchange.cancel(true); // closes the connection: the dripping body is read no further
      throw new IOException("no whole answer within " + 2 * timeout.toMillis() + " ms", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException io
          ? io
          : new IOException(String.valueOf(e.getCause()), e.getCause());
    }
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode());
    }
    String body = new String(response.body(), StandardCharsets.UTF_8);
    Fetched previous = fetched.get();
    if (previous != null && previous.body().equals(body)) {
      fetched.set(new Fetched(previous.keys(), body, clock.instant()));
      return;
    }
    fetched.set(new Fetched(KeySets.parse("jwks " + uri, body, revision), body, clock.instant()));
    LOG.log(
        System.Logger.Level.INFO,
        "fetched {0}: {1} keys, revision {2}",
        uri,
        fetched.get().keys().keys().size(),
        revision);
  }
}
