package dev.hopgate.tests.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real redis-server (Debian's, installed by scripts/install-tools.sh) on a free loopback port.
 */
public final class RedisProcess extends ManagedProcess {
  private final int port;

  private RedisProcess(List<String> command, Path log, int port) {
    super("redis-server", command, log);
    this.port = port;
  }

  /**
   * A redis-server speaking TLS only (its certificate from {@code pki}, for 127.0.0.1), whose
   * default user is off: only ACL user {@code user} with {@code password} may log in.
   */
  public static RedisProcess startTls(
      Path dir, dev.hopgate.testing.TestPki pki, String user, String password) throws IOException {
    int port = Ports.free();
    dev.hopgate.testing.TestPki.Identity cert = pki.server("redis");
    Path conf = dir.resolve("redis-tls.conf");
    java.nio.file.Files.writeString(
        conf, "user default off\nuser " + user + " on >" + password + " ~* &* +@all\n");
    RedisProcess redis =
        new RedisProcess(
            command(
                dir,
                conf.toString(),
                "--port",
                "0",
                "--tls-port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--tls-cert-file",
                cert.certFile().toString(),
                "--tls-key-file",
                cert.keyFile().toString(),
                "--tls-ca-cert-file",
                pki.caPem().toString(),
                "--tls-auth-clients",
                "no"),
            dir.resolve("redis-tls-" + port + ".log"),
            port);
    redis.awaitReady(redis::listens, Duration.ofSeconds(20));
    return redis;
  }

  public static RedisProcess start(Path dir) {
    int port = Ports.free();
    RedisProcess redis =
        new RedisProcess(
            command(dir, "--port", Integer.toString(port), "--bind", "127.0.0.1"),
            dir.resolve("redis-" + port + ".log"),
            port);
    redis.awaitReady(redis::accepts, Duration.ofSeconds(20));
    return redis;
  }

  /** redis-server with {@code args}, keeping nothing on disk, its working directory {@code dir}. */
  private static List<String> command(Path dir, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("redis-server"));
    command.addAll(List.of(args));
    command.addAll(List.of("--save", "", "--appendonly", "no", "--dir", dir.toString()));
    return command;
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** For TLS: the port accepts connections (the handshake is the client's to prove). */
  private boolean listens() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      socket.getOutputStream().write("PING\r\n".getBytes());
      return socket.getInputStream().read() == '+';
    } catch (IOException e) {
      return false;
    }
  }
}
