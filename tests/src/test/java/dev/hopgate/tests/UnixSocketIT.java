package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.association.v1.AssociationGrpc;
import dev.hopgate.association.v1.TxnQuery;
import dev.hopgate.testing.TestPki;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.LogsOnFailure;
import dev.hopgate.tests.harness.OsUsers;
import dev.hopgate.tests.harness.Ports;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sidecar wiring: Envoy reaches hopgate over a Unix domain socket in a directory only the two
 * share. hopgate and Envoy run as distinct non-root users; the socket is 0660, group-owned by the
 * group they share; hopgate admits only the Envoy's UID (SO_PEERCRED). The association, which other
 * hopgates reach over the network, has its own mTLS listener.
 */
class UnixSocketIT {
  @TempDir static Path dir;
  static EdgeStack stack;
  static Path socket;
  static int associationPort;

  @RegisterExtension final TestWatcher logs = LogsOnFailure.of(() -> stack.logs());

  @BeforeAll
  static void start() throws Exception {
    Path edge = Files.createDirectories(dir.resolve("edge"));
    socket = edge.resolve("sock").resolve("hopgate.sock");
    associationPort = Ports.free();
    stack =
        EdgeStack.start(
            edge,
            """
        tls: {cert: hopgate.pem, key: hopgate.key, client_ca: ca.pem}
        association: {listen: "127.0.0.1:%d"}
        """
                .formatted(associationPort),
            EdgeStack.Callers.DEFAULT,
            EdgeStack.Wiring.UNIX_SOCKET);
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void throughEnvoyOnTheSocket_aHopIsAllowed_andItsCompletionMinted() throws Exception {
    SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
    HttpResponse<String> allowed =
        stack.get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY));
    assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(200);
    assertThat(allowed.headers().firstValue("txn-completion"))
        .as("ext_proc over the socket")
        .isPresent();
    assertThat(stack.hopgate().logText()).contains("hopgate serving Check on unix:" + socket);
  }

  @Test
  void theSocket_isHopgatesAndTheSharedGroups_mode0660() throws Exception {
    assertThat(Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(OsUsers.HOPGATE_UID);
    assertThat(Files.getAttribute(socket, "unix:gid", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(OsUsers.MESH_GID);
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)))
        .isEqualTo("rw-rw----");
    try (var left = Files.list(socket.getParent())) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("no private bind directory left behind")
          .containsExactly("hopgate.sock");
    }
  }

  @Test
  void aPeerWhoseUidIsNotNamed_isRefused() {
    // This test process is root: it can open the socket, and hopgate's peer check refuses it.
    ManagedChannel channel = stack.hopgate().channel();
    try {
      assertThatThrownBy(
              () ->
                  AuthorizationGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .check(CheckRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.getStatus().getDescription()).contains("uid 0");
              });
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void aWorkloadUnderItsOwnUid_cannotEvenConnect() throws Exception {
    List<String> command =
        new ArrayList<>(OsUsers.runAs(OsUsers.WORKLOAD_UID, OsUsers.WORKLOAD_UID));
    command.addAll(
        List.of(
            "/usr/bin/python3",
            "-c",
            "import socket, sys\ns = socket.socket(socket.AF_UNIX)\ntry:\n    s.connect(sys.argv[1])\n    print('connected')\n"
                + "except OSError as e:\n    print(type(e).__name__)\n",
            socket.toString()));
    Process workload = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(workload.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(workload.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim())
        .isEqualTo("PermissionError");
  }

  @Test
  void theAssociation_hasItsOwnMtlsListener_forTheHopgatesNamed() throws Exception {
    assertThat(linkage(stack.pki().workload("harness-copy", EdgeStack.HARNESS_IDENTITY)))
        .as("a named hopgate")
        .isEqualTo(Status.Code.OK);
    assertThat(linkage(stack.pki().workload("stranger", "spiffe://shop.example/stranger")))
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    // Not on the socket: only the Envoy reaches that.
    ManagedChannel onSocket = stack.hopgate().channel();
    try {
      assertThatThrownBy(
              () ->
                  AssociationGrpc.newBlockingStub(onSocket)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .linkage(TxnQuery.newBuilder().setTxn("t").build()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    } finally {
      onSocket.shutdownNow();
    }
  }

  private static Status.Code linkage(TestPki.Identity who) throws Exception {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", associationPort)
            .sslContext(
                GrpcSslContexts.forClient()
                    .trustManager(stack.pki().caPem().toFile())
                    .keyManager(who.certFile().toFile(), who.keyFile().toFile())
                    .build())
            .overrideAuthority("localhost")
            .build();
    try {
      AssociationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .linkage(TxnQuery.newBuilder().setTxn("txn-unknown").build());
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    } finally {
      channel.shutdownNow();
    }
  }
}
