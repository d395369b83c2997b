package dev.hopgate.server;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainVerifier;
import dev.hopgate.pdp.floor.CompletionVerifier;
import dev.hopgate.pdp.floor.Floor;
import dev.hopgate.pdp.floor.LedgerEvidence;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.floor.OriginVerifier;
import dev.hopgate.pdp.floor.RevocationFeed;
import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.route.RouteTable;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.token.FixedKeySource;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.server.grpc.AuthorizationService;
import dev.hopgate.server.grpc.DecisionAuthenticator;
import dev.hopgate.server.grpc.DecisionMetadata;
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
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs synthetic checks through the real code path before the port opens.
 *
 * <p>Without it the first checks after a start pay for class loading, Cedar's native library and
 * the JIT, take longer than Envoy's ext_authz timeout and are denied: a fresh replica would refuse
 * its first requests. It builds a throwaway mesh of its own (keys, manifests, a two-hop chain, a
 * completion) around the real prepared policy, with signature caching off so every round verifies;
 * it never touches the configured keys, caches or state.
 */
final class Warmup {
  private static final String TS = "urn:hopgate:warmup:token-service";
  private static final String TTS = "urn:hopgate:warmup:txn-token-service";
  private static final String REGISTRY = "urn:hopgate:warmup:registry";
  private static final String ORIGIN_WL = "spiffe://hopgate.invalid/warmup/planner";
  private static final String FIRST = "spiffe://hopgate.invalid/warmup/first";
  private static final String SECOND = "spiffe://hopgate.invalid/warmup/second";
  private static final String TARGET = "spiffe://hopgate.invalid/warmup/target";
  private static final String STEP = "urn:hopgate:warmup:step";
  private static final String ROUTE = "warmup";

  private Warmup() {}

