package dev.hopgate.server.telemetry;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.evidence.DecisionLog;
import dev.hopgate.server.StartupException;
import dev.hopgate.server.config.ConfigLoader;
import dev.hopgate.server.config.Telemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * What {@code telemetry} configures, built once at start: the tracer provider (spans batched and
 * exported by the SDK's own thread) and the decision records' exporter. With neither configured,
 * nothing of the SDK runs and every span is a no-op.
 */
public final class TelemetryExport implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(TelemetryExport.class.getName());

  private final @Nullable SdkTracerProvider tracerProvider;
  private final @Nullable EvidenceExporter evidence;
  private final CheckSpans spans;

  private TelemetryExport(
      @Nullable SdkTracerProvider tracerProvider, @Nullable EvidenceExporter evidence) {
    this.tracerProvider = tracerProvider;
    this.evidence = evidence;
    this.spans =
        tracerProvider == null
            ? CheckSpans.OFF
            : CheckSpans.with(tracerProvider.get(DecisionPoint.TRACER, version()));
  }

  /**
   * Builds what the configuration asks for.
   *
   * @param enforcementPoint this hopgate's id, the resource every span and record names
   * @throws StartupException when the TLS files cannot be read
   */
  public static TelemetryExport start(ConfigLoader.Loaded loaded, String enforcementPoint)
      throws StartupException {
    try {
      return build(loaded, enforcementPoint);
    } catch (RuntimeException e) {
      // The OTLP builders refuse a PEM they cannot read with an unchecked exception.
      throw new StartupException("telemetry.tls: " + e.getMessage(), e);
    }
  }

  private static TelemetryExport build(ConfigLoader.Loaded loaded, String enforcementPoint)
      throws StartupException {
    Telemetry config = loaded.config().telemetry();
    Resource resource =
        Resource.getDefault()
            .merge(
                Resource.builder()
                    .put(AttributeKey.stringKey("service.name"), config.serviceName())
                    .put(AttributeKey.stringKey("service.version"), version())
                    .put(AttributeKey.stringKey("service.instance.id"), enforcementPoint)
                    .put(AttributeKey.stringKey("hopgate.enforcement_point"), enforcementPoint)
                    .build());
    Tls tls = Tls.read(loaded, config.tls());
    SdkTracerProvider tracer = null;
    if (config.traces() != null) {
      Telemetry.Traces traces = config.traces();
      OtlpHttpSpanExporterBuilder exporter =
          OtlpHttpSpanExporter.builder()
              .setEndpoint(traces.endpoint())
              .setTimeout(Duration.ofSeconds(10));
      if (tls != null) {
        exporter.setTrustedCertificates(tls.ca());
        if (tls.cert() != null && tls.key() != null) {
          exporter.setClientTls(tls.key(), tls.cert());
        }
      }
      tracer =
          SdkTracerProvider.builder()
              .setResource(resource)
              .setSampler(sampler(traces))
              // The SDK's own thread batches and exports; a Check only adds its spans to the
              // queue (2048 spans, then they are dropped: traces are best-effort, unlike the
              // decision records).
              .addSpanProcessor(BatchSpanProcessor.builder(exporter.build()).build())
              .build();
      LOG.log(
          System.Logger.Level.INFO,
          "traces: OTLP/HTTP to {0} (sampler {1}, ratio {2})",
          traces.endpoint(),
          traces.sampler(),
          traces.ratio());
    }
    EvidenceExporter evidence = null;
    if (config.evidence() != null) {
      Telemetry.Evidence e = config.evidence();
      OtlpHttpLogRecordExporterBuilder exporter =
          OtlpHttpLogRecordExporter.builder()
              .setEndpoint(e.endpoint())
              .setTimeout(Duration.ofSeconds(10))
              // The exporter retries a batch itself, with backoff and without limit: the SDK's
              // own retries would only hide failures from its count.
              .setRetryPolicy(null);
      if (tls != null) {
        exporter.setTrustedCertificates(tls.ca());
        if (tls.cert() != null && tls.key() != null) {
          exporter.setClientTls(tls.key(), tls.cert());
        }
      }
      evidence =
          new EvidenceExporter(
              exporter.build(),
              resource,
              version(),
              new EvidenceExporter.Settings(
                  e.queue(), e.batch(), e.retryInitial(), e.retryMax(), e.drainOnStop()));
      LOG.log(
          System.Logger.Level.INFO,
          "decision records: OTLP/HTTP logs to {0} (queue {1,number,#}, batches of {2})",
          e.endpoint(),
          e.queue(),
          e.batch());
    }
    return new TelemetryExport(tracer, evidence);
  }

  private static Sampler sampler(Telemetry.Traces traces) {
    return switch (traces.sampler()) {
      case "always_on" -> Sampler.alwaysOn();
      case "always_off" -> Sampler.alwaysOff();
      case "ratio" -> Sampler.traceIdRatioBased(traces.ratio());
      default -> Sampler.parentBased(Sampler.traceIdRatioBased(traces.ratio()));
    };
  }

  /** The spans the gRPC services start (no-ops when traces are off). */
  public CheckSpans spans() {
    return spans;
  }

  /** Whether traces are exported. */
  public boolean tracing() {
    return tracerProvider != null;
  }

  /** The decision records' exporter, or null when they are not shipped. */
  public @Nullable EvidenceExporter evidence() {
    return evidence;
  }

  /** The decision log's tap: the exporter, or none. */
  public DecisionLog.Tap tap() {
    return evidence == null ? DecisionLog.Tap.NONE : evidence;
  }

  /** Sends what is queued (spans, records), then stops; after the decision log has closed. */
  @Override
  public void close() throws InterruptedException {
    if (evidence != null) {
      evidence.close();
    }
    if (tracerProvider != null) {
      tracerProvider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  private static String version() {
    String version = TelemetryExport.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** The export's TLS material, read once (PEM bytes, as the OTLP exporters take them). */
  private record Tls(byte[] ca, byte @Nullable [] cert, byte @Nullable [] key) {
    static @Nullable Tls read(ConfigLoader.Loaded loaded, Telemetry.@Nullable ExportTls tls)
        throws StartupException {
      if (tls == null) {
        return null;
      }
      try {
        return new Tls(
            Files.readAllBytes(loaded.path(tls.ca())),
            tls.cert() == null ? null : Files.readAllBytes(loaded.path(tls.cert())),
            tls.key() == null ? null : Files.readAllBytes(loaded.path(tls.key())));
      } catch (IOException e) {
        throw new StartupException("telemetry.tls: " + e.getMessage(), e);
      }
    }
  }
}
