package dev.hopgate.tests.harness;

import dev.hopgate.testing.TestPki;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** hopgate as an operator runs it: {@code java -jar hopgate.jar serve --config FILE}. */
public final class HopgateProcess extends ManagedProcess {
  /** One event loop for every Unix socket channel of the test JVM (daemon threads). */
  private static final class UnixSockets {
    static final EventLoopGroup GROUP =
        new EpollEventLoopGroup(
            1,
            r -> {
              Thread t = new Thread(r, "tests-unix-socket");
              t.setDaemon(true);
              return t;
            });
  }

  private final int port;
  private final @Nullable Path socket;
  private volatile TestPki.Identity client;

  private HopgateProcess(List<String> command, Path log, int port, @Nullable Path socket) {
    super("hopgate", command, log);
    this.port = port;
    this.socket = socket;
  }

  /**
   * Writes {@code configYaml} to {@code dir/hopgate.yaml}, starts hopgate and waits for SERVING.
   */
  public static HopgateProcess start(String configYaml, Path dir, String... extraArgs) {
    return start(configYaml, dir, null, extraArgs);
  }

  /**
   * The same, for a hopgate serving TLS: {@code client} is the identity this harness presents
   * (health checks, direct gRPC calls), or null for plaintext.
   */
  public static HopgateProcess start(
      String configYaml, Path dir, TestPki.Identity client, String... extraArgs) {
    int port = Ports.free();
    return launch(configYaml, dir, client, "127.0.0.1:" + port, port, null, List.of(), extraArgs);
  }

  /**
   * The same, listening on the Unix socket {@code socket}, run as {@code runAs} (a command prefix
   * such as {@code setpriv --reuid ...}: hopgate and Envoy run as distinct non-root users).
   */
  public static HopgateProcess startOnSocket(
      String configYaml, Path dir, Path socket, List<String> runAs, String... extraArgs) {
    return launch(configYaml, dir, null, "unix:" + socket, -1, socket, runAs, extraArgs);
  }

  private static HopgateProcess launch(
      String configYaml,
      Path dir,
      TestPki.@Nullable Identity client,
      String listen,
      int port,
      @Nullable Path socket,
      List<String> runAs,
      String... extraArgs) {
    Path config = dir.resolve("hopgate.yaml");
    try {
      Files.writeString(config, configYaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(runAs);
    command.addAll(
        List.of(
            Tools.java().toString(),
            "-Xmx256m",
            "-jar",
            Tools.hopgateJar().toString(),
            "serve",
            "--config",
            config.toString(),
            "--listen",
            listen));
    command.addAll(List.of(extraArgs));
    HopgateProcess hopgate = new HopgateProcess(command, dir.resolve("hopgate.log"), port, socket);
    hopgate.client = client;
    hopgate.awaitReady(
        () -> hopgate.health("") == HealthCheckResponse.ServingStatus.SERVING,
        Duration.ofSeconds(60));
    return hopgate;
  }

  public int port() {
    return port;
  }

  /**
   * A channel to hopgate's gRPC port, presenting the harness's identity; the caller shuts it down.
   */
  public ManagedChannel channel() {
    return channel(client);
  }

  /**
   * A channel presenting {@code identity} (TLS), or none at all when null; the caller shuts it
   * down.
   */
  public ManagedChannel channel(TestPki.Identity identity) {
    if (socket != null) {
      // As this test process: root, whose UID no callers list names.
      return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
          .channelType(EpollDomainSocketChannel.class)
          .eventLoopGroup(UnixSockets.GROUP)
          .usePlaintext()
          .build();
    }
    if (client == null) {
      return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }
    try {
      var tls = GrpcSslContexts.forClient().trustManager(client.pki().caPem().toFile());
      if (identity != null) {
        tls.keyManager(identity.certFile().toFile(), identity.keyFile().toFile());
      }
      return NettyChannelBuilder.forAddress("127.0.0.1", port)
          .sslContext(tls.build())
          .overrideAuthority("localhost")
          .build();
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The gRPC health of a service ("" for the server), or null when hopgate does not answer. */
  public HealthCheckResponse.ServingStatus health(String service) {
    ManagedChannel channel = channel();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build())
          .getStatus();
    } catch (RuntimeException e) {
      return null;
    } finally {
      channel.shutdownNow();
    }
  }
}