  /** Decisions in process, then real Check RPCs over loopback. Returns how long it took. */
  static Duration run(PreparedPolicy policy, int rounds) {
    long start = System.nanoTime();
    for (String alg : new String[] {"ES256", "EdDSA"}) {
      Mesh mesh = new Mesh(alg, policy);
      for (int i = 0; i < rounds; i++) {
        mesh.decisions.decide(mesh.request(true));
        mesh.decisions.decide(mesh.request(false));
      }
      overGrpc(mesh, rounds / 10);
    }
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /** A throwaway mesh: planner -> first -> second -> target, every artifact really signed. */
  private static final class Mesh {
    final DecisionPoint decisions;
    final Map<String, String> headers = new HashMap<>();

    Mesh(String alg, PreparedPolicy policy) {
      Clock clock = Clock.systemUTC();
      Instant now = clock.instant();
      JwsSigning ts = JwsSigning.of(JwsSigning.generate(alg, "warmup-ts"));
      JwsSigning tts = JwsSigning.of(JwsSigning.generate(alg, "warmup-tts"));
      JwsSigning registry = JwsSigning.of(JwsSigning.generate(alg, "warmup-registry"));
      JwsSigning ep = JwsSigning.of(JwsSigning.generate(alg, "warmup-ep"));
      JwsVerifier uncached = new JwsVerifier(0, Duration.ofSeconds(1));
      TrustSet registryTrust = trust("warmup-registry", REGISTRY, registry);
      List<Manifest> manifests = new ArrayList<>();
      for (String component : List.of(FIRST, SECOND, TARGET)) {
        manifests.add(manifest(component, registry, ep, registryTrust, uncached, now));
      }
      Duration skew = Duration.ofSeconds(30);
      Floor floor =
          new Floor(
              new HopTokenVerifier(
                  trust("warmup-ts", TS, ts), uncached, skew, Duration.ofMinutes(5), clock),
              new OriginVerifier(trust("warmup-tts", TTS, tts), "hopgate.invalid", uncached, skew),
              new ChainVerifier(uncached, TrustSet.DEFAULT_ALGORITHMS, skew),
              new CompletionVerifier(uncached, TrustSet.DEFAULT_ALGORITHMS, skew),
              new LedgerEvidence(uncached, TrustSet.DEFAULT_ALGORITHMS, skew),
              RevocationFeed.NONE,
              Floor.Limits.DEFAULT);
      decisions =
          new DecisionPoint(
              floor,
              new PolicySnapshot(
                  policy,
                  ManifestRegistry.of(manifests),
                  ProcessRegistry.of(List.of()),
                  RouteTable.of(List.of(Route.http(ROUTE, TARGET, STEP)), ROUTE)),
              new OneTimeTokens(new InMemoryStateStore(1_000_000), Duration.ofSeconds(1), skew),
              null,
              DecisionSink.NONE,
              clock,
              null,
              LedgerView.Lookup.NONE);

      String txn = "warmup-txn";
      Instant deadline = now.plusSeconds(600);
      Set<String> authority = Set.of(STEP);
      headers.put(
          WireTypes.TXN_TOKEN,
          tts.sign(
              WireTypes.ORIGIN,
              Minting.origin(
                  TTS,
                  txn,
                  "warmup",
                  "hopgate.invalid",
                  ORIGIN_WL,
                  deadline,
                  null,
                  authority,
                  now,
                  now.plusSeconds(300))));
      String binding =
          Digests.originBinding(
              txn, "warmup", "hopgate.invalid", ORIGIN_WL, deadline.getEpochSecond(), null);
      String t1 =
          ep.sign(
              WireTypes.TRANSITION,
              Minting.transition(
                  "urn:hopgate:warmup:ep",
                  txn,
                  1,
                  binding,
                  FIRST,
                  STEP,
                  authority,
                  now,
                  now.plusSeconds(300),
                  "warmup-1"));
      String t2 =
          ep.sign(
              WireTypes.TRANSITION,
              Minting.transition(
                  "urn:hopgate:warmup:ep",
                  txn,
                  2,
                  Digests.ofJws(t1),
                  SECOND,
                  STEP,
                  authority,
                  now,
                  now.plusSeconds(300),
                  "warmup-2"));
      headers.put(WireTypes.TXN_CHAIN, t1 + "~" + t2);
      headers.put(
          WireTypes.TXN_COMPLETIONS,
          ep.sign(
              WireTypes.COMPLETION,
              Minting.completion(
                  "urn:hopgate:warmup:ep",
                  txn,
                  STEP,
                  FIRST,
                  "warmup-1",
                  now,
                  now.plusSeconds(300))));
      headers.put(
          "authorization",
          "Bearer "
              + ts.sign(
                  HopTokenVerifier.TYPE,
                  Minting.hop(
                      TS,
                      "warmup",
                      TARGET,
                      txn,
                      "warmup-jti",
                      null,
                      false,
                      now,
                      now.plusSeconds(120))));
    }

    HopRequest request(boolean withToken) {
      Map<String, String> h = new HashMap<>(headers);
      if (!withToken) {
        h.remove("authorization");
      }
      return new HopRequest(h, Map.of(Route.EXTENSION, ROUTE), "POST", "/warmup", SECOND);
    }

    CheckRequest checkRequest(boolean withToken) {
      AttributeContext.HttpRequest.Builder http =
          AttributeContext.HttpRequest.newBuilder()
              .setId("warmup")
              .setMethod("POST")
              .setPath("/warmup")
              .setHost("warmup")
              .setScheme("https")
              .setProtocol("HTTP/1.1")
              .putHeaders(":authority", "warmup")
              .putHeaders(":method", "POST")
              .putHeaders(":path", "/warmup")
              .putHeaders("user-agent", "hopgate-warmup")
              .putAllHeaders(request(withToken).headers());
      return CheckRequest.newBuilder()
          .setAttributes(
              AttributeContext.newBuilder()
                  .setSource(AttributeContext.Peer.newBuilder().setPrincipal(SECOND))
                  .setDestination(AttributeContext.Peer.newBuilder().setPrincipal(TARGET))
                  .setRequest(AttributeContext.Request.newBuilder().setHttp(http))
                  .putContextExtensions(Route.EXTENSION, ROUTE))
          .build();
    }
  }

  private static Manifest manifest(
      String component,
      JwsSigning registry,
      JwsSigning ep,
      TrustSet registryTrust,
      JwsVerifier verifier,
      Instant now) {
    JWK key = ep.key().toPublicJWK();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(REGISTRY)
            .issueTime(Date.from(now))
            .claim("component", component)
            .claim("performs", List.of(STEP))
            .claim("delegates", "*")
            .claim(
                "enforcement",
                List.of(
                    Map.of("id", "urn:hopgate:warmup:ep", "keys", new JWKSet(key).toJSONObject())))
            .build();
    try {
      return ManifestRegistry.parse(
          registry.sign(ManifestRegistry.TYPE, claims), "warmup", registryTrust, verifier, now);
    } catch (ManifestRegistry.ManifestException e) {
      throw new IllegalStateException("warm-up manifest: " + e.getMessage(), e);
    }
  }

  private static TrustSet trust(String name, String issuer, JwsSigning signer) {
    return new TrustSet(
        name,
        Set.of(issuer),
        TrustSet.DEFAULT_ALGORITHMS,
        FixedKeySource.of("warmup", List.of(signer.key())));
  }

  private static void overGrpc(Mesh mesh, int rounds) {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(
                new AuthorizationService(
                    () -> mesh.decisions,
                    new DecisionMetadata(
                        DecisionAuthenticator.generated(),
                        Clock.systemUTC(),
                        Duration.ofMinutes(1),
                        Duration.ZERO),
                    (decision, nanos) -> {}))
            .build();
    ManagedChannel channel = null;
    try {
      server.start();
      channel =
          NettyChannelBuilder.forAddress(
                  new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getPort()))
              .usePlaintext()
              .build();
      AuthorizationGrpc.AuthorizationBlockingStub stub =
          AuthorizationGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
      for (int i = 0; i < rounds; i++) {
        stub.check(mesh.checkRequest(true));
        stub.check(mesh.checkRequest(false));
      }
    } catch (IOException | RuntimeException e) {
      // A warm-up that cannot run only costs the first requests some latency.
      System.getLogger(Warmup.class.getName())
          .log(System.Logger.Level.WARNING, "gRPC warm-up skipped: {0}", e.toString());
    } finally {
      if (channel != null) {
        channel.shutdownNow();
      }
      server.shutdownNow();
    }
  }
}
