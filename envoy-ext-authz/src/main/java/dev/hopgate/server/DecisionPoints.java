package dev.hopgate.server;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.engine.PolicyEngine;
import dev.hopgate.pdp.engine.PolicyLoadException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.ShadowPolicy;
import dev.hopgate.pdp.engine.rego.OpaServerEngine;
import dev.hopgate.pdp.engine.rego.RegoTypeCheck;
import dev.hopgate.pdp.evidence.Checkpoints;
import dev.hopgate.pdp.evidence.DecisionLog;
import dev.hopgate.pdp.evidence.DecisionLogSink;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.floor.ChainVerifier;
import dev.hopgate.pdp.floor.CompletionVerifier;
import dev.hopgate.pdp.floor.EnforcementPointSigner;
import dev.hopgate.pdp.floor.Floor;
import dev.hopgate.pdp.floor.LedgerEvidence;
import dev.hopgate.pdp.floor.LedgerView;
import dev.hopgate.pdp.floor.OriginVerifier;
import dev.hopgate.pdp.floor.RefreshingRevocationFeed;
import dev.hopgate.pdp.floor.RevocationFeed;
import dev.hopgate.pdp.floor.SignedRevocationFile;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessDefinitionException;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.process.ProcessStep;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.route.RouteFiles;
import dev.hopgate.pdp.route.RouteTable;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.InMemoryStateStore;
import dev.hopgate.pdp.state.OneTimeTokens;
import dev.hopgate.pdp.state.RedisEndpoint;
import dev.hopgate.pdp.state.RedisRevocationSets;
import dev.hopgate.pdp.state.RedisStateStore;
import dev.hopgate.pdp.state.SharedStateRequirement;
import dev.hopgate.pdp.state.StateStore;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwksFileKeySource;
import dev.hopgate.pdp.token.JwksUrlKeySource;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeySource;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.server.config.Choice;
import dev.hopgate.server.config.ConfigLoader;
import dev.hopgate.server.config.HopgateConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/** Builds a decision point from a configuration: trust sets, the floor, the policy snapshot. */
final class DecisionPoints {
  private static final System.Logger LOG = System.getLogger(DecisionPoints.class.getName());

  /** A JWKS fetch must finish well inside a check's budget when an unknown kid triggers it. */
  private static final Duration JWKS_TIMEOUT = Duration.ofSeconds(2);

  private DecisionPoints() {}

  /** The state store the configuration names; it outlives every snapshot (reloads keep it). */
  static StateStore stateStore(ConfigLoader.Loaded loaded) {
    HopgateConfig.State state = loaded.config().state();
    if (state.store() == Choice.Store.REDIS) {
      return new RedisStateStore(redis(loaded), state.timeout(), state.keyPrefix(), state.pool());
    }
    return new InMemoryStateStore(state.maxKeys());
  }

  /** The Redis server of {@code state.redis}, its TLS trust from {@code state.redis_ca}. */
  static RedisEndpoint redis(ConfigLoader.Loaded loaded) {
    HopgateConfig.State state = loaded.config().state();
    SSLContext trust =
        state.redisCa() == null
            ? null
            : TrustedCas.sslContext("state.redis_ca", loaded.path(state.redisCa()));
    return RedisEndpoint.parse(requireNonNull(state.redis(), "state.redis"), trust);
  }

  /** What loads again on a reload: the snapshot, from the same configuration and trust. */
  interface Snapshots {
    PolicySnapshot load() throws StartupException;
  }

  /** A built decision point, how to reload its snapshot, and the parts metrics read. */
  record Built(
      DecisionPoint decisionPoint,
      Snapshots snapshots,
      JwsVerifier verifier,
      DecisionLog log,
      LedgerEvidence ledgerEvidence) {}

