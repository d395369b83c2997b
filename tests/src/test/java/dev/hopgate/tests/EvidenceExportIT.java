package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.CollectorProcess;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.MetricsScrape;
import dev.hopgate.tests.harness.Ports;
import dev.hopgate.tests.harness.Tools;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * hopgate ships its decision records as OTLP logs to a real OpenTelemetry Collector (ocb-built,
 * OTLP receiver and file exporter). What the collector wrote, read back with {@code hopgate log
 * from-otlp}, is the local log line for line and passes {@code hopgate log verify --key}. With the
 * collector down, every Check is still answered as before, records beyond the bounded queue are
 * dropped and counted, and once it is back the rest arrive; the receiver's copy then names the
 * records it never got.
 */
class EvidenceExportIT {
  private static final String SENT = "hopgate_evidence_export_records_total{result=\"sent\"}";
  private static final String DROPPED = "hopgate_evidence_export_records_total{result=\"dropped\"}";
  private static final String FAILED = "hopgate_evidence_export_failures_total";

  @TempDir Path dir;

  private record Run(int exit, String output) {}

  private Run hopgate(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Tools.java().toString(), "-jar"));
    command.add(Tools.hopgateJar().toString());
    command.addAll(List.of(args));
    Path out = dir.resolve("cli-" + System.nanoTime() + ".txt");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("hopgate " + args[0] + " finished").isTrue();
    return new Run(p.exitValue(), Files.readString(out));
  }

  @Test
  void shippedRecords_verifyAtTheReceiver_andAnOutageIsCountedNotFelt() throws Exception {
    Path collectorDir = Files.createDirectories(dir.resolve("collector"));
    CollectorProcess collector = CollectorProcess.start(collectorDir);
    int metricsPort = Ports.free();
    Path stackDir = Files.createDirectories(dir.resolve("stack"));
    Path local = stackDir.resolve("decisions.jsonl");
    Path key = stackDir.resolve("hopgate.private.jwk.json");
    try {
      EdgeStack stack =
          EdgeStack.start(
              stackDir,
              """
              metrics: {listen: "127.0.0.1:%d"}
              decision_log: { path: decisions.jsonl, checkpoint_every: 3 }
              telemetry:
                evidence:
                  endpoint: "%s"
                  queue: 4
                  batch: 2
                  retry_initial: 50ms
                  retry_max: 200ms
              """
                  .formatted(metricsPort, collector.otlpHttpLogs()));
      try (stack) {
        SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
        for (int i = 0; i < 4; i++) {
          HttpResponse<String> r =
              stack.get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY));
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        // Everything written so far reaches the collector, which writes it to its file.
        Path receivedFile = collector.received();
        Eventually.until(
            "the collector holds every record the local log holds",
            () -> {
              long written = Files.readAllLines(local).size();
              MetricsScrape m = MetricsScrape.of(metricsPort);
              return written > 0
                  && m.value(SENT) >= written
                  && readBack("up.jsonl", receivedFile).exit() == 0
                  && Files.readAllLines(dir.resolve("up.jsonl")).size() >= written;
            });
        List<String> localNow = Files.readAllLines(local, StandardCharsets.UTF_8);
        List<String> received = Files.readAllLines(dir.resolve("up.jsonl"), StandardCharsets.UTF_8);
        assertThat(received.subList(0, localNow.size()))
            .as("the receiver's records are the local log's lines, in order")
            .isEqualTo(localNow);
        Run up =
            hopgate(
                "log",
                "verify",
                dir.resolve("up.jsonl").toString(),
                "--key",
                key.toString(),
                "--open");
        assertThat(up.exit()).as(up.output()).isZero();
        assertThat(up.output()).contains("intact").contains("checkpoints signed");

        // The collector goes away: Checks are answered exactly as before, the records beyond the
        // queue are dropped and counted, and the failed sends too.
        collector.close();
        MetricsScrape before = MetricsScrape.of(metricsPort);
        for (int i = 0; i < 12; i++) {
          HttpResponse<String> r =
              stack.get(planner, "/inventory/reserve", stack.credentials(EdgeStack.INVENTORY));
          assertThat(r.statusCode())
              .as("a Check while the collector is down: " + r.body())
              .isEqualTo(200);
        }
        MetricsScrape down =
            Eventually.until(
                "drops and failed sends are counted",
                () -> MetricsScrape.of(metricsPort),
                m -> m.since(before, DROPPED) > 0 && m.since(before, FAILED) > 0);
        assertThat(
                down.since(before, "hopgate_checks_total{code=\"\",gate=\"\",outcome=\"ALLOW\"}"))
            .isEqualTo(12);

        // Back: what the queue kept is delivered.
        collector = CollectorProcess.again(collector, collectorDir);
        CollectorProcess back = collector;
        Eventually.until(
            "the queue drains into the collector once it is back",
            () -> MetricsScrape.of(metricsPort),
            m -> m.value("hopgate_evidence_export_queue") == 0 && m.since(down, SENT) > 0);
        assertThat(back.isAlive()).isTrue();
      }
      // hopgate stopped: its closing checkpoint was shipped too (drained before it exited).
      Run gaps = readBack("all.jsonl", collector.received());
      assertThat(gaps.exit())
          .as("a receiver's log with holes is not whole: " + gaps.output())
          .isEqualTo(1);
      assertThat(gaps.output())
          .as("the receiver names the records it never got")
          .contains("MISSING");
      Run broken =
          hopgate("log", "verify", dir.resolve("all.jsonl").toString(), "--key", key.toString());
      assertThat(broken.exit()).as(broken.output()).isEqualTo(1);
      assertThat(broken.output()).contains("BROKEN");
      List<String> all = Files.readAllLines(dir.resolve("all.jsonl"));
      List<String> whole = Files.readAllLines(local);
      assertThat(all.get(all.size() - 1))
          .as("the closing checkpoint reached the receiver")
          .isEqualTo(whole.get(whole.size() - 1));
    } finally {
      collector.close();
    }
  }

  private Run readBack(String out, Path received) throws Exception {
    if (!Files.exists(received)) {
      return new Run(1, "nothing received yet");
    }
    return hopgate("log", "from-otlp", received.toString(), "--out", dir.resolve(out).toString());
  }
}
