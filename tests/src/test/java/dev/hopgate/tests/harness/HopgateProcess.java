package dev.hopgate.tests.harness;

import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** hopgate as an operator runs it: {@code java -jar hopgate.jar serve --config FILE}. */
public final class HopgateProcess extends ManagedProcess {
  private final int port;

  private HopgateProcess(List<String> command, Path log, int port) {
    super("hopgate", command, log);
    this.port = port;
  }

  /** Writes {@code configYaml} to {@code dir/hopgate.yaml}, starts hopgate and waits for SERVING. */
  public static HopgateProcess start(String configYaml, Path dir, String... extraArgs) {
    int port = Ports.free();
    Path config = dir.resolve("hopgate.yaml");
    try {
      Files.writeString(config, configYaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of(Tools.java().toString(), "-Xmx256m",
        "-jar", Tools.hopgateJar().toString(), "serve", "--config", config.toString(),
        "--listen", "127.0.0.1:" + port));
    command.addAll(List.of(extraArgs));
    HopgateProcess hopgate = new HopgateProcess(command, dir.resolve("hopgate.log"), port);
    hopgate.awaitReady(() -> hopgate.health("") == HealthCheckResponse.ServingStatus.SERVING, Duration.ofSeconds(60));
    return hopgate;
  }

  public int port() {
    return port;
  }

  /** A channel to hopgate's gRPC port; the caller shuts it down. */
  public ManagedChannel channel() {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  /** The gRPC health of a service ("" for the server), or null when hopgate does not answer. */
  public HealthCheckResponse.ServingStatus health(String service) {
    ManagedChannel channel = channel();
    try {
      return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
          .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    } catch (RuntimeException e) {
      return null;
    } finally {
      channel.shutdownNow();
    }
  }
}
