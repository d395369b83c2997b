package dev.hopgate.server.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.pdp.evidence.DecisionLog;
import dev.hopgate.testing.Eventually;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The export's own logic: order, the attributes a receiver verifies by, retry of a failed batch
 * until it is taken, the bound on what waits, and every record not delivered counted. The receiver
 * here is a LogRecordExporter that refuses while told to (EvidenceExportIT runs a real Collector).
 */
class EvidenceExporterTest {
  /** Takes batches, or refuses them all while {@code down}. */
  private static final class Receiver implements LogRecordExporter {
    final List<LogRecordData> got = new CopyOnWriteArrayList<>();
    final AtomicBoolean down = new AtomicBoolean();

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      if (down.get()) {
        return CompletableResultCode.ofFailure();
      }
      got.addAll(logs);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  private static List<DecisionLog.Written> records(long from, int n) {
    List<DecisionLog.Written> out = new ArrayList<>();
    for (long s = from; s < from + n; s++) {
      out.add(
          new DecisionLog.Written(
              s,
              "sha256:h" + s,
              "sha256:h" + (s - 1),
              "decision",
              "txn-1",
              Instant.EPOCH,
              "{\"sequence\":" + s + "}"));
    }
    return out;
  }

  private static EvidenceExporter exporter(Receiver receiver, int queue) {
    return new EvidenceExporter(
        receiver,
        Resource.empty(),
        "test",
        new EvidenceExporter.Settings(
            queue, 3, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(2)));
  }

  @Test
  void shipsEveryRecordInOrder_withItsLineAndChainAttributes() throws Exception {
    Receiver receiver = new Receiver();
    EvidenceExporter exporter = exporter(receiver, 100);
    exporter.written(records(1, 10));
    Eventually.until("all ten sent", () -> exporter.sent() == 10);
    exporter.close();

    assertThat(receiver.got).hasSize(10);
    LogRecordData third = receiver.got.get(2);
    assertThat(third.getBodyValue().asString()).isEqualTo("{\"sequence\":3}");
    assertThat(third.getAttributes().get(EvidenceExporter.SEQUENCE)).isEqualTo(3L);
    assertThat(third.getAttributes().get(EvidenceExporter.HASH)).isEqualTo("sha256:h3");
    assertThat(third.getAttributes().get(EvidenceExporter.PREV_HASH)).isEqualTo("sha256:h2");
    assertThat(third.getInstrumentationScopeInfo().getName()).isEqualTo(EvidenceExporter.SCOPE);
    assertThat(receiver.got.stream().map(r -> r.getAttributes().get(EvidenceExporter.SEQUENCE)))
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    assertThat(exporter.dropped()).isZero();
  }

  @Test
  void aReceiverDown_keepsWhatTheQueueHolds_dropsAndCountsTheRest_thenDelivers() throws Exception {
    Receiver receiver = new Receiver();
    receiver.down.set(true);
    EvidenceExporter exporter = exporter(receiver, 4);
    exporter.written(records(1, 1));
    Eventually.until("the first batch failed", () -> exporter.failures() >= 1);
    // One batch in hand (retried), four queued behind it, the rest dropped at once.
    exporter.written(records(2, 10));
    assertThat(exporter.dropped()).isEqualTo(6);
    Eventually.until("it keeps retrying", () -> exporter.failures() >= 3);

    receiver.down.set(false);
    Eventually.until("what was kept is delivered", () -> exporter.sent() == 5);
    exporter.close();
    assertThat(receiver.got.stream().map(r -> r.getAttributes().get(EvidenceExporter.SEQUENCE)))
        .containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(exporter.dropped()).isEqualTo(6);
  }

  @Test
  void stoppingWhileTheReceiverIsDown_givesUpAfterTheDrainTime_andCountsWhatIsLeft()
      throws Exception {
    Receiver receiver = new Receiver();
    receiver.down.set(true);
    EvidenceExporter exporter = exporter(receiver, 100);
    exporter.written(records(1, 7));
    Eventually.until("a send failed", () -> exporter.failures() >= 1);
    exporter.close();
    assertThat(exporter.sent()).isZero();
    assertThat(exporter.dropped()).isEqualTo(7);
    exporter.written(records(8, 2));
    assertThat(exporter.dropped()).as("records after close are counted, not queued").isEqualTo(9);
  }
}