  /**
   * @param ledger the association's completion ledger, consulted for steps with prerequisites
   * @param resources collects what must be closed at shutdown (key and revocation refreshers)
   */
  static Built build(
      ConfigLoader.Loaded loaded,
      StateStore store,
      LedgerView.Lookup ledger,
      List<AutoCloseable> resources,
      Clock clock,
      DecisionLog.Tap shipped)
      throws StartupException {
    HopgateConfig config = loaded.config();
    HopgateConfig.Trust trust = config.trust();
    JwsVerifier jws = JwsVerifier.withDefaultCache();
    TrustSet tokens =
        trustSet(
            "token-service",
            trust.tokenService().asTrustSet(),
            "trust.token_service",
            loaded,
            resources,
            clock);
    TrustSet txnTokens =
        trustSet(
            "txn-token-service",
            trust.txnTokenService(),
            "trust.txn_token_service",
            loaded,
            resources,
            clock);
    TrustSet registry =
        trustSet(
            "manifest-registry",
            trust.manifestRegistry(),
            "trust.manifest_registry",
            loaded,
            resources,
            clock);

    LedgerEvidence ledgerEvidence =
        new LedgerEvidence(jws, TrustSet.DEFAULT_ALGORITHMS, config.clockSkew());
    Floor floor =
        new Floor(
            new HopTokenVerifier(
                tokens, jws, config.clockSkew(), trust.tokenService().maxTokenLifetime(), clock),
            new OriginVerifier(
                txnTokens,
                config.trustDomain(),
                jws,
                config.clockSkew(),
                trust.txnTokenService().standardTokens()),
            new ChainVerifier(jws, TrustSet.DEFAULT_ALGORITHMS, config.clockSkew()),
            new CompletionVerifier(jws, TrustSet.DEFAULT_ALGORITHMS, config.clockSkew()),
            ledgerEvidence,
            revocations(loaded, txnTokens, jws, resources, clock),
            new Floor.Limits(config.chain().maxElements(), config.chain().maxBytes()));
    OneTimeTokens oneTimeTokens =
        new OneTimeTokens(store, config.state().retryWindow(), config.clockSkew());
    Snapshots snapshots = () -> snapshot(loaded, registry, jws, resources, clock);
    PolicySnapshot first = snapshots.load();
    DecisionLog log;
    Path logFile = loaded.path(config.decisionLog().path());
    try {
      log =
          DecisionLog.open(
              logFile,
              config.decisionLog().queue(),
              clock,
              new Checkpoints(
                  config.enforcement().id(),
                  enforcementKey(loaded),
                  config.decisionLog().checkpointEvery()),
              DecisionLog.Fsync.valueOf(
                  config.decisionLog().fsync().toUpperCase(java.util.Locale.ROOT)),
              shipped);
    } catch (IOException e) {
      throw new StartupException("decision_log.path: " + logFile + ": " + e.getMessage(), e);
    }
    resources.add(0, log); // closed last: in-flight decisions are still written
    LOG.log(
        System.Logger.Level.INFO,
        "decision log: {0} ({1})",
        logFile,
        config.decisionLog().trace().wireName());
    DecisionSink evidence =
        new DecisionLogSink(
            log,
            config.decisionLog().trace() == Choice.Trace.FULL
                ? DecisionLogSink.Trace.FULL
                : DecisionLogSink.Trace.MINIMAL,
            config.decisionLog().whenFull() == Choice.WhenFull.DENY,
            first.policy().engine());
    return new Built(
        new DecisionPoint(
            floor,
            first,
            oneTimeTokens,
            signer(loaded),
            evidence,
            clock,
            trust.tokenService().endpoint(),
            ledger),
        snapshots,
        jws,
        log,
        ledgerEvidence);
  }

  /** This hopgate's enforcement-point signer, from its private key file. */
  static EnforcementPointSigner signer(ConfigLoader.Loaded loaded) throws StartupException {
    HopgateConfig.Enforcement e = loaded.config().enforcement();
    return new EnforcementPointSigner(e.id(), enforcementKey(loaded), e.transitionTtl());
  }

