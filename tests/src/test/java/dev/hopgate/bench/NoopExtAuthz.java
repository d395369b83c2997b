package dev.hopgate.bench;

import com.google.rpc.Code;
import com.google.rpc.Status;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;

/**
 * The floor of the load benchmark: an ext_authz server on the same JVM and grpc-java as hopgate
 * that allows everything without reading the request. hopgate's latency over this one is what
 * deciding costs. Usage: {@code NoopExtAuthz PORT}.
 */
public final class NoopExtAuthz extends AuthorizationGrpc.AuthorizationImplBase {
  private static final CheckResponse OK =
      CheckResponse.newBuilder().setStatus(Status.newBuilder().setCode(Code.OK_VALUE)).build();

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> response) {
    response.onNext(OK);
    response.onCompleted();
  }

  public static void main(String[] args) throws Exception {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])))
            .addService(new NoopExtAuthz())
            .build()
            .start();
    System.out.println("noop ext_authz on 127.0.0.1:" + args[0]);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
    server.awaitTermination();
  }
}
