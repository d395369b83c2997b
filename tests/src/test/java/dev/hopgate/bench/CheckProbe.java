package dev.hopgate.bench;

import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Sends the first request of a fixture file to an ext_authz server and fails unless it is allowed:
 * a load benchmark of denials would measure the wrong thing. Usage: {@code CheckProbe PORT FILE}.
 */
public final class CheckProbe {
  private CheckProbe() {}

  public static void main(String[] args) throws Exception {
    CheckRequest request;
    try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
      request = CheckRequest.parseDelimitedFrom(in);
    }
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", Integer.parseInt(args[0]))
            .usePlaintext()
            .build();
    try {
      CheckResponse response =
          AuthorizationGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(request);
      if (response.getStatus().getCode() != 0) {
        System.err.println("probe: port " + args[0] + " denied the benchmark request: " + response);
        System.exit(1);
      }
      System.out.println("probe: port " + args[0] + " allows the benchmark request");
    } finally {
      channel.shutdownNow();
    }
  }
}
