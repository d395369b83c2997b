package dev.hopgate.pdp.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.hopgate.testing.MutableClock;
import dev.hopgate.testing.TestPki;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JWKS served over real HTTPS (JDK server, test CA) on loopback. */
class JwksUrlKeySourceTest {
  @TempDir Path dir;
  private HttpsServer server;
  private final AtomicReference<String> body = new AtomicReference<>();
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger fetches = new AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong hugeWritten =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.CountDownLatch hugeDone =
      new java.util.concurrent.CountDownLatch(1);
  private SSLContext client;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private JwksUrlKeySource source;
  private final JWK one = JwsSigning.generate("ES256", "k1");
  private final JWK two = JwsSigning.generate("EdDSA", "k2");

  @BeforeEach
  void setUp() throws Exception {
    TestPki pki = TestPki.create(dir);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(pki.server("jwks").sslContext()));
    server.createContext(
        "/jwks.json",
        exchange -> {
          fetches.incrementAndGet();
          byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status.get(), bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
    server.createContext(
        "/huge.json",
        exchange -> {
          // Chunked (no Content-Length): only reading tells its size.
          exchange.sendResponseHeaders(200, 0);
          byte[] chunk = new byte[64 * 1024];
          Arrays.fill(chunk, (byte) ' ');
          try (var out = exchange.getResponseBody()) {
            for (int i = 0; i < 1024; i++) {
              out.write(chunk);
              hugeWritten.addAndGet(chunk.length);
            }
          } catch (java.io.IOException e) {
            // the client stopped reading: what the attack wants to see
          } finally {
            hugeDone.countDown();
          }
        });
    server.start();
    client = pki.anonymousClient();
    serve(one);
  }

  @AfterEach
  void tearDown() {
    if (source != null) {
      source.close();
    }
    server.stop(0);
  }

  @Test
  void load_fetchesTheKeys() {
    source = load();
    assertThat(source.find("k1")).isPresent();
    assertThat(fetches.get()).isEqualTo(1);
  }

  @Test
  void find_fetchesAgainForAnUnknownKidAtMostOncePerInterval() {
    source = load();
    serve(one, two);
    assertThat(source.find("k2")).isEmpty();
    clock.advance(Duration.ofSeconds(6));
    assertThat(source.find("k2")).isPresent();
    assertThat(source.find("nope")).isEmpty();
    assertThat(source.find("nope")).isEmpty();
    assertThat(fetches.get()).isEqualTo(2);
  }

  @Test
  void keysOlderThanTheMaximumStaleness_areNoLongerTrusted() {
    source = load();
    status.set(503);
    clock.advance(Duration.ofSeconds(61));
    assertThat(source.find("k1")).isEmpty();
    status.set(200);
    clock.advance(Duration.ofSeconds(6));
    assertThat(source.find("k1")).isPresent();
  }

  /**
   * Issue 18: the JWKS body was read whole (64 MiB here) before its 256 KiB cap applied. Now
   * reading stops at the cap: the server cannot write much more than the cap and the sockets'
   * buffers.
   */
  @Test
  void aHugeJwksBody_isNotReadWhole_beforeItsCapApplies() throws Exception {
    URI huge = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/huge.json");

    assertThatThrownBy(
            () ->
                JwksUrlKeySource.load(
                    huge,
                    client,
                    Duration.ofSeconds(20),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(60),
                    clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("262144");
    assertThat(hugeDone.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(hugeWritten.get()).isLessThan(32L << 20);
  }

  @Test
  void load_refusesPlainHttpAndAFailingFirstFetch() {
    assertThatThrownBy(
            () ->
                JwksUrlKeySource.load(
                    URI.create("http://127.0.0.1:1/jwks.json"),
                    client,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(60),
                    clock))
        .hasMessageContaining("only https URLs");
    status.set(404);
    assertThatThrownBy(this::load).hasMessageContaining("HTTP 404");
  }

  @Test
  void load_refusesAServerItDoesNotTrust() throws Exception {
    SSLContext untrusting =
        TestPki.create(java.nio.file.Files.createDirectories(dir.resolve("other")))
            .anonymousClient();
    assertThatThrownBy(
            () ->
                JwksUrlKeySource.load(
                    uri(),
                    untrusting,
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(60),
                    clock))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private JwksUrlKeySource load() {
    return JwksUrlKeySource.load(
        uri(), client, Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(60), clock);
  }

  private URI uri() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
  }

  private void serve(JWK... keys) {
    body.set(new JWKSet(Arrays.stream(keys).map(JWK::toPublicJWK).toList()).toString());
  }
}
