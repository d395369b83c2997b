package dev.hopgate.tokens;

import static java.util.Objects.requireNonNullElse;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.hopgate.server.config.Durations;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** The token service's configuration (YAML, snake_case; relative paths against the file). */
public record TokenServiceConfig(
    String listen,
    Tls tls,
    @JsonProperty("trust_domain") String trustDomain,
    @JsonProperty("txn_issuer") String txnIssuer,
    @JsonProperty("hop_issuer") String hopIssuer,
    @JsonProperty("txn_key") String txnKey,
    @JsonProperty("hop_key") String hopKey,
    Identity identity,
    String processes,
    @JsonProperty("txn_lifetime") Duration txnLifetime,
    @JsonProperty("origin_token_ttl") Duration originTokenTtl,
    @JsonProperty("hop_token_ttl") Duration hopTokenTtl,
    @JsonProperty("one_time") OneTime oneTime) {
  public TokenServiceConfig(
      @Nullable String listen,
      @Nullable Tls tls,
      @JsonProperty("trust_domain") @Nullable String trustDomain,
      @JsonProperty("txn_issuer") @Nullable String txnIssuer,
      @JsonProperty("hop_issuer") @Nullable String hopIssuer,
      @JsonProperty("txn_key") @Nullable String txnKey,
      @JsonProperty("hop_key") @Nullable String hopKey,
      @Nullable Identity identity,
      @Nullable String processes,
      @JsonProperty("txn_lifetime") @Nullable Duration txnLifetime,
      @JsonProperty("origin_token_ttl") @Nullable Duration originTokenTtl,
      @JsonProperty("hop_token_ttl") @Nullable Duration hopTokenTtl,
      @JsonProperty("one_time") @Nullable OneTime oneTime) {
    this.oneTime = requireNonNullElse(oneTime, new OneTime(null));
    this.listen = requireNonNullElse(listen, "127.0.0.1:9443");
    if (tls == null) {
      throw new IllegalArgumentException(
          "tls: missing (expected: cert, key, client_ca: callers authenticate by mTLS)");
    }
    this.tls = tls;
    this.trustDomain = required(trustDomain, "trust_domain");
    this.txnIssuer = required(txnIssuer, "txn_issuer");
    this.hopIssuer = required(hopIssuer, "hop_issuer");
    this.txnKey = required(txnKey, "txn_key");
    this.hopKey = required(hopKey, "hop_key");
    if (identity == null) {
      throw new IllegalArgumentException(
          "identity: missing (expected: issuers and jwks of subject tokens)");
    }
    this.identity = identity;
    this.processes = required(processes, "processes");
    this.txnLifetime =
        Durations.within(
            "txn_lifetime",
            requireNonNullElse(txnLifetime, Duration.ofHours(1)),
            Duration.ofMinutes(1),
            Duration.ofDays(7));
    this.originTokenTtl =
        Durations.within(
            "origin_token_ttl",
            requireNonNullElse(originTokenTtl, Duration.ofMinutes(5)),
            Duration.ofSeconds(10),
            Duration.ofHours(1));
    this.hopTokenTtl =
        Durations.within(
            "hop_token_ttl",
            requireNonNullElse(hopTokenTtl, Duration.ofMinutes(2)),
            Duration.ofSeconds(1),
            Duration.ofMinutes(5));
  }

  /** The service's certificate and key, and the CA its callers' client certificates come from. */
  public record Tls(String cert, String key, @JsonProperty("client_ca") String clientCa) {
    public Tls(
        @Nullable String cert,
        @Nullable String key,
        @JsonProperty("client_ca") @Nullable String clientCa) {
      this.cert = required(cert, "cert");
      this.key = required(key, "key");
      this.clientCa = required(clientCa, "client_ca");
    }
  }

  /**
   * The identity provider whose JWTs are the subject tokens, and this service's client ids there: a
   * subject token's {@code aud} must name one (RFC 8725 3.9), so an ID token the provider issued to
   * another of its clients is not accepted here.
   */
  public record Identity(
      List<String> issuers, String jwks, @JsonProperty("client_ids") List<String> clientIds) {
    public Identity(
        @Nullable List<String> issuers,
        @Nullable String jwks,
        @JsonProperty("client_ids") @Nullable List<String> clientIds) {
      if (issuers == null || issuers.isEmpty()) {
        throw new IllegalArgumentException("issuers: missing");
      }
      this.issuers = List.copyOf(issuers);
      this.jwks = required(jwks, "jwks");
      if (clientIds == null || clientIds.isEmpty()) {
        throw new IllegalArgumentException(
            "client_ids: missing (expected: this service's client ids at the identity provider,"
                + " which a subject token's aud must name)");
      }
      this.clientIds = List.copyOf(clientIds);
    }
  }

  /**
   * Which hop tokens are one-time ({@code once: true}): the service's choice, not the requester's.
   * A hop token for a component (its {@code audience}) listed here is always one-time.
   */
  public record OneTime(List<String> components) {
    public OneTime(@Nullable List<String> components) {
      this.components = components == null ? List.of() : List.copyOf(components);
    }
  }

  private static String required(@Nullable String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + ": missing");
    }
    return value;
  }
}
