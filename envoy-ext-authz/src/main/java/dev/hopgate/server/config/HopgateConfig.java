package dev.hopgate.server.config;

import static java.util.Objects.requireNonNullElse;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hopgate.pdp.state.RedisEndpoint;
import dev.hopgate.pdp.token.TrustSet;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * hopgate's configuration, as read from YAML (snake_case keys). Absent values take the defaults
 * documented in {@code docs/configuration.md}; an invalid value refuses to load with a message that
 * names the field (each record names its own fields; the loader prefixes the path). Relative paths
 * are resolved against the configuration file's directory by the loader.
 */
public record HopgateConfig(
    String listen,
    @JsonProperty("socket_mode") String socketMode,
    @Nullable Tls tls,
    Callers callers,
    Completion completion,
    Choice.Engine engine,
    @JsonProperty("clock_skew") Duration clockSkew,
    @JsonProperty("shutdown_grace") Duration shutdownGrace,
    @JsonProperty("warmup_rounds") Integer warmupRounds,
    Checks checks,
    @JsonProperty("trust_domain") String trustDomain,
    Enforcement enforcement,
    Policies policies,
    String processes,
    String manifests,
    String routes,
    Chain chain,
    Revocation revocation,
    State state,
    @JsonProperty("opa_server") OpaServer opaServer,
    @JsonProperty("opa_wasm") OpaWasm opaWasm,
    Shadow shadow,
    @JsonProperty("decision_log") DecisionLogConfig decisionLog,
    @Nullable MetricsConfig metrics,
    Association association,
    Trust trust,
    Telemetry telemetry) {
  public HopgateConfig(
      @Nullable String listen,
      @JsonProperty("socket_mode") @Nullable String socketMode,
      @Nullable Tls tls,
      @Nullable Callers callers,
      @Nullable Completion completion,
      Choice.@Nullable Engine engine,
      @JsonProperty("clock_skew") @Nullable Duration clockSkew,
      @JsonProperty("shutdown_grace") @Nullable Duration shutdownGrace,
      @JsonProperty("warmup_rounds") @Nullable Integer warmupRounds,
      @Nullable Checks checks,
      @JsonProperty("trust_domain") @Nullable String trustDomain,
      @Nullable Enforcement enforcement,
      @Nullable Policies policies,
      @Nullable String processes,
      @Nullable String manifests,
      @Nullable String routes,
      @Nullable Chain chain,
      @Nullable Revocation revocation,
      @Nullable State state,
      @JsonProperty("opa_server") @Nullable OpaServer opaServer,
      @JsonProperty("opa_wasm") @Nullable OpaWasm opaWasm,
      @Nullable Shadow shadow,
      @JsonProperty("decision_log") @Nullable DecisionLogConfig decisionLog,
      @Nullable MetricsConfig metrics,
      @Nullable Association association,
      @Nullable Trust trust,
      @Nullable Telemetry telemetry) {
    this.listen = requireNonNullElse(listen, "127.0.0.1:9191");
    Listen at = Listen.of("listen", this.listen);
    this.socketMode = requireNonNullElse(socketMode, "0660");
    if (!Set.of("0600", "0660").contains(this.socketMode)) {
      throw new IllegalArgumentException(
          "socket_mode: '"
              + this.socketMode
              + "' (expected: 0600 or 0660; never "
              + "readable by other users)");
    }
    this.tls = tls;
    this.callers = requireNonNullElse(callers, Callers.NONE);
    this.completion = requireNonNullElse(completion, new Completion(null, null));
    this.engine = requireNonNullElse(engine, Choice.Engine.CEDAR);
    this.clockSkew =
        Durations.within(
            "clock_skew",
            requireNonNullElse(clockSkew, Duration.ofSeconds(30)),
            Duration.ZERO,
            Duration.ofMinutes(5));
    this.shutdownGrace =
        Durations.within(
            "shutdown_grace",
            requireNonNullElse(shutdownGrace, Duration.ofSeconds(10)),
            Duration.ZERO,
            Duration.ofMinutes(5));
    this.warmupRounds = requireNonNullElse(warmupRounds, 300);
    if (this.warmupRounds < 0 || this.warmupRounds > 1_000_000) {
      throw new IllegalArgumentException(
          "warmup_rounds: " + this.warmupRounds + " (expected: 0..1000000)");
    }
    this.checks = requireNonNullElse(checks, new Checks(null, null, null));
    this.trustDomain =
        required(trustDomain, "trust_domain", "the aud of this deployment's origin tokens");
    if (enforcement == null) {
      throw new IllegalArgumentException(
          "enforcement: missing (expected: id and key of this enforcement point)");
    }
    this.enforcement = enforcement;
    if (policies == null) {
      throw new IllegalArgumentException(
          "policies: missing (expected: policies.cedar, a directory)");
    }
    this.policies = policies;
    this.processes = required(processes, "processes", "a directory of process definitions");
    this.manifests = required(manifests, "manifests", "a directory of signed manifests (*.jws)");
    this.routes = required(routes, "routes", "a directory of route tables (*.yaml)");
    this.chain = requireNonNullElse(chain, new Chain(null, null));
    this.revocation = requireNonNullElse(revocation, new Revocation(null, null, null, false, null));
    this.state =
        requireNonNullElse(state, new State(null, null, null, null, null, null, null, null));
    this.opaServer = requireNonNullElse(opaServer, new OpaServer(null, null, null));
    this.opaWasm = requireNonNullElse(opaWasm, new OpaWasm(null, null));
    this.shadow = requireNonNullElse(shadow, new Shadow(null, null));
    this.decisionLog =
        requireNonNullElse(decisionLog, new DecisionLogConfig(null, null, null, null));
    this.metrics = metrics;
    this.association =
        requireNonNullElse(association, new Association(null, null, null, null, null, null));
    if (this.association.store() == Choice.Store.REDIS && this.state.redis() == null) {
      throw new IllegalArgumentException(
          "association.store: redis needs state.redis (the server holding the ledger)");
    }
    if (this.engine == Choice.Engine.SHADOW && this.shadow.primary() == this.shadow.secondary()) {
      throw new IllegalArgumentException(
          "shadow: primary and secondary are both " + this.shadow.primary().wireName());
    }
    if (this.revocation.redis() && this.state.redis() == null) {
      throw new IllegalArgumentException(
          "revocation.redis: true needs state.redis (the server holding the sets)");
    }
    if (trust == null) {
      throw new IllegalArgumentException(
          "trust: missing (expected: token_service, txn_token_service, manifest_registry)");
    }
    this.trust = trust;
    this.telemetry = requireNonNullElse(telemetry, Telemetry.OFF);
    checkCallers(at);
  }

  /**
   * Who can reach each listener and how hopgate tells callers apart: plaintext TCP only on loopback
   * and only without named callers (it cannot tell them apart); mTLS names Envoys by identity; a
   * Unix socket names them by UID.
   */
  private void checkCallers(Listen at) {
    if (at instanceof Listen.Unix) {
      if (!callers.anyEnvoyByUid()) {
        throw new IllegalArgumentException(
            "callers.envoys: a unix listen admits Envoys by their UID (SO_PEERCRED): "
                + "list each Envoy's uid and the components it fronts");
      }
    } else if (at instanceof Listen.Tcp tcp) {
      if (callers.anyEnvoyByUid()) {
        throw new IllegalArgumentException(
            "callers.envoys: an entry names a uid, which only a unix listen can check");
      }
      if (tls == null) {
        if (!tcp.loopback()) {
          throw new IllegalArgumentException(
              "listen: "
                  + listen
                  + " is not a loopback address and tls is not set: "
                  + "hopgate serves plaintext only on loopback, for a developer machine (set tls for mTLS, or listen on"
                  + " unix:/path)");
        }
        if (callers.named()) {
          throw new IllegalArgumentException(
              "callers: set, but plaintext TCP cannot tell callers apart (set tls, or"
                  + " listen on unix:/path)");
        }
      } else if (!callers.anyEnvoyById()) {
        throw new IllegalArgumentException(
            "callers.envoys: with tls, list each Envoy's identity (id: its URI SAN) and "
                + "the components it fronts; without, any holder of a certificate from client_ca could ask");
      }
    }
    if (association.listen() != null && tls == null) {
      throw new IllegalArgumentException(
          "association.listen: needs tls (it is an mTLS listener for other hopgates)");
    }
    if (metrics != null && !metrics.loopback()) {
      if (tls == null || callers.scrapers().isEmpty()) {
        throw new IllegalArgumentException(
            "metrics.listen: "
                + metrics.listen()
                + " is not a loopback address: it "
                + "needs tls and callers.scrapers (the identities allowed to scrape)");
      }
    }
  }

  /** Where Check, ext_proc and health are served. */
  public Listen listenAt() {
    return Listen.of("listen", listen);
  }

  private static InetSocketAddress socketAddress(String field, String listen) {
    return Listen.Tcp.socketAddress(field, listen);
  }

  static String required(@Nullable String value, String field, String expected) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": missing (expected: " + expected + ")");
    }
    return value;
  }

  /**
   * hopgate's server certificate and key for every TCP listener, and the CA whose client
   * certificates it accepts: mTLS, so that callers are named by identity ({@link Callers}). Without
   * it, hopgate serves plaintext on loopback only and says so in the log.
   */
  public record Tls(
      String cert,
      String key,
      @JsonProperty("client_ca") String clientCa,
      @JsonProperty("allowed_clients") List<String> allowedClients) {
    public Tls(
        @Nullable String cert,
        @Nullable String key,
        @JsonProperty("client_ca") @Nullable String clientCa,
        @JsonProperty("allowed_clients") @Nullable List<String> allowedClients) {
      this.cert = required(cert, "cert", "hopgate's certificate chain (PEM)");
      this.key = required(key, "key", "hopgate's private key (PKCS#8 PEM)");
      this.clientCa =
          required(
              clientCa,
              "client_ca",
              "the CA of the Envoys' client certificates (PEM): only "
                  + "authenticated Envoys may ask");
      if (allowedClients != null) {
        throw new IllegalArgumentException(
            "allowed_clients: replaced by callers.envoys (each Envoy with the components "
                + "it fronts) and callers.hopgates (who may use the association); see docs/configuration.md");
      }
      this.allowedClients = List.of();
    }
  }

  /**
   * This hopgate as an enforcement point: the id and the private key it signs transitions and
   * completion records with (listed in the manifests of the components it enforces for).
   */
  public record Enforcement(
      String id, String key, @JsonProperty("transition_ttl") Duration transitionTtl) {
    public Enforcement(
        @Nullable String id,
        @Nullable String key,
        @JsonProperty("transition_ttl") @Nullable Duration transitionTtl) {
      this.id = required(id, "id", "this enforcement point's id, as manifests list it");
      this.key = required(key, "key", "a private JWK file (hopgate keys gen)");
      this.transitionTtl =
          Durations.within(
              "transition_ttl",
              requireNonNullElse(transitionTtl, Duration.ofMinutes(10)),
              Duration.ofSeconds(1),
              Duration.ofHours(24));
    }
  }

  /** Where the policies are, per language; the engine in use needs its own. */
  public record Policies(@Nullable String cedar, @Nullable String rego, @Nullable String wasm) {
    public Policies {
      if (cedar == null && rego == null && wasm == null) {
        throw new IllegalArgumentException("policies: none (expected: cedar, rego and/or wasm)");
      }
    }
  }

  /**
   * A real OPA server the {@code opa-server} engine talks to (hopgate pushes its policies there).
   */
  public record OpaServer(
      String url, Duration timeout, @JsonProperty("check_with") @Nullable String checkWith) {
    public OpaServer(
        @Nullable String url,
        @Nullable Duration timeout,
        @JsonProperty("check_with") @Nullable String checkWith) {
      this.checkWith = checkWith;
      this.url = requireNonNullElse(url, "http://127.0.0.1:8181");
      if (!this.url.startsWith("http://") && !this.url.startsWith("https://")) {
        throw new IllegalArgumentException(
            "url: '" + this.url + "' (expected: http(s)://host:port)");
      }
      this.timeout =
          Durations.within(
              "timeout",
              requireNonNullElse(timeout, Duration.ofMillis(100)),
              Duration.ofMillis(1),
              Duration.ofSeconds(10));
    }
  }

  /**
   * The in-process WebAssembly engine: instances pooled, a borrow waits at most {@code timeout}.
   */
  public record OpaWasm(@JsonProperty("pool_size") Integer poolSize, Duration timeout) {
    public OpaWasm(
        @JsonProperty("pool_size") @Nullable Integer poolSize, @Nullable Duration timeout) {
      this.poolSize = requireNonNullElse(poolSize, 2 * Runtime.getRuntime().availableProcessors());
      if (this.poolSize < 1 || this.poolSize > 256) {
        throw new IllegalArgumentException("pool_size: " + this.poolSize + " (expected: 1..256)");
      }
      this.timeout =
          Durations.within(
              "timeout",
              requireNonNullElse(timeout, Duration.ofMillis(100)),
              Duration.ofMillis(1),
              Duration.ofSeconds(10));
    }
  }

  /**
   * The hash-chained decision log: every decision one JSON line. {@code trace: full} adds the input
   * document; {@code when_full: deny} (default) refuses checks when the writer falls behind by
   * {@code queue} records, {@code drop} counts the loss instead.
   */
  public record DecisionLogConfig(
      String path,
      Choice.Trace trace,
      Integer queue,
      @JsonProperty("when_full") Choice.WhenFull whenFull,
      @JsonProperty("checkpoint_every") Integer checkpointEvery,
      String fsync) {
    public DecisionLogConfig(
        @Nullable String path,
        Choice.@Nullable Trace trace,
        @Nullable Integer queue,
        @JsonProperty("when_full") Choice.@Nullable WhenFull whenFull) {
      this(path, trace, queue, whenFull, null, null);
    }

    /**
     * @param checkpointEvery records between two signed checkpoints (and one when the log closes)
     * @param fsync {@code batch}, {@code checkpoint} or {@code never}: when writes are forced to
     *     the disk
     */
    public DecisionLogConfig(
        @Nullable String path,
        Choice.@Nullable Trace trace,
        @Nullable Integer queue,
        @JsonProperty("when_full") Choice.@Nullable WhenFull whenFull,
        @JsonProperty("checkpoint_every") @Nullable Integer checkpointEvery,
        @Nullable String fsync) {
      this.checkpointEvery = requireNonNullElse(checkpointEvery, 1000);
      if (this.checkpointEvery < 1 || this.checkpointEvery > 1_000_000) {
        throw new IllegalArgumentException(
            "checkpoint_every: " + this.checkpointEvery + " (expected: 1..1000000)");
      }
      this.fsync = requireNonNullElse(fsync, "checkpoint");
      if (!Set.of("batch", "checkpoint", "never").contains(this.fsync)) {
        throw new IllegalArgumentException(
            "fsync: '" + this.fsync + "' (expected: batch, checkpoint or never)");
      }
      this.path = requireNonNullElse(path, "decisions.jsonl");
      this.trace = requireNonNullElse(trace, Choice.Trace.MINIMAL);
      this.queue = requireNonNullElse(queue, 10_000);
      if (this.queue < 1 || this.queue > 10_000_000) {
        throw new IllegalArgumentException("queue: " + this.queue + " (expected: 1..10000000)");
      }
      this.whenFull = requireNonNullElse(whenFull, Choice.WhenFull.DENY);
    }
  }

  /** Prometheus metrics at {@code http://<listen>/metrics}. */
  public record MetricsConfig(String listen) {
    public MetricsConfig(@Nullable String listen) {
      this.listen = required(listen, "listen", "host:port of the metrics endpoint");
      socketAddress("listen", this.listen);
    }

    public InetSocketAddress address() {
      return socketAddress("listen", listen);
    }

    /** Loopback: plaintext; anywhere else: mTLS with {@code callers.scrapers}. */
    public boolean loopback() {
      return new Listen.Tcp(address()).loopback();
    }
  }

  /**
   * The association component (docs/association.md): every hopgate serves one over its own
   * in-memory ledger on its gRPC port; {@code target} names another hopgate's (host:port) to share
   * one ledger across a mesh. It never holds a decision up: lookups wait at most {@code
   * lookup_timeout}, a COMPLETE at most {@code record_timeout} before the response goes on.
   */
  public record Association(
      Choice.Store store,
      @Nullable String target,
      @JsonProperty("lookup_timeout") Duration lookupTimeout,
      @JsonProperty("record_timeout") Duration recordTimeout,
      @Nullable ClientTls tls,
      @Nullable String listen) {
    public Association(
        Choice.@Nullable Store store,
        @Nullable String target,
        @JsonProperty("lookup_timeout") @Nullable Duration lookupTimeout,
        @JsonProperty("record_timeout") @Nullable Duration recordTimeout,
        @Nullable ClientTls tls,
        @Nullable String listen) {
      this.tls = tls;
      this.listen = listen;
      if (listen != null) {
        socketAddress("listen", listen);
      }
      if (tls != null && target == null) {
        throw new IllegalArgumentException(
            "tls: set without target (it is how this hopgate reaches the target)");
      }
      this.store = requireNonNullElse(store, Choice.Store.MEMORY);
      if (this.store == Choice.Store.REDIS && target != null) {
        throw new IllegalArgumentException(
            "target: set with store: redis (a Redis ledger is shared already)");
      }
      this.target = target;
      if (target != null) {
        socketAddress("target", target);
      }
      this.lookupTimeout =
          Durations.within(
              "lookup_timeout",
              requireNonNullElse(lookupTimeout, Duration.ofMillis(50)),
              Duration.ofMillis(1),
              Duration.ofSeconds(5));
      this.recordTimeout =
          Durations.within(
              "record_timeout",
              requireNonNullElse(recordTimeout, Duration.ofMillis(200)),
              Duration.ofMillis(1),
              Duration.ofSeconds(5));
    }
  }

  /** A client identity for mTLS: certificate and key (PEM) and the CA to trust the server by. */
  public record ClientTls(String cert, String key, String ca) {
    public ClientTls(@Nullable String cert, @Nullable String key, @Nullable String ca) {
      this.cert = required(cert, "cert", "a PEM certificate file");
      this.key = required(key, "key", "a PEM private key file");
      this.ca = required(ca, "ca", "a PEM CA file");
    }
  }

  /** {@code engine: shadow}: the primary decides, the secondary is compared. */
  public record Shadow(Choice.Engine primary, Choice.Engine secondary) {
    public Shadow(Choice.@Nullable Engine primary, Choice.@Nullable Engine secondary) {
      this.primary = requireNonNullElse(primary, Choice.Engine.CEDAR);
      this.secondary = requireNonNullElse(secondary, Choice.Engine.OPA_WASM);
      if (this.primary == Choice.Engine.SHADOW || this.secondary == Choice.Engine.SHADOW) {
        throw new IllegalArgumentException(
            (this.primary == Choice.Engine.SHADOW ? "primary" : "secondary")
                + ": 'shadow' (expected: cedar, opa-wasm or opa-server)");
      }
    }
  }

  /** Bounds on {@code Txn-Chain} and {@code Txn-Completions}. */
  public record Chain(
      @JsonProperty("max_elements") Integer maxElements,
      @JsonProperty("max_bytes") Integer maxBytes) {
    /** Absent fields take the defaults: 32 elements, 16 KiB. */
    public Chain(
        @JsonProperty("max_elements") @Nullable Integer maxElements,
        @JsonProperty("max_bytes") @Nullable Integer maxBytes) {
      this.maxElements = requireNonNullElse(maxElements, 32);
      this.maxBytes = requireNonNullElse(maxBytes, 16 * 1024);
      if (this.maxElements < 1 || this.maxElements > 256) {
        throw new IllegalArgumentException(
            "max_elements: " + this.maxElements + " (expected: 1..256)");
      }
      if (this.maxBytes < 1024 || this.maxBytes > 256 * 1024) {
        throw new IllegalArgumentException(
            "max_bytes: " + this.maxBytes + " (expected: 1024..262144)");
      }
    }
  }

  /**
   * How Checks are decided: on {@code threads} workers with {@code queue} waiting (more are shed,
   * {@code overloaded}), each answered before Envoy's deadline less {@code deadline_margin}.
   */
  public record Checks(
      @JsonProperty("deadline_margin") Duration deadlineMargin, Integer threads, Integer queue) {
    /** Absent fields take the defaults: 20 ms, 4 × cores (at least 8), 256. */
    public Checks(
        @JsonProperty("deadline_margin") @Nullable Duration deadlineMargin,
        @Nullable Integer threads,
        @Nullable Integer queue) {
      this.deadlineMargin =
          Durations.within(
              "deadline_margin",
              requireNonNullElse(deadlineMargin, Duration.ofMillis(20)),
              Duration.ZERO,
              Duration.ofSeconds(1));
      this.threads =
          requireNonNullElse(threads, Math.max(8, 4 * Runtime.getRuntime().availableProcessors()));
      if (this.threads < 1 || this.threads > 1024) {
        throw new IllegalArgumentException("threads: " + this.threads + " (expected: 1..1024)");
      }
      this.queue = requireNonNullElse(queue, 256);
      if (this.queue < 1 || this.queue > 100_000) {
        throw new IllegalArgumentException("queue: " + this.queue + " (expected: 1..100000)");
      }
    }
  }

  /**
   * Where what an ALLOW spends (one-time tokens) is recorded: {@code memory} for one instance,
   * {@code redis} when replicas share it (every enforcement point of a component must).
   */
  public record State(
      Choice.Store store,
      @Nullable String redis,
      Duration timeout,
      @JsonProperty("key_prefix") String keyPrefix,
      @JsonProperty("retry_window") Duration retryWindow,
      @JsonProperty("max_keys") Long maxKeys,
      Integer pool,
      @JsonProperty("redis_ca") @Nullable String redisCa) {
    public State(
        Choice.@Nullable Store store,
        @Nullable String redis,
        @Nullable Duration timeout,
        @JsonProperty("key_prefix") @Nullable String keyPrefix,
        @JsonProperty("retry_window") @Nullable Duration retryWindow,
        @JsonProperty("max_keys") @Nullable Long maxKeys,
        @Nullable Integer pool,
        @JsonProperty("redis_ca") @Nullable String redisCa) {
      this.store = requireNonNullElse(store, Choice.Store.MEMORY);
      if (this.store == Choice.Store.REDIS) {
        if (redis == null) {
          throw new IllegalArgumentException(
              "redis: missing (expected: redis://host:port, or rediss://host:port for TLS)");
        }
        // Parsed here for its messages (which never show the password); opened at start.
        RedisEndpoint endpoint = RedisEndpoint.parse(redis, null);
        if (redisCa != null && !endpoint.tls()) {
          throw new IllegalArgumentException(
              "redis_ca is set, but " + endpoint.describe() + " is not rediss:// (TLS)");
        }
      }
      this.redis = redis;
      this.redisCa = redisCa;

      this.timeout =
          Durations.within(
              "timeout",
              requireNonNullElse(timeout, Duration.ofMillis(50)),
              Duration.ofMillis(1),
              Duration.ofSeconds(5));
      this.keyPrefix = requireNonNullElse(keyPrefix, "hopgate:");
      this.retryWindow =
          Durations.within(
              "retry_window",
              requireNonNullElse(retryWindow, Duration.ofSeconds(1)),
              Duration.ZERO,
              Duration.ofMinutes(1));
      this.pool = requireNonNullElse(pool, 16);
      if (this.pool < 1 || this.pool > 1024) {
        throw new IllegalArgumentException("pool: " + this.pool + " (expected: 1..1024)");
      }
      this.maxKeys = requireNonNullElse(maxKeys, 1_000_000L);
      if (this.maxKeys < 1) {
        throw new IllegalArgumentException("max_keys: " + this.maxKeys + " (expected: at least 1)");
      }
    }

    /** Never the Redis password, should a State ever be logged. */
    @Override
    public String toString() {
      return "State[store="
          + store
          + ", redis="
          + (redis == null ? null : RedisEndpoint.redact(redis))
          + ", redis_ca="
          + redisCa
          + ", key_prefix="
          + keyPrefix
          + ", max_keys="
          + maxKeys
          + "]";
    }
  }

  /**
   * Revocations: listed here, in a signed file ({@code typ: hop-revocation+jwt}, signed by the
   * transaction token service), and in Redis sets of the state store's server. File and Redis are
   * re-read every half of {@code max_staleness}; older than that, checks are refused.
   */
  public record Revocation(
      List<String> principals,
      List<String> txns,
      @Nullable String file,
      Boolean redis,
      @JsonProperty("max_staleness") Duration maxStaleness) {
    /** Absent fields take the defaults: nothing revoked, no file, no Redis sets, 30 s. */
    public Revocation(
        @Nullable List<String> principals,
        @Nullable List<String> txns,
        @Nullable String file,
        @Nullable Boolean redis,
        @JsonProperty("max_staleness") @Nullable Duration maxStaleness) {
      this.principals = List.copyOf(requireNonNullElse(principals, List.of()));
      this.txns = List.copyOf(requireNonNullElse(txns, List.of()));
      this.file = file;
      this.redis = Boolean.TRUE.equals(redis);
      this.maxStaleness =
          Durations.within(
              "max_staleness",
              requireNonNullElse(maxStaleness, Duration.ofSeconds(30)),
              Duration.ofSeconds(1),
              Duration.ofHours(1));
    }
  }

  /** The trust sets. */
  public record Trust(
      @JsonProperty("token_service") TokenService tokenService,
      @JsonProperty("txn_token_service") TrustSetConfig txnTokenService,
      @JsonProperty("manifest_registry") TrustSetConfig manifestRegistry) {
    public Trust(
        @JsonProperty("token_service") @Nullable TokenService tokenService,
        @JsonProperty("txn_token_service") @Nullable TrustSetConfig txnTokenService,
        @JsonProperty("manifest_registry") @Nullable TrustSetConfig manifestRegistry) {
      if (tokenService == null) {
        throw new IllegalArgumentException(
            "token_service: missing (expected: issuers and jwks of hop tokens)");
      }
      if (txnTokenService == null) {
        throw new IllegalArgumentException(
            "txn_token_service: missing (expected: issuers and jwks of origin tokens)");
      }
      if (manifestRegistry == null) {
        throw new IllegalArgumentException(
            "manifest_registry: missing (expected: issuers and jwks of manifests)");
      }
      if (manifestRegistry.standardTokens()) {
        throw new IllegalArgumentException(
            "manifest_registry.standard_tokens: only txn_token_service takes standard tokens");
      }
      this.tokenService = tokenService;
      this.txnTokenService = txnTokenService;
      this.manifestRegistry = manifestRegistry;
    }
  }

  /** A trust set: issuers, their keys, the algorithms accepted from them. */
  public record TrustSetConfig(
      List<String> issuers,
      String jwks,
      @JsonProperty("jwks_ca") @Nullable String jwksCa,
      List<String> algorithms,
      @JsonProperty("max_staleness") Duration maxStaleness,
      @JsonProperty("min_refresh_interval") Duration minRefreshInterval,
      @JsonProperty("standard_tokens") Boolean standardTokens) {
    /**
     * @param standardTokens txn_token_service only: whether a Txn-Token without hopgate's {@code
     *     tctx} (from a standard transaction token service, draft-ietf-oauth-transaction-tokens-10)
     *     is taken, as an implicit intent whose authority is its {@code scope}; off by default, so
     *     trusting a service never silently admits its plain tokens
     */
    public TrustSetConfig(
        @Nullable List<String> issuers,
        @Nullable String jwks,
        @JsonProperty("jwks_ca") @Nullable String jwksCa,
        @Nullable List<String> algorithms,
        @JsonProperty("max_staleness") @Nullable Duration maxStaleness,
        @JsonProperty("min_refresh_interval") @Nullable Duration minRefreshInterval,
        @JsonProperty("standard_tokens") @Nullable Boolean standardTokens) {
      this.standardTokens = Boolean.TRUE.equals(standardTokens);
      if (issuers == null
          || issuers.isEmpty()
          || issuers.stream().anyMatch(i -> i == null || i.isBlank())) {
        throw new IllegalArgumentException(
            "issuers: missing or blank (expected: the iss values it signs as)");
      }
      this.issuers = List.copyOf(issuers);
      this.jwks = required(jwks, "jwks", "a JWKS file of public keys, or an https:// URL");
      if (this.jwks.contains("://") && !this.jwks.startsWith("https://")) {
        throw new IllegalArgumentException(
            "jwks: '" + this.jwks + "' (expected: a file, or an https:// URL)");
      }
      this.jwksCa = jwksCa;
      this.algorithms = List.copyOf(requireNonNullElse(algorithms, List.of("ES256", "EdDSA")));
      if (this.algorithms.isEmpty()) {
        throw new IllegalArgumentException("algorithms: empty (expected: ES256, EdDSA, ...)");
      }
      for (String alg : this.algorithms) {
        TrustSet.algorithm(alg);
      }
      this.maxStaleness =
          Durations.within(
              "max_staleness",
              requireNonNullElse(maxStaleness, Duration.ofMinutes(1)),
              Duration.ofSeconds(1),
              Duration.ofDays(1));
      this.minRefreshInterval =
          Durations.within(
              "min_refresh_interval",
              requireNonNullElse(minRefreshInterval, Duration.ofSeconds(5)),
              Duration.ZERO,
              Duration.ofHours(1));
    }
  }

  /** The token service whose hop tokens this hopgate accepts. */
  public record TokenService(
      List<String> issuers,
      String jwks,
      @JsonProperty("jwks_ca") @Nullable String jwksCa,
      List<String> algorithms,
      @JsonProperty("max_token_lifetime") Duration maxTokenLifetime,
      @JsonProperty("max_staleness") Duration maxStaleness,
      @JsonProperty("min_refresh_interval") Duration minRefreshInterval,
      @Nullable String endpoint) {
    public TokenService(
        @Nullable List<String> issuers,
        @Nullable String jwks,
        @JsonProperty("jwks_ca") @Nullable String jwksCa,
        @Nullable List<String> algorithms,
        @JsonProperty("max_token_lifetime") @Nullable Duration maxTokenLifetime,
        @JsonProperty("max_staleness") @Nullable Duration maxStaleness,
        @JsonProperty("min_refresh_interval") @Nullable Duration minRefreshInterval,
        @Nullable String endpoint) {
      TrustSetConfig common =
          new TrustSetConfig(
              issuers, jwks, jwksCa, algorithms, maxStaleness, minRefreshInterval, false);
      this.issuers = common.issuers();
      this.jwks = common.jwks();
      this.jwksCa = common.jwksCa();
      this.algorithms = common.algorithms();
      this.maxStaleness = common.maxStaleness();
      this.minRefreshInterval = common.minRefreshInterval();
      this.maxTokenLifetime =
          Durations.within(
              "max_token_lifetime",
              requireNonNullElse(maxTokenLifetime, Duration.ofMinutes(5)),
              Duration.ofSeconds(1),
              Duration.ofHours(1));
      this.endpoint = endpoint;
    }

    public TrustSetConfig asTrustSet() {
      return new TrustSetConfig(
          issuers, jwks, jwksCa, algorithms, maxStaleness, minRefreshInterval, false);
    }
  }
}
