package dev.hopgate.server.config;

import static java.util.Objects.requireNonNullElse;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * hopgate's configuration, as read from YAML (snake_case keys). Absent values take the defaults
 * documented in {@code docs/configuration.md}; invalid values refuse to load with a message naming
 * the field. Relative paths are resolved against the configuration file's directory by the loader.
 */
public record HopgateConfig(
    String listen,
    String engine,
    @JsonProperty("clock_skew") Duration clockSkew,
    @JsonProperty("shutdown_grace") Duration shutdownGrace,
    Policies policies,
    Trust trust) {
  /** The engines this build can run. */
  public static final Set<String> ENGINES = Set.of("cedar");

  public HopgateConfig(
      @Nullable String listen,
      @Nullable String engine,
      @JsonProperty("clock_skew") @Nullable Duration clockSkew,
      @JsonProperty("shutdown_grace") @Nullable Duration shutdownGrace,
      @Nullable Policies policies,
      @Nullable Trust trust) {
    this.listen = requireNonNullElse(listen, "127.0.0.1:9191");
    socketAddress(this.listen);
    this.engine = requireNonNullElse(engine, "cedar");
    if (!ENGINES.contains(this.engine)) {
      throw new IllegalArgumentException("engine: '" + this.engine + "' (expected: one of " + ENGINES + ")");
    }
    this.clockSkew = Durations.within("clock_skew", requireNonNullElse(clockSkew, Duration.ofSeconds(30)),
        Duration.ZERO, Duration.ofMinutes(5));
    this.shutdownGrace = Durations.within("shutdown_grace",
        requireNonNullElse(shutdownGrace, Duration.ofSeconds(10)), Duration.ZERO, Duration.ofMinutes(5));
    if (policies == null) {
      throw new IllegalArgumentException("policies: missing (expected: policies.cedar, a directory)");
    }
    this.policies = policies;
    if (trust == null) {
      throw new IllegalArgumentException("trust: missing (expected: trust.token_service)");
    }
    this.trust = trust;
  }

  /** The listen address as a socket address. */
  public InetSocketAddress listenAddress() {
    return socketAddress(listen);
  }

  private static InetSocketAddress socketAddress(String listen) {
    int colon = listen.lastIndexOf(':');
    String expected = " (expected: host:port, as in 127.0.0.1:9191)";
    if (colon <= 0 || colon == listen.length() - 1) {
      throw new IllegalArgumentException("listen: '" + listen + "'" + expected);
    }
    String host = listen.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("listen: '" + listen + "'" + expected);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listen: port " + port + " (expected: 0..65535)");
    }
    return InetSocketAddress.createUnresolved(host, port);
  }

  /** Where the policies are: one directory per engine. */
  public record Policies(String cedar) {
    public Policies(@Nullable String cedar) {
      if (cedar == null || cedar.isBlank()) {
        throw new IllegalArgumentException("policies.cedar: missing (expected: a directory of *.cedar files)");
      }
      this.cedar = cedar;
    }
  }

  /** The trust sets. */
  public record Trust(@JsonProperty("token_service") TokenService tokenService) {
    public Trust(@JsonProperty("token_service") @Nullable TokenService tokenService) {
      if (tokenService == null) {
        throw new IllegalArgumentException("trust.token_service: missing (expected: issuers and jwks)");
      }
      this.tokenService = tokenService;
    }
  }

  /** The token service whose hop tokens this hopgate accepts. */
  public record TokenService(
      List<String> issuers,
      String jwks,
      List<String> algorithms,
      @JsonProperty("max_token_lifetime") Duration maxTokenLifetime,
      @JsonProperty("max_staleness") Duration maxStaleness,
      @JsonProperty("min_refresh_interval") Duration minRefreshInterval,
      @Nullable String endpoint) {
    public TokenService(
        @Nullable List<String> issuers,
        @Nullable String jwks,
        @Nullable List<String> algorithms,
        @JsonProperty("max_token_lifetime") @Nullable Duration maxTokenLifetime,
        @JsonProperty("max_staleness") @Nullable Duration maxStaleness,
        @JsonProperty("min_refresh_interval") @Nullable Duration minRefreshInterval,
        @Nullable String endpoint) {
      if (issuers == null || issuers.isEmpty() || issuers.stream().anyMatch(i -> i == null || i.isBlank())) {
        throw new IllegalArgumentException(
            "trust.token_service.issuers: missing or blank (expected: the token service's iss values)");
      }
      this.issuers = List.copyOf(issuers);
      if (jwks == null || jwks.isBlank()) {
        throw new IllegalArgumentException("trust.token_service.jwks: missing (expected: a JWKS file)");
      }
      this.jwks = jwks;
      this.algorithms = List.copyOf(requireNonNullElse(algorithms, List.of("ES256", "EdDSA")));
      if (this.algorithms.isEmpty()) {
        throw new IllegalArgumentException("trust.token_service.algorithms: empty (expected: ES256, EdDSA, ...)");
      }
      for (String alg : this.algorithms) {
        try {
          dev.hopgate.pdp.token.TrustSet.algorithm(alg);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("trust.token_service." + e.getMessage(), e);
        }
      }
      this.maxTokenLifetime = Durations.within("trust.token_service.max_token_lifetime",
          requireNonNullElse(maxTokenLifetime, Duration.ofMinutes(5)), Duration.ofSeconds(1), Duration.ofHours(1));
      this.maxStaleness = Durations.within("trust.token_service.max_staleness",
          requireNonNullElse(maxStaleness, Duration.ofMinutes(1)), Duration.ofSeconds(1), Duration.ofDays(1));
      this.minRefreshInterval = Durations.within("trust.token_service.min_refresh_interval",
          requireNonNullElse(minRefreshInterval, Duration.ofSeconds(5)), Duration.ZERO, Duration.ofHours(1));
      this.endpoint = endpoint;
    }
  }
}