  /** The enforcement point's private key (transitions, completion records, log checkpoints). */
  static JwsSigning enforcementKey(ConfigLoader.Loaded loaded) throws StartupException {
    Path key = loaded.path(loaded.config().enforcement().key());
    try {
      return JwsSigning.of(JWK.parse(Files.readString(key)));
    } catch (IOException | ParseException | IllegalArgumentException ex) {
      throw new StartupException("enforcement.key: " + key + ": " + ex.getMessage(), ex);
    }
  }

  static PolicySnapshot snapshot(
      ConfigLoader.Loaded loaded,
      TrustSet registry,
      JwsVerifier jws,
      List<AutoCloseable> resources,
      Clock clock)
      throws StartupException {
    HopgateConfig config = loaded.config();
    PreparedPolicy policy;
    if (config.engine() == Choice.Engine.SHADOW) {
      ShadowPolicy shadow =
          new ShadowPolicy(
              prepare(config.shadow().primary(), loaded),
              prepare(config.shadow().secondary(), loaded));
      resources.add(shadow);
      policy = shadow;
    } else {
      policy = prepare(config.engine(), loaded);
    }
    Path processDir = loaded.path(config.processes());
    ProcessRegistry processes;
    try {
      processes = ProcessRegistry.load(processDir);
    } catch (IOException e) {
      throw new StartupException(
          "processes: cannot read " + processDir + " (" + e.getMessage() + ")", e);
    } catch (ProcessDefinitionException e) {
      throw new StartupException("processes: " + String.join("\n  ", e.problems()), e);
    }
    Path manifestDir = loaded.path(config.manifests());
    ManifestRegistry manifests;
    try {
      manifests = ManifestRegistry.load(manifestDir, registry, jws, clock);
    } catch (IOException e) {
      throw new StartupException(
          "manifests: cannot read " + manifestDir + " (" + e.getMessage() + ")", e);
    }
    // A bad manifest is not loaded and is named; the rest serve (its component is then unknown).
    manifests.problems().forEach(p -> LOG.log(System.Logger.Level.WARNING, "not loaded: {0}", p));
    // A step bound to a component no loaded manifest lets perform it is denied everywhere: a
    // misspelt component (a trailing slash, a capital) is named here rather than found by callers.
    for (ProcessDefinition process : processes.all()) {
      for (ProcessStep step : process.steps().values()) {
        String bound = step.component();
        if (bound != null
            && manifests.get(bound).map(m -> !m.performs().contains(step.id())).orElse(true)) {
          LOG.log(
              System.Logger.Level.WARNING,
              "process {0} binds step {1} to {2}, whose manifest (if loaded) does not perform it:"
                  + " the step is denied at every component",
              process.iri(),
              step.id(),
              bound);
        }
      }
    }
    Path routeDir = loaded.path(config.routes());
    RouteTable routes;
    try {
      routes = RouteFiles.load(routeDir);
    } catch (IOException e) {
      throw new StartupException(
          "routes: cannot read " + routeDir + " (" + e.getMessage() + ")", e);
    } catch (RouteFiles.RouteTableException e) {
      throw new StartupException("routes: " + String.join("\n  ", e.problems()), e);
    }
    // A route of a component with no loaded manifest denies every request (capability): named
    // here, like a misspelt bound component, rather than found by callers.
    for (Route route : routes.all()) {
      if (manifests.get(route.component()).isEmpty()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "route {0} fronts {1}, which has no loaded manifest: its requests are denied",
            route.name(),
            route.component());
      }
    }
    if (routes.all().isEmpty()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "routes: {0} holds no route: every request is denied (route_unknown, route_unmatched)",
          routeDir);
    }
    for (String overlap : routes.overlaps()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "routes {0} take the same requests: only a route name in context_extensions tells them"
              + " apart (matched by the table alone, such a request is denied as ambiguous)",
          overlap);
    }
    List<String> unshared =
        SharedStateRequirement.problems(
            processes, manifests, config.state().store() == Choice.Store.REDIS);
    if (!unshared.isEmpty()) {
      throw new StartupException("processes: " + String.join("\n  ", unshared));
    }
    LOG.log(
        System.Logger.Level.INFO,
        "loaded {0} manifests, {1} processes, {2} routes, policy revision {3}",
        manifests.all().size(),
        processes.all().size(),
        routes.all().size(),
        policy.revision());
    return new PolicySnapshot(policy, manifests, processes, routes);
  }

  /** Loads, compiles and validates the policies of one engine. */
  static PreparedPolicy prepare(Choice.Engine engine, ConfigLoader.Loaded loaded)
      throws StartupException {
    HopgateConfig config = loaded.config();
    EngineRegistry.Registration registration = EngineRegistry.of(engine);
    String field = registration.sourcesField();
    String configured = registration.sourcesIn(config.policies());
    if (configured == null) {
      throw new StartupException(field + ": missing (engine " + engine.wireName() + " needs it)");
    }
    PolicyEngine policyEngine = registration.create(EngineRegistry.Settings.of(config));
    Path path = loaded.path(configured);
    try {
      if (policyEngine instanceof OpaServerEngine) {
        if (config.opaServer().checkWith() != null) {
          RegoTypeCheck.check(loaded.path(config.opaServer().checkWith()), path);
        } else {
          LOG.log(
              System.Logger.Level.WARNING,
              "{0} is pushed to the OPA server without a type check against the "
                  + "input document schema; set opa_server.check_with to an opa binary to refuse rules that can never match",
              path);
        }
      }
      return policyEngine.prepare(path);
    } catch (PolicyLoadException e) {
      throw new StartupException(
          field + ": " + path + " does not load:\n  " + String.join("\n  ", e.problems()), e);
    }
  }

  private static RevocationFeed revocations(
      ConfigLoader.Loaded loaded,
      TrustSet signers,
      JwsVerifier jws,
      List<AutoCloseable> resources,
      Clock clock)
      throws StartupException {
    HopgateConfig config = loaded.config();
    HopgateConfig.Revocation r = config.revocation();
    List<RefreshingRevocationFeed.Source> sources = new ArrayList<>();
    if (r.file() != null) {
      sources.add(new SignedRevocationFile(loaded.path(r.file()), signers, jws, clock));
    }
    if (r.redis()) {
      RedisRevocationSets sets =
          new RedisRevocationSets(
              redis(loaded), config.state().timeout(), config.state().keyPrefix());
      resources.add(sets);
      sources.add(sets);
    }
    RefreshingRevocationFeed.Revocations fixed =
        new RefreshingRevocationFeed.Revocations(
            new HashSet<>(r.principals()), new HashSet<>(r.txns()));
    try {
      RefreshingRevocationFeed feed =
          RefreshingRevocationFeed.start(fixed, sources, r.maxStaleness(), clock);
      resources.add(feed);
      return feed;
    } catch (Exception e) {
      throw new StartupException(
          "revocation: cannot read "
              + sources.stream().map(RefreshingRevocationFeed.Source::describe).toList()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static TrustSet trustSet(
      String name,
      HopgateConfig.TrustSetConfig c,
      String field,
      ConfigLoader.Loaded loaded,
      List<AutoCloseable> resources,
      Clock clock)
      throws StartupException {
    KeySource keys;
    try {
      if (c.jwks().startsWith("https://")) {
        SSLContext tls = c.jwksCa() == null ? null : TrustedCas.sslContext(loaded.path(c.jwksCa()));
        JwksUrlKeySource url =
            JwksUrlKeySource.load(
                URI.create(c.jwks()),
                tls,
                JWKS_TIMEOUT,
                c.minRefreshInterval(),
                c.maxStaleness(),
                clock);
        resources.add(url);
        keys = url;
      } else {
        keys =
            JwksFileKeySource.load(
                loaded.path(c.jwks()), c.minRefreshInterval(), c.maxStaleness(), clock);
      }
    } catch (IllegalArgumentException e) {
      throw new StartupException(field + ".jwks: " + e.getMessage(), e);
    }
    Set<JWSAlgorithm> algorithms =
        c.algorithms().stream().map(TrustSet::algorithm).collect(Collectors.toSet());
    return new TrustSet(name, new HashSet<>(c.issuers()), algorithms, keys);
  }
}
