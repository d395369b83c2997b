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

  public static RedisProcess start(Path dir) {
    int port = Ports.free();
    RedisProcess redis =
        new RedisProcess(
            List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                dir.toString()),
            dir.resolve("redis-" + port + ".log"),
            port);
    redis.awaitReady(redis::accepts, Duration.ofSeconds(20));
    return redis;
  }

  public int port() {
    return port;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
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
