package dev.hopgate.server;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.ShadowPolicy;
import dev.hopgate.pdp.evidence.DecisionLog;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.server.association.AssociationLink;
import dev.hopgate.server.association.AssociationService;
import dev.hopgate.server.grpc.Caller;
import dev.hopgate.server.grpc.CheckWorkers;
import dev.hopgate.server.grpc.CompletionProcessor;
import dev.hopgate.server.grpc.DecisionListener;
import dev.hopgate.server.telemetry.EvidenceExporter;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * hopgate's Prometheus metrics, served at {@code /metrics} on their own port: checks by outcome,
 * gate and code; latency of the whole check, the floor and the engine; the signature cache; the
 * decision log's queue; completion records; the shadow engine's comparisons; and which revision
 * serves.
 */
final class Metrics implements AutoCloseable {
  private static final double[] BUCKETS = {
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25
  };

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter checks;
  private final Histogram checkSeconds;
  private final Histogram floorSeconds;
  private final Histogram engineSeconds;
  private @Nullable HTTPServer server;

  Metrics() {
    checks =
        Counter.builder()
            .name("hopgate_checks_total")
            .help("Checks decided, by outcome, first gate and code")
            .labelNames("outcome", "gate", "code")
            .register(registry);
    checkSeconds =
        Histogram.builder()
            .name("hopgate_check_duration_seconds")
            .help("Check latency inside hopgate")
            .classicUpperBounds(BUCKETS)
            .register(registry);
    floorSeconds =
        Histogram.builder()
            .name("hopgate_verification_duration_seconds")
            .help("Time in the structural floor (token, origin, chain, completions)")
            .classicUpperBounds(BUCKETS)
            .register(registry);
    engineSeconds =
        Histogram.builder()
            .name("hopgate_engine_evaluation_duration_seconds")
            .help("Time in the policy engine")
            .labelNames("engine")
            .classicUpperBounds(BUCKETS)
            .register(registry);
  }

