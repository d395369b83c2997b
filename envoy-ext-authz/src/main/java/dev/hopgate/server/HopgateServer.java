package dev.hopgate.server;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.InMemoryLedger;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.association.RedisLedger;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.decision.Outcome;
import dev.hopgate.server.association.AssociationLink;
import dev.hopgate.server.association.AssociationService;
import dev.hopgate.server.association.LocalAssociation;
import dev.hopgate.server.association.RemoteAssociation;
import dev.hopgate.server.config.HopgateConfig;
import dev.hopgate.server.config.ConfigLoader;
import dev.hopgate.server.grpc.AuthorizationService;
import dev.hopgate.server.grpc.CompletionProcessor;
import dev.hopgate.pdp.state.StateStore;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import dev.hopgate.server.grpc.ClientIdentityInterceptor;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The running hopgate: Envoy's Authorization service, gRPC health and server reflection on one
 * port. Policies and keys load before the port opens, so health is SERVING as soon as anyone can
 * ask, and NOT_SERVING from the moment shutdown begins.
 */
public final class HopgateServer {
  private static final System.Logger LOG = System.getLogger(HopgateServer.class.getName());

  /** Measured on 2 cores: 300 rounds (about 2 s) bring the first Check through Envoy to ~20 ms. */

  private final Server server;
  private final HealthStatusManager health;
  private final AtomicReference<DecisionPoint> decisionPoint;
  private final List<AutoCloseable> resources;
  private final Duration shutdownGrace;

  private HopgateServer(Server server, HealthStatusManager health, AtomicReference<DecisionPoint> decisionPoint,
      List<AutoCloseable> resources, Duration shutdownGrace) {
    this.server = server;
    this.health = health;
    this.decisionPoint = decisionPoint;
    this.resources = List.copyOf(resources);
    this.shutdownGrace = shutdownGrace;
  }

  /**
   * Loads keys and policies, then opens the port.
   *
   * @throws StartupException naming what cannot load or the address that cannot be bound
   */
  public static HopgateServer start(ConfigLoader.Loaded loaded, Clock clock) throws StartupException {
    requireNonNull(loaded, "loaded");
    StateStore store = DecisionPoints.stateStore(loaded.config().state());
    List<AutoCloseable> resources = new ArrayList<>();
    resources.add(store);
    // Every hopgate serves an association over its own ledger; it uses its own, or another's.
    HopgateConfig.Association associationConfig = loaded.config().association();
    HopgateConfig.State state = loaded.config().state();
    Ledger ledger = associationConfig.store().equals("redis")
        ? new RedisLedger(java.net.URI.create(state.redis()), state.timeout(), state.keyPrefix(), 256,
            Duration.ofHours(2))
        : new InMemoryLedger(100_000, 256, Duration.ofHours(2));
    AssociationLink association = associationConfig.target() != null
        ? new RemoteAssociation(associationConfig.target(), associationConfig.lookupTimeout(),
            associationConfig.recordTimeout(), associationTls(loaded, associationConfig.tls()))
        : associationConfig.store().equals("redis")
            ? new LocalAssociation(ledger, "shared ledger in Redis " + state.redis().replaceAll("//[^@/]*@", "//"), true)
            : new LocalAssociation(ledger);
    resources.add(association);
    String enforcementPoint = loaded.config().enforcement().id();
    AtomicReference<DecisionPoint> decisionPoint;
    Reloader reloader;
    DecisionPoints.Built built;
    try {
      built = DecisionPoints.build(loaded, store, resources, clock);
      decisionPoint = new AtomicReference<>(built.decisionPoint().withLedger(association));
      reloader = new Reloader(decisionPoint, built.snapshots(), watched(loaded));
      resources.add(reloader);
    } catch (StartupException | RuntimeException e) {
      closeAll(resources);
      throw e;
    } catch (IOException e) {
      closeAll(resources);
      throw new StartupException("cannot watch the policy files: " + e.getMessage(), e);
    }
    onSighup(reloader);
    Duration warmup = Warmup.run(decisionPoint.get().snapshot().policy(), loaded.config().warmupRounds());
    LOG.log(System.Logger.Level.INFO, "warmed the decision path in {0} ms", warmup.toMillis());
    if (association instanceof RemoteAssociation remote && !remote.connect(Duration.ofSeconds(2))) {
      LOG.log(System.Logger.Level.WARNING, "association {0} did not answer within 2 s: decisions go on without "
          + "its ledger (counted in hopgate_association_failures_total) until it does", associationConfig.target());
    }
    HealthStatusManager health = new HealthStatusManager();
    InetSocketAddress unresolved = loaded.config().listenAddress();
    InetSocketAddress address = new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
    NettyServerBuilder builder = NettyServerBuilder.forAddress(address);
    HopgateConfig.Tls tls = loaded.config().tls();
    List<ServerInterceptor> interceptors = new ArrayList<>();
    if (tls != null) {
      try {
        builder.sslContext(GrpcSslContexts.forServer(loaded.path(tls.cert()).toFile(), loaded.path(tls.key()).toFile())
            .trustManager(loaded.path(tls.clientCa()).toFile())
            .clientAuth(ClientAuth.REQUIRE)
            .build());
      } catch (IOException | IllegalArgumentException e) {
        closeAll(resources);
        throw new StartupException("tls: " + e.getMessage(), e);
      }
      if (!tls.allowedClients().isEmpty()) {
        interceptors.add(new ClientIdentityInterceptor(tls.allowedClients()));
      }
    } else {
      LOG.log(System.Logger.Level.WARNING, "serving plaintext gRPC: any process that reaches {0} can ask; "
          + "configure tls for production", loaded.config().listen());
    }
    Metrics metrics = new Metrics();
    CompletionProcessor completions = new CompletionProcessor(() -> decisionPoint.get().signer(), clock,
        (txn, component, step, decision, record, at) -> association.complete(new BoundarySignal(
            BoundarySignal.Kind.COMPLETE, txn, decision, component, step, enforcementPoint,
            at, record)));
    metrics.watch(decisionPoint::get, built.verifier(), built.log(), completions, association);
    if (loaded.config().metrics() != null) {
      InetSocketAddress at = loaded.config().metrics().address();
      try {
        metrics.serve(new InetSocketAddress(at.getHostString(), at.getPort()));
      } catch (IOException e) {
        closeAll(resources);
        throw new StartupException("metrics.listen: cannot bind " + loaded.config().metrics().listen() + " ("
            + e.getMessage() + ")", e);
      }
      resources.add(metrics);
      LOG.log(System.Logger.Level.INFO, "metrics at http://{0}:{1,number,#}/metrics", at.getHostString(),
          metrics.port());
    }
    Server server = builder
        .addService(ServerInterceptors.intercept(new AuthorizationService(decisionPoint::get,
            (decision, nanos) -> {
              metrics.record(decision, nanos, decisionPoint.get().snapshot().policy().engine());
              started(association, enforcementPoint, decision, clock);
            }),
            interceptors))
        .addService(ServerInterceptors.intercept(new AssociationService(ledger), interceptors))
        .addService(ServerInterceptors.intercept(completions, interceptors))
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .build();
    try {
      server.start();
    } catch (IOException e) {
      closeAll(resources);
      throw new StartupException("listen: cannot bind " + loaded.config().listen() + " (" + e.getMessage() + ")", e);
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(AuthorizationGrpc.SERVICE_NAME, ServingStatus.SERVING);
    DecisionPoint dp = decisionPoint.get();
    LOG.log(System.Logger.Level.INFO, "hopgate serving Check on {0}:{1,number,#} (engine {2}, policy revision {3}, "
        + "revision {4})", address.getHostString(), server.getPort(), dp.snapshot().policy().engine(),
        dp.snapshot().policy().revision(), dp.snapshot().revision());
    LOG.log(System.Logger.Level.INFO, "state store: {0}", store.describe());
    LOG.log(System.Logger.Level.INFO, "association: {0}", association.describe());
    return new HopgateServer(server, health, decisionPoint, resources, loaded.config().shutdownGrace());
  }

  /** The bound port (useful when the configuration asked for port 0). */
  public int port() {
    return server.getPort();
  }

  public DecisionPoint decisionPoint() {
    return decisionPoint.get();
  }

  /**
   * Stops taking new calls, lets in-flight checks finish within the shutdown grace, then closes.
   */
  public void stop() {
    LOG.log(System.Logger.Level.INFO, "hopgate stopping: health NOT_SERVING, draining in-flight checks "
        + "(grace {0} ms)", shutdownGrace.toMillis());
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "checks still running after {0} ms; closing them",
            shutdownGrace.toMillis());
        server.shutdownNow();
        server.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    closeAll(resources);
    LOG.log(System.Logger.Level.INFO, "hopgate stopped");
  }

