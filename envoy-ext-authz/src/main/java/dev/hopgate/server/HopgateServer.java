package dev.hopgate.server;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.InMemoryLedger;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.association.RedisLedger;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.state.StateStore;
import dev.hopgate.server.association.AssociationLink;
import dev.hopgate.server.association.AssociationService;
import dev.hopgate.server.association.AssociationStarts;
import dev.hopgate.server.association.LocalAssociation;
import dev.hopgate.server.association.RemoteAssociation;
import dev.hopgate.server.config.Callers;
import dev.hopgate.server.config.Choice;
import dev.hopgate.server.config.ConfigLoader;
import dev.hopgate.server.config.HopgateConfig;
import dev.hopgate.server.config.Listen;
import dev.hopgate.server.grpc.AuthorizationService;
import dev.hopgate.server.grpc.CallerAdmission;
import dev.hopgate.server.grpc.CheckWorkers;
import dev.hopgate.server.grpc.CompletionProcessor;
import dev.hopgate.server.grpc.DecisionAuthenticator;
import dev.hopgate.server.grpc.DecisionListener;
import dev.hopgate.server.grpc.DecisionMetadata;
import dev.hopgate.server.telemetry.TelemetryExport;
import dev.hopgate.server.telemetry.TraceParents;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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

  private HopgateServer(
      Server server,
      HealthStatusManager health,
      AtomicReference<DecisionPoint> decisionPoint,
      List<AutoCloseable> resources,
      Duration shutdownGrace) {
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
  public static HopgateServer start(ConfigLoader.Loaded loaded, Clock clock)
      throws StartupException {
    requireNonNull(loaded, "loaded");
    StateStore store = DecisionPoints.stateStore(loaded);
    List<AutoCloseable> resources = new ArrayList<>();
    resources.add(store);
    // Every hopgate serves an association over its own ledger; it uses its own, or another's.
    HopgateConfig.Association associationConfig = loaded.config().association();
    Ledger ledger = ledger(loaded);
    AssociationLink association;
    try {
      association = associationLink(loaded, ledger);
    } catch (StartupException e) {
      closeAll(resources);
      throw e;
    }
    resources.add(association);
    String enforcementPoint = loaded.config().enforcement().id();
    TelemetryExport telemetry;
    try {
      telemetry = TelemetryExport.start(loaded, enforcementPoint);
    } catch (StartupException e) {
      closeAll(resources);
      throw e;
    }
    AtomicReference<DecisionPoint> decisionPoint;
    Reloader reloader;
    DecisionPoints.Built built;
    try {
      built = DecisionPoints.build(loaded, store, association, resources, clock, telemetry.tap());
      // Closed after the decision log (first in the list, closed last): its closing checkpoint
      // is shipped too.
      resources.add(0, telemetry);
      decisionPoint = new AtomicReference<>(telemetry.spans().traced(built.decisionPoint()));
      reloader = new Reloader(decisionPoint, built.snapshots(), watched(loaded));
      resources.add(reloader);
    } catch (StartupException | RuntimeException e) {
      closeAll(resources);
      closeQuietly(telemetry);
      throw e;
    } catch (IOException e) {
      closeAll(resources);
      closeQuietly(telemetry);
      throw new StartupException("cannot watch the policy files: " + e.getMessage(), e);
    }
    onSighup(reloader);
    Duration warmup =
        Warmup.run(decisionPoint.get().snapshot().policy(), loaded.config().warmupRounds());
    LOG.log(System.Logger.Level.INFO, "warmed the decision path in {0} ms", warmup.toMillis());
    if (association instanceof RemoteAssociation remote && !remote.connect(Duration.ofSeconds(2))) {
      LOG.log(
          System.Logger.Level.WARNING,
          "association {0} did not answer within 2 s: decisions go on without "
              + "its ledger (counted in hopgate_association_failures_total) until it does",
          associationConfig.target());
    }
    HopgateConfig config = loaded.config();
    Callers callers = config.callers();
    Listen at = config.listenAt();
    if (at instanceof Listen.Tcp && config.tls() == null) {
      LOG.log(
          System.Logger.Level.WARNING,
          "serving plaintext gRPC on loopback {0}, for a developer machine only: "
              + "every process on this host can ask (and in a Kubernetes pod every container, which share loopback); "
              + "set tls, or listen on unix:/path",
          config.listen());
    }
    DecisionMetadata sealer;
    try {
      sealer =
          new DecisionMetadata(
              completionKeys(loaded), clock, config.completion().maxAge(), config.clockSkew());
    } catch (StartupException e) {
      closeAll(resources);
      throw e;
    }
    if (config.completion().keys() != null && store instanceof InMemoryStateStore) {
      LOG.log(
          System.Logger.Level.WARNING,
          "completion.keys is set (replicas share it) but state.store is memory: "
              + "one ALLOW could mint one completion record at each replica that Envoy's ext_proc reaches; set "
              + "state.store: redis");
    }
    HealthStatusManager health = new HealthStatusManager();
    AtomicLong refusedCallers = new AtomicLong();
    Metrics metrics = new Metrics();
    CompletionProcessor completions =
        new CompletionProcessor(
            () -> decisionPoint.get().signer(),
            sealer,
            store,
            clock,
            (txn, component, step, decision, record, at2) ->
                association.complete(
                    BoundarySignal.complete(
                        txn, decision, component, step, enforcementPoint, at2, record)),
            telemetry.spans());
    AssociationService associationService =
        new AssociationService(
            ledger,
            () -> decisionPoint.get().snapshot().manifests(),
            built.ledgerEvidence(),
            clock);
    metrics.watch(
        decisionPoint::get,
        built.verifier(),
        built.log(),
        completions,
        association,
        associationService,
        refusedCallers);
    if (telemetry.evidence() != null) {
      metrics.watchEvidence(telemetry.evidence());
    }
    if (config.metrics() != null) {
      InetSocketAddress metricsAt = config.metrics().address();
      try {
        metrics.serve(
            new InetSocketAddress(metricsAt.getHostString(), metricsAt.getPort()),
            config.metrics().loopback()
                ? null
                : Listeners.jdkServerTls(requireNonNull(config.tls()), loaded),
            callers.scrapers());
      } catch (IOException | StartupException e) {
        closeAll(resources);
        throw new StartupException(
            "metrics.listen: cannot serve "
                + config.metrics().listen()
                + " ("
                + e.getMessage()
                + ")",
            e);
      }
      resources.add(metrics);
      LOG.log(
          System.Logger.Level.INFO,
          "metrics at {0}://{1}:{2,number,#}/metrics",
          config.metrics().loopback() ? "http" : "https (mTLS)",
          metricsAt.getHostString(),
          metrics.port());
    }
    HopgateConfig.Checks checks = config.checks();
    CheckWorkers workers =
        CheckWorkers.of(checks.threads(), checks.queue(), checks.deadlineMargin());
    resources.add(workers::close);
    metrics.watchChecks(decisionPoint::get, workers);
    // gRPC's own executor is unbounded by default. A Check only hands itself to a worker there;
    // ext_proc, the association and health run on it: a fixed number of threads.
    ExecutorService grpcThreads = fixedThreads(checks.threads(), "hopgate-grpc-");
    resources.add(grpcThreads::shutdown);
    Listeners.Opened main;
    Listeners.Opened associationListener = null;
    try {
      main = Listeners.open(at, config.tls(), config.socketMode(), loaded, "listen");
      if (config.association().listen() != null) {
        associationListener =
            Listeners.open(
                Listen.of("association.listen", config.association().listen()),
                config.tls(),
                config.socketMode(),
                loaded,
                "association.listen");
      }
    } catch (StartupException e) {
      closeAll(resources);
      throw e;
    }
    NettyServerBuilder builder =
        main.builder()
            .executor(grpcThreads)
            .addService(
                ServerInterceptors.intercept(
                    new AuthorizationService(
                        decisionPoint::get,
                        sealer,
                        DecisionListener.all(
                            List.of(
                                metrics.listener(
                                    () -> decisionPoint.get().snapshot().policy().engine()),
                                new AssociationStarts(association, enforcementPoint, clock))),
                        workers,
                        telemetry.spans()),
                    // The last runs first: a caller is admitted before its trace context is read.
                    traceParents(telemetry),
                    admission(
                        AuthorizationGrpc.SERVICE_NAME,
                        CallerAdmission.Rule.ENVOYS,
                        callers,
                        refusedCallers)))
            .addService(
                ServerInterceptors.intercept(
                    completions,
                    traceParents(telemetry),
                    admission(
                        "envoy.service.ext_proc.v3.ExternalProcessor",
                        CallerAdmission.Rule.ENVOYS,
                        callers,
                        refusedCallers)))
            .addService(health.getHealthService())
            .addService(
                ServerInterceptors.intercept(
                    ProtoReflectionServiceV1.newInstance(),
                    admission(
                        "grpc.reflection", CallerAdmission.Rule.NAMED, callers, refusedCallers)));
    ServerInterceptor associationAdmission =
        admission(
            "hopgate.association.v1.Association",
            CallerAdmission.Rule.HOPGATES,
            callers,
            refusedCallers);
    if (associationListener == null && at instanceof Listen.Tcp) {
      builder.addService(ServerInterceptors.intercept(associationService, associationAdmission));
    }
    Server server = builder.build();
    @Nullable Served associationServed =
        associationListener == null
            ? null
            : new Served(
                associationListener
                    .builder()
                    .addService(
                        ServerInterceptors.intercept(associationService, associationAdmission))
                    .addService(health.getHealthService())
                    .build(),
                associationListener);
    try {
      server.start();
      main.started();
      if (associationServed != null) {
        associationServed.start();
      }
    } catch (IOException | StartupException e) {
      server.shutdownNow();
      main.stopped();
      if (associationServed != null) {
        associationServed.stop();
      }
      closeAll(resources);
      throw new StartupException(
          (e instanceof StartupException ? "" : "listen: cannot bind " + config.listen() + " (")
              + e.getMessage()
              + (e instanceof StartupException ? "" : ")"),
          e);
    }
    Listeners.Opened opened = main;
    resources.add(opened::stopped);
    if (associationServed != null) {
      resources.add(associationServed::stop);
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(AuthorizationGrpc.SERVICE_NAME, ServingStatus.SERVING);
    DecisionPoint dp = decisionPoint.get();
    LOG.log(
        System.Logger.Level.INFO,
        "hopgate serving Check on {0} ({1}; engine {2}, policy revision {3}, " + "revision {4})",
        where(at, server),
        at instanceof Listen.Unix
            ? "Envoys by UID, socket mode " + config.socketMode()
            : config.tls() != null
                ? "mTLS, " + callers.envoys().size() + " Envoys named"
                : "plaintext",
        dp.snapshot().policy().engine(),
        dp.snapshot().policy().revision(),
        dp.snapshot().revision());
    if (associationServed != null) {
      LOG.log(
          System.Logger.Level.INFO,
          "association served on {0} (mTLS, {1} hopgates named)",
          String.valueOf(config.association().listen()).replaceAll(":\\d+$", "")
              + ":"
              + associationServed.server().getPort(),
          callers.hopgates().size());
    }
    LOG.log(System.Logger.Level.INFO, "state store: {0}", store.describe());
    LOG.log(System.Logger.Level.INFO, "association: {0}", association.describe());
    LOG.log(
        System.Logger.Level.INFO,
        "completion: {0}, max_age {1} s",
        config.completion().keys() == null
            ? "a key generated at start (one hopgate; replicas share completion.keys)"
            : "keys from " + config.completion().keys(),
        config.completion().maxAge().toSeconds());
    return new HopgateServer(server, health, decisionPoint, resources, config.shutdownGrace());
  }

  /** A gRPC server and the listener it was built on, started and stopped together. */
  private record Served(Server server, Listeners.Opened listener) {
    void start() throws IOException, StartupException {
      server.start();
      listener.started();
    }

    void stop() {
      server.shutdownNow();
      listener.stopped();
    }
  }

  private static ServerInterceptor admission(
      String service, CallerAdmission.Rule rule, Callers callers, AtomicLong refused) {
    return new CallerAdmission(service, rule, callers, refused);
  }

  private static String where(Listen at, Server server) {
    if (at instanceof Listen.Unix unix) {
      return "unix:" + unix.path();
    }
    return ((Listen.Tcp) at).address().getHostString() + ":" + server.getPort();
  }

  /** The completion ledger this hopgate's association serves: in memory, or shared in Redis. */
  private static Ledger ledger(ConfigLoader.Loaded loaded) {
    HopgateConfig config = loaded.config();
    HopgateConfig.State state = config.state();
    return config.association().store() == Choice.Store.REDIS
        ? new RedisLedger(
            DecisionPoints.redis(loaded),
            state.timeout(),
            state.keyPrefix(),
            256,
            Duration.ofHours(2))
        // 64 Mi characters (128 MiB) in all: ~60,000 txns of typical size, or 64 at their 1 Mi
        // bound.
        : new InMemoryLedger(64L << 20, 256, Duration.ofHours(2));
  }

  /** The association this hopgate's decisions use: its own ledger, or another hopgate's. */
  private static AssociationLink associationLink(ConfigLoader.Loaded loaded, Ledger ledger)
      throws StartupException {
    HopgateConfig.Association associationConfig = loaded.config().association();
    HopgateConfig.State state = loaded.config().state();
    return associationConfig.target() != null
        ? new RemoteAssociation(
            associationConfig.target(),
            associationConfig.lookupTimeout(),
            associationConfig.recordTimeout(),
            associationTls(loaded, associationConfig.tls()))
        : associationConfig.store() == Choice.Store.REDIS
            ? new LocalAssociation(
                ledger, "shared ledger in Redis " + DecisionPoints.redis(loaded).describe(), true)
            : new LocalAssociation(ledger);
  }

  /** The shared secret of this enforcement point's decisions, or one generated now. */
  private static DecisionAuthenticator completionKeys(ConfigLoader.Loaded loaded)
      throws StartupException {
    String keys = loaded.config().completion().keys();
    if (keys == null) {
      return DecisionAuthenticator.generated();
    }
    Path file = loaded.path(keys);
    try {
      return DecisionAuthenticator.load(file);
    } catch (IOException | IllegalArgumentException e) {
      throw new StartupException("completion.keys: " + e.getMessage(), e);
    }
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
    LOG.log(
        System.Logger.Level.INFO,
        "hopgate stopping: health NOT_SERVING, draining in-flight checks " + "(grace {0} ms)",
        shutdownGrace.toMillis());
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(shutdownGrace.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(
            System.Logger.Level.WARNING,
            "checks still running after {0} ms; closing them",
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
  private static List<Path> watched(ConfigLoader.Loaded loaded) {
    HopgateConfig c = loaded.config();
    List<Path> dirs = new ArrayList<>();
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
    dirs.add(loaded.path(c.routes()));
    return dirs;
  }

  /** SIGHUP reloads, as operators expect of a daemon. */
  @SuppressWarnings("restriction")
  private static void onSighup(Reloader reloader) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reloader.reload("SIGHUP"));
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "SIGHUP cannot be handled here ({0}); file changes still reload",
          e);
    }
  }

  private static ExecutorService fixedThreads(int threads, String prefix) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, prefix + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** Reads the trace context of a call when traces are exported; passes it by otherwise. */
  private static ServerInterceptor traceParents(TelemetryExport telemetry) {
    return telemetry.tracing()
        ? new TraceParents()
        : new ServerInterceptor() {
          @Override
          public <Q, R> io.grpc.ServerCall.Listener<Q> interceptCall(
              io.grpc.ServerCall<Q, R> call,
              io.grpc.Metadata headers,
              io.grpc.ServerCallHandler<Q, R> next) {
            return next.startCall(call, headers);
          }
        };
  }

  /**
   * Closes what a failed start had not yet listed among its resources (once: a second is a no-op).
   */
  private static void closeQuietly(TelemetryExport telemetry) {
    try {
      telemetry.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeAll(List<AutoCloseable> resources) {
    List<AutoCloseable> reversed = new ArrayList<>(resources);
    Collections.reverse(reversed);
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

  private static io.grpc.netty.shaded.io.netty.handler.ssl.@Nullable SslContext associationTls(
      ConfigLoader.Loaded loaded, HopgateConfig.@Nullable ClientTls tls) throws StartupException {
    if (tls == null) {
      return null;
    }
    try {
      return GrpcSslContexts.forClient()
          .keyManager(loaded.path(tls.cert()).toFile(), loaded.path(tls.key()).toFile())
          .trustManager(loaded.path(tls.ca()).toFile())
          .build();
    } catch (IOException | IllegalArgumentException e) {
      throw new StartupException("association.tls: " + e.getMessage(), e);
    }
  }
}