  /** The decision records' OTLP export (telemetry.evidence): sent, dropped, failed attempts. */
  void watchEvidence(EvidenceExporter exporter) {
    CounterWithCallback.builder()
        .name("hopgate_evidence_export_records_total")
        .help(
            "Decision-log records shipped as OTLP logs, by result (sent: acknowledged; dropped: the queue"
                + " was full or hopgate stopped first)")
        .labelNames("result")
        .callback(
            cb -> {
              cb.call(exporter.sent(), "sent");
              cb.call(exporter.dropped(), "dropped");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_evidence_export_failures_total")
        .help("Export attempts that failed (each batch is sent again, with backoff)")
        .callback(cb -> cb.call(exporter.failures()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("hopgate_evidence_export_queue")
        .help("Decision-log records waiting to be shipped")
        .callback(cb -> cb.call(exporter.queued()))
        .register(registry);
  }

  /** The gauges and counters read at scrape time from the running parts. */
  void watch(
      Supplier<DecisionPoint> decisionPoint,
      JwsVerifier verifier,
      DecisionLog log,
      CompletionProcessor completions,
      AssociationLink association,
      AssociationService associationService,
      AtomicLong refusedCallers) {
    CounterWithCallback.builder()
        .name("hopgate_callers_refused_total")
        .help(
            "Calls refused because the caller is not named for that service (callers.envoys, callers.hopgates)")
        .callback(cb -> cb.call(refusedCallers.get()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_association_signals_refused_total")
        .help(
            "Association signals refused: malformed, or their transition or record is not evidence of them")
        .callback(cb -> cb.call(associationService.refused()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_completions_ignored_total")
        .help(
            "Completion records (carried or from the association's ledger) that did not verify and were ignored")
        .callback(cb -> cb.call(decisionPoint.get().ignoredCompletions()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_association_failures_total")
        .help(
            "Association signals lost and ledger lookups unanswered (decisions went on without them)")
        .labelNames("kind")
        .callback(
            cb -> {
              cb.call(association.lost(), "signal_lost");
              cb.call(association.lookupsFailed(), "lookup_failed");
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("hopgate_revision_info")
        .help("The revision that serves (1)")
        .labelNames("revision", "policy_revision", "engine")
        .callback(
            cb -> {
              var snapshot = decisionPoint.get().snapshot();
              cb.call(
                  1, snapshot.revision(), snapshot.policy().revision(), snapshot.policy().engine());
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_shadow_comparisons_total")
        .help(
            "The shadow engine's comparisons with the primary, by result (engine shadow only; a reload starts"
                + " them again)")
        .labelNames("result")
        .callback(
            cb -> {
              if (decisionPoint.get().snapshot().policy() instanceof ShadowPolicy shadow) {
                long disagreed = shadow.disagreements();
                cb.call(shadow.compared() - disagreed, "agreed");
                cb.call(disagreed, "disagreed");
                cb.call(shadow.skipped(), "skipped");
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("hopgate_shadow_pending")
        .help("Shadow comparisons queued or running (engine shadow only)")
        .callback(
            cb -> {
              if (decisionPoint.get().snapshot().policy() instanceof ShadowPolicy shadow) {
                cb.call(shadow.pending());
              }
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_signature_cache_lookups_total")
        .help("Verified-signature cache lookups, by result")
        .labelNames("result")
        .callback(
            cb -> {
              long[] hm = verifier.cacheHitsAndMisses();
              cb.call(hm[0], "hit");
              cb.call(hm[1], "miss");
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("hopgate_decision_log_queue_depth")
        .help("Decision records not yet written")
        .callback(cb -> cb.call(log.queueDepth()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_decision_log_records_total")
        .help("Decision records, by fate")
        .labelNames("fate")
        .callback(
            cb -> {
              cb.call(log.written(), "written");
              cb.call(log.dropped(), "dropped");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_completion_records_total")
        .help("Completion records of observed successes, by fate")
        .labelNames("fate")
        .callback(
            cb -> {
              cb.call(completions.records(), "minted");
              cb.call(completions.lost(), "lost");
              cb.call(completions.refused(), "refused");
            })
        .register(registry);
  }

  /** Load shedding, retries, and what ALLOWs nobody was answered with left spent. */
  void watchChecks(Supplier<DecisionPoint> decisionPoint, CheckWorkers workers) {
    CounterWithCallback.builder()
        .name("hopgate_checks_shed_total")
        .help("Checks answered overloaded at once: every worker busy and checks.queue full")
        .callback(cb -> cb.call(workers.shed()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("hopgate_checks_queued")
        .help("Checks waiting for a worker")
        .callback(cb -> cb.call(workers.queued()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_check_retries_total")
        .help(
            "Envoy's retries of an ALLOW (same stream id and request time), answered as that ALLOW")
        .callback(cb -> cb.call(decisionPoint.get().spending().retries()))
        .register(registry);
    CounterWithCallback.builder()
        .name("hopgate_unanswered_spends_total")
        .help(
            "Reservations of ALLOWs never answered as such (deadline, lost store reply, refused record), by"
                + " fate: released, or unreleased (spent although no client saw it, until it expires)")
        .labelNames("fate")
        .callback(
            cb -> {
              cb.call(decisionPoint.get().spending().released(), "released");
              cb.call(decisionPoint.get().spending().unreleased(), "unreleased");
            })
        .register(registry);
  }

  /**
   * Counts every decision under the engine {@code engine} names at the time (reloads change it).
   */
  DecisionListener listener(Supplier<String> engine) {
    return (decision, nanos) -> record(decision, nanos, engine.get());
  }

  void record(Decision decision, long checkNanos, String engine) {
    String gate =
        decision.violations().isEmpty() ? "" : decision.violations().get(0).gate().wireName();
    String code = decision.violations().isEmpty() ? "" : decision.violations().get(0).code();
    checks.labelValues(decision.outcome().name(), gate, code).inc();
    checkSeconds.observe(checkNanos / 1e9);
    if (decision.timings().floorNanos() > 0) {
      floorSeconds.observe(decision.timings().floorNanos() / 1e9);
    }
    if (decision.timings().engineNanos() > 0) {
      engineSeconds.labelValues(engine).observe(decision.timings().engineNanos() / 1e9);
    }
  }

  /**
   * Serves {@code /metrics} on {@code address}: plaintext (on loopback), or HTTPS requiring a
   * client certificate whose URI SAN is one of {@code scrapers}.
   */
  void serve(InetSocketAddress address, @Nullable SSLContext mtls, List<String> scrapers)
      throws IOException {
    HTTPServer.Builder builder =
        HTTPServer.builder()
            .hostname(address.getHostString())
            .port(address.getPort())
            .registry(registry);
    if (mtls != null) {
      builder
          .httpsConfigurator(
              new HttpsConfigurator(mtls) {
                @Override
                public void configure(HttpsParameters parameters) {
                  SSLParameters ssl = mtls.getDefaultSSLParameters();
                  ssl.setNeedClientAuth(true);
                  parameters.setSSLParameters(ssl);
                }
              })
          .authenticator(
              new Authenticator() {
                @Override
                public Result authenticate(HttpExchange exchange) {
                  String id =
                      exchange instanceof HttpsExchange https
                          ? Caller.uriOf(https.getSSLSession())
                          : null;
                  return id != null && scrapers.contains(id)
                      ? new Success(new HttpPrincipal(id, "mtls"))
                      : new Failure(403);
                }
              });
    }
    server = builder.buildAndStart();
  }

  int port() {
    return server == null ? -1 : server.getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