  /** The directories whose changes trigger a reload. */
  private static List<java.nio.file.Path> watched(ConfigLoader.Loaded loaded) {
    HopgateConfig c = loaded.config();
    List<java.nio.file.Path> dirs = new ArrayList<>();
    if (c.policies().cedar() != null) {
      dirs.add(loaded.path(c.policies().cedar()));
    }
    if (c.policies().rego() != null) {
      dirs.add(loaded.path(c.policies().rego()));
    }
    if (c.policies().wasm() != null) {
      dirs.add(loaded.path(c.policies().wasm()).getParent());
    }
    dirs.add(loaded.path(c.processes()));
    dirs.add(loaded.path(c.manifests()));
    return dirs;
  }

  /** SIGHUP reloads, as operators expect of a daemon. */
  @SuppressWarnings("restriction")
  private static void onSighup(Reloader reloader) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reloader.reload("SIGHUP"));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.log(System.Logger.Level.WARNING, "SIGHUP cannot be handled here ({0}); file changes still reload", e);
    }
  }

  private static void closeAll(List<AutoCloseable> resources) {
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    java.util.Collections.reverse(reversed);
    for (AutoCloseable resource : reversed) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "closing {0}: {1}", resource, e.toString());
      }
    }
  }

  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** START for an ALLOW that names a step (session methods and denials start nothing). */
  private static void started(AssociationLink association, String enforcementPoint, Decision decision, Clock clock) {
    String step = decision.metadata().get("step");
    if (decision.outcome() != Outcome.ALLOW || step == null || decision.txn() == null) {
      return;
    }
    association.start(new BoundarySignal(BoundarySignal.Kind.START, decision.txn(), decision.id(),
        decision.metadata().getOrDefault("component", "-"), step, enforcementPoint, clock.instant(), null));
  }

  private static io.grpc.netty.shaded.io.netty.handler.ssl.@Nullable SslContext associationTls(
      ConfigLoader.Loaded loaded, HopgateConfig.@Nullable ClientTls tls) throws StartupException {
    if (tls == null) {
      return null;
    }
    try {
      return GrpcSslContexts.forClient().keyManager(loaded.path(tls.cert()).toFile(), loaded.path(tls.key()).toFile())
          .trustManager(loaded.path(tls.ca()).toFile()).build();
    } catch (IOException | IllegalArgumentException e) {
      throw new StartupException("association.tls: " + e.getMessage(), e);
    }
  }
}
