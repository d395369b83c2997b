package dev.hopgate.server;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.HopRequest;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.KeySet;
import dev.hopgate.pdp.token.KeySource;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.token.TrustedKey;
import dev.hopgate.server.grpc.AuthorizationService;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs synthetic decisions through the real code path before the port opens.
 *
 * <p>Without it the first checks after a start pay for class loading, Cedar's native library and
 * the JIT, take longer than Envoy's ext_authz timeout and are denied: a fresh replica would refuse
 * its first requests. It uses a throwaway key and trust set of its own, so it never touches the
 * configured keys, caches or state.
 */
final class Warmup {
  private static final String ISSUER = "urn:hopgate:warmup";
  private static final String COMPONENT = "urn:hopgate:warmup:component";

  private Warmup() {}

  /**
   * Warms decisions in process, then real Check RPCs over loopback (Netty, HTTP/2, protobuf) on a
   * throwaway server bound to an ephemeral port. Returns how long it took.
   */
  static Duration run(PreparedPolicy policy, int rounds) {
    long start = System.nanoTime();
    for (String alg : new String[] {"ES256", "EdDSA"}) {
      JwsSigning signing = JwsSigning.of(JwsSigning.generate(alg, "warmup-" + alg));
      TrustSet trust = new TrustSet("warmup", Set.of(ISSUER), TrustSet.DEFAULT_ALGORITHMS,
          new FixedKeys(signing.key().toPublicJWK()));
      Clock clock = Clock.systemUTC();
      DecisionPoint decisions = new DecisionPoint(
          new HopTokenVerifier(trust, Duration.ofSeconds(30), Duration.ofMinutes(5), clock), policy, clock, null);
      Instant now = Instant.now();
      String token = signing.sign(HopTokenVerifier.TYPE, new JWTClaimsSet.Builder()
          .issuer(ISSUER).subject("warmup").audience(COMPONENT).claim("txn", "warmup").jwtID("warmup")
          .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(60))).build());
      for (int i = 0; i < rounds; i++) {
        decisions.decide(request("Bearer " + token, "urn:hopgate:warmup:step"));
        decisions.decide(request(null, "urn:hopgate:warmup:step"));
      }
      overGrpc(decisions, token, rounds / 10);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static void overGrpc(DecisionPoint decisions, String token, int rounds) {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .addService(new AuthorizationService(() -> decisions))
        .build();
    ManagedChannel channel = null;
    try {
      server.start();
      channel = NettyChannelBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(),
          server.getPort())).usePlaintext().build();
      AuthorizationGrpc.AuthorizationBlockingStub stub = AuthorizationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(30, TimeUnit.SECONDS);
      for (int i = 0; i < rounds; i++) {
        stub.check(checkRequest("Bearer " + token));
        stub.check(checkRequest(null));
      }
    } catch (IOException | RuntimeException e) {
      // A warm-up that cannot run only costs the first requests some latency.
      System.getLogger(Warmup.class.getName()).log(System.Logger.Level.WARNING,
          "gRPC warm-up skipped: {0}", e.toString());
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      server.shutdownNow();
    }
  }

  /** Shaped like what Envoy sends: request attributes, peer identities, the route's extensions. */
  private static CheckRequest checkRequest(String authorization) {
    AttributeContext.HttpRequest.Builder http = AttributeContext.HttpRequest.newBuilder()
        .setId("warmup").setMethod("POST").setPath("/warmup").setHost("warmup").setScheme("https")
        .setProtocol("HTTP/1.1")
        .putHeaders(":authority", "warmup").putHeaders(":method", "POST").putHeaders(":path", "/warmup")
        .putHeaders("user-agent", "hopgate-warmup").putHeaders("x-request-id", "warmup");
    if (authorization != null) {
      http.putHeaders("authorization", authorization);
    }
    return CheckRequest.newBuilder().setAttributes(AttributeContext.newBuilder()
        .setSource(AttributeContext.Peer.newBuilder().setPrincipal("spiffe://hopgate.invalid/warmup"))
        .setDestination(AttributeContext.Peer.newBuilder().setPrincipal("spiffe://hopgate.invalid/self"))
        .setRequest(AttributeContext.Request.newBuilder().setHttp(http))
        .putContextExtensions(DecisionPoint.COMPONENT, COMPONENT)
        .putContextExtensions(DecisionPoint.STEP, "urn:hopgate:warmup:step"))
        .build();
  }

  private static HopRequest request(String authorization, String step) {
    Map<String, String> headers = authorization == null ? Map.of() : Map.of("authorization", authorization);
    return new HopRequest(headers, Map.of(DecisionPoint.COMPONENT, COMPONENT, DecisionPoint.STEP, step),
        "POST", "/warmup", "spiffe://hopgate.invalid/warmup");
  }

  /** A key source of one fixed key. */
  private record FixedKeys(JWK key) implements KeySource {
    @Override
    public KeySet current() {
      return new KeySet(1, Map.of(key.getKeyID(), TrustedKey.of(key)));
    }

    @Override
    public Optional<TrustedKey> find(String kid) {
      return current().find(kid);
    }

    @Override
    public String describe() {
      return "warmup";
    }
  }
}
