package dev.hopgate.server.config;

import static java.util.Objects.requireNonNullElse;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * OpenTelemetry export (docs/observability.md): traces, and the decision records as OTLP logs, each
 * to an OTLP/HTTP endpoint; each off unless its endpoint is set. Plain {@code http://} only to a
 * loopback address (a collector beside hopgate); anywhere else {@code https://} with {@code
 * tls.ca}, since the records name principals and txns.
 */
public record Telemetry(
    @JsonProperty("service_name") String serviceName,
    @Nullable ExportTls tls,
    @Nullable Traces traces,
    @Nullable Evidence evidence) {
  public static final Telemetry OFF = new Telemetry(null, null, null, null);

  public Telemetry(
      @JsonProperty("service_name") @Nullable String serviceName,
      @Nullable ExportTls tls,
      @Nullable Traces traces,
      @Nullable Evidence evidence) {
    this.serviceName = requireNonNullElse(serviceName, "hopgate");
    if (this.serviceName.isBlank()) {
      throw new IllegalArgumentException("service_name: empty");
    }
    this.tls = tls;
    this.traces = traces;
    this.evidence = evidence;
    if (traces != null) {
      endpoint("traces.endpoint", traces.endpoint(), tls);
    }
    if (evidence != null) {
      endpoint("evidence.endpoint", evidence.endpoint(), tls);
    }
  }

  /** Checks an OTLP/HTTP endpoint against the rule above. */
  private static void endpoint(String field, String endpoint, @Nullable ExportTls tls) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(field + ": '" + endpoint + "' is not a URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
      throw new IllegalArgumentException(
          field
              + ": '"
              + endpoint
              + "' (expected: an OTLP/HTTP URL, as in http://127.0.0.1:4318/v1/logs)");
    }
    if (uri.getUserInfo() != null) {
      throw new IllegalArgumentException(
          field + ": a URL with credentials in it (they would be logged with it)");
    }
    if (scheme.equals("http")) {
      int port = uri.getPort() == -1 ? 80 : uri.getPort();
      if (!new Listen.Tcp(InetSocketAddress.createUnresolved(uri.getHost(), port)).loopback()) {
        throw new IllegalArgumentException(
            field
                + ": '"
                + endpoint
                + "' is plain http to a host that is not loopback: use https with tls.ca");
      }
    } else if (tls == null) {
      throw new IllegalArgumentException(
          field + ": https needs tls.ca (the CA the collector's certificate is checked against)");
    }
  }

  /**
   * The CA the collector's certificate is checked against, and optionally a client certificate and
   * key (PEM) for a collector that asks for one.
   */
  public record ExportTls(String ca, @Nullable String cert, @Nullable String key) {
    public ExportTls(@Nullable String ca, @Nullable String cert, @Nullable String key) {
      this.ca = HopgateConfig.required(ca, "ca", "a PEM CA file");
      if ((cert == null) != (key == null)) {
        throw new IllegalArgumentException("cert and key: set both, or neither");
      }
      this.cert = cert;
      this.key = key;
    }
  }

  /**
   * Spans of Checks, their stages and ext_proc streams. {@code sampler}: {@code parent_based}
   * (default: a request whose trace context says sampled is traced, one that says not is not, one
   * with none at {@code ratio}), {@code ratio} (every trace at {@code ratio}, whatever its parent
   * says), {@code always_on}, {@code always_off}.
   */
  public record Traces(String endpoint, String sampler, Double ratio) {
    public Traces(@Nullable String endpoint, @Nullable String sampler, @Nullable Double ratio) {
      this.endpoint = HopgateConfig.required(endpoint, "endpoint", "an OTLP/HTTP traces URL");
      this.sampler = requireNonNullElse(sampler, "parent_based");
      if (!java.util.Set.of("parent_based", "ratio", "always_on", "always_off")
          .contains(this.sampler)) {
        throw new IllegalArgumentException(
            "sampler: '"
                + this.sampler
                + "' (expected: parent_based, ratio, always_on or always_off)");
      }
      this.ratio = requireNonNullElse(ratio, 1.0);
      if (!(this.ratio >= 0 && this.ratio <= 1)) {
        throw new IllegalArgumentException("ratio: " + this.ratio + " (expected: 0..1)");
      }
    }
  }

  /**
   * The decision records shipped as OTLP logs: in batches of up to {@code batch}, from a queue of
   * at most {@code queue} (a record that finds it full is dropped and counted); a failed batch is
   * sent again after {@code retry_initial}, doubling up to {@code retry_max}; on stop, what is
   * queued gets {@code drain_on_stop}.
   */
  public record Evidence(
      String endpoint,
      Integer queue,
      Integer batch,
      @JsonProperty("retry_initial") Duration retryInitial,
      @JsonProperty("retry_max") Duration retryMax,
      @JsonProperty("drain_on_stop") Duration drainOnStop) {
    public Evidence(
        @Nullable String endpoint,
        @Nullable Integer queue,
        @Nullable Integer batch,
        @JsonProperty("retry_initial") @Nullable Duration retryInitial,
        @JsonProperty("retry_max") @Nullable Duration retryMax,
        @JsonProperty("drain_on_stop") @Nullable Duration drainOnStop) {
      this.endpoint = HopgateConfig.required(endpoint, "endpoint", "an OTLP/HTTP logs URL");
      this.queue = requireNonNullElse(queue, 100_000);
      if (this.queue < 1 || this.queue > 10_000_000) {
        throw new IllegalArgumentException("queue: " + this.queue + " (expected: 1..10000000)");
      }
      this.batch = requireNonNullElse(batch, 512);
      if (this.batch < 1 || this.batch > 10_000) {
        throw new IllegalArgumentException("batch: " + this.batch + " (expected: 1..10000)");
      }
      this.retryInitial =
          Durations.within(
              "retry_initial",
              requireNonNullElse(retryInitial, Duration.ofMillis(500)),
              Duration.ofMillis(1),
              Duration.ofMinutes(1));
      this.retryMax =
          Durations.within(
              "retry_max",
              requireNonNullElse(retryMax, Duration.ofSeconds(30)),
              this.retryInitial,
              Duration.ofMinutes(10));
      this.drainOnStop =
          Durations.within(
              "drain_on_stop",
              requireNonNullElse(drainOnStop, Duration.ofSeconds(5)),
              Duration.ZERO,
              Duration.ofMinutes(1));
    }
  }
}
