package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.MetricsScrape;
import dev.hopgate.tests.harness.OpaProcess;
import dev.hopgate.tests.harness.Ports;
import dev.hopgate.tests.harness.RedisProcess;
import dev.hopgate.tests.harness.ToxiproxyProcess;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One outcome per request (issue 17), through a real Envoy, with the state store's network path
 * delayed or stalled by a real Toxiproxy: what the client saw is what the decision log holds, and
 * an ALLOW nobody was answered with leaves nothing spent (or is counted and logged when it could
 * not be given back).
 */
class OneOutcomeIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** Redis behind Toxiproxy, hopgate's state there, Envoy's Check timeout {@code checkTimeout}. */
  private record Rig(RedisProcess redis, ToxiproxyProcess toxiproxy, EdgeStack stack, int metrics)
      implements AutoCloseable {
    static Rig start(Path dir, Duration checkTimeout, String stateTimeout, String extraConfig)
        throws Exception {
      RedisProcess redis = RedisProcess.start(Files.createDirectories(dir.resolve("redis")));
      ToxiproxyProcess toxiproxy = ToxiproxyProcess.start(dir);
      int proxied = toxiproxy.proxy("redis", redis.port());
      int metrics = Ports.free();
      EdgeStack stack =
          EdgeStack.start(
              Files.createDirectories(dir.resolve("edge")),
              """
              state: { store: redis, redis: "redis://127.0.0.1:%d", timeout: %s }
              metrics: { listen: "127.0.0.1:%d" }
              %s
              """
                  .formatted(proxied, stateTimeout, metrics, extraConfig),
              EdgeStack.Callers.DEFAULT,
              EdgeStack.Wiring.MTLS,
              checkTimeout);
      return new Rig(redis, toxiproxy, stack, metrics);
    }

    SSLContext planner() {
      return stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
    }

    Map<String, String> once() {
      return stack.credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));
    }

    MetricsScrape scrape() {
      return MetricsScrape.of(metrics);
    }

    /** The log's records (decisions, retries, notes) of {@code txn}, in order, once written. */
    List<JsonNode> records(String txn, int atLeast) {
      return records("txn", txn, atLeast);
    }

    /** The same, of the decision {@code id}. */
    List<JsonNode> recordsOfDecision(String id, int atLeast) {
      return records("decision_id", id, atLeast);
    }

    private List<JsonNode> records(String field, String value, int atLeast) {
      return Eventually.until(
          "the decision log holds " + atLeast + " records of " + field + " " + value,
          () -> {
            List<JsonNode> of = new ArrayList<>();
            for (String line : Files.readAllLines(stack.decisionLog())) {
              JsonNode r = JSON.readTree(line);
              JsonNode at = field.equals("txn") ? r.path("txn") : r.at("/payload/" + field);
              if (value.equals(at.asText())) {
                of.add(r);
              }
            }
            return of;
          },
          of -> of.size() >= atLeast);
    }

    @Override
    public void close() {
      stack.close();
      toxiproxy.close();
      redis.close();
    }
  }

  private static JsonNode problem(HttpResponse<String> response) throws Exception {
    assertThat(response.body())
        .as("a problem document from hopgate, not Envoy's own timeout (an empty 403)")
        .startsWith("{");
    return JSON.readTree(response.body());
  }

  private static String code(JsonNode problem) {
    return problem.at("/violations/0/code").asText();
  }

  /** What the log says of a record: its event, outcome and first code. */
  private static String said(JsonNode record) {
    JsonNode p = record.path("payload");
    return record.path("event_type").asText()
        + " "
        + p.path("outcome").asText()
        + " "
        + p.path("codes").path(0).asText();
  }

  /**
   * The attack: a Redis reply held back past Envoy's deadline. Before, Envoy timed out, hopgate
   * logged ALLOW and the once token stayed spent. Now hopgate answers TIMEOUT before Envoy's
   * timeout, and the reservation that arrived late is released.
   */
  @Test
  void aStoreDelayedPastTheDeadline_isATimeoutBeforeEnvoysOwn_andSpendsNothing() throws Exception {
    // A margin wide enough for a busy machine: hopgate answers 150 ms before Envoy gives up.
    try (Rig rig =
        Rig.start(dir, Duration.ofMillis(600), "3s", "checks: { deadline_margin: 150ms }\n")) {
      Map<String, String> once = rig.once();
      rig.toxiproxy().delay("redis", "slow-replies", "downstream", Duration.ofMillis(1500));

      HttpResponse<String> late = rig.stack().get(rig.planner(), "/inventory/reserve", once);

      JsonNode timeout = problem(late);
      assertThat(late.statusCode()).isEqualTo(403);
      assertThat(code(timeout)).isEqualTo("deadline_exceeded");
      rig.toxiproxy().remove("redis", "slow-replies");
      // The decision got its reply after the answer was given, lost the race, and gave back what
      // it reserved.
      Eventually.until(
          "the late reservation is released",
          rig::scrape,
          m -> m.value("hopgate_unanswered_spends_total{fate=\"released\"}") == 1);

      HttpResponse<String> fresh = rig.stack().get(rig.planner(), "/inventory/reserve", once);
      HttpResponse<String> again = rig.stack().get(rig.planner(), "/inventory/reserve", once);

      assertThat(fresh.statusCode()).as("nothing was spent: %s", fresh.body()).isEqualTo(200);
      assertThat(again.statusCode()).as("a once token, spent now").isEqualTo(401);
      String txn = timeout.path("txn").asText();
      List<JsonNode> log = rig.records(txn, 3);
      assertThat(log)
          .extracting(OneOutcomeIT::said)
          .containsExactly(
              "decision TIMEOUT deadline_exceeded",
              "decision ALLOW ",
              "decision DENY token_consumed");
      assertThat(log.get(0).at("/payload/decision_id").asText())
          .isEqualTo(timeout.path("decision_id").asText());
    }
  }

  /**
   * A decision log that cannot take a record (its writer is stuck: the log is a FIFO nobody reads
   * yet, and the queue holds one record) refuses an ALLOW that would spend before it spends; once
   * the log drains, the same once token is good.
   */
  @Test
  void aFullDecisionLog_refusesBeforeSpending() throws Exception {
    Path edge = Files.createDirectories(dir.resolve("edge"));
    Path fifo = edge.resolve("stuck.jsonl");
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    // hopgate reads an existing log's last record at start: give it an empty one (a writer that
    // opens and closes), then the writer thread blocks opening the FIFO until the test reads it.
    CompletableFuture<Void> emptyAtStart =
        CompletableFuture.runAsync(
            () -> {
              try {
                Files.newOutputStream(fifo).close();
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    List<String> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (EdgeStack stack =
        EdgeStack.start(edge, "decision_log: { path: stuck.jsonl, queue: 1 }\n")) {
      emptyAtStart.get();
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      Map<String, String> once = stack.credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));

      HttpResponse<String> refused = stack.get(planner, "/inventory/reserve", once);

      JsonNode full = problem(refused);
      assertThat(code(full)).isEqualTo("evidence_unavailable");
      CompletableFuture<Void> reader =
          CompletableFuture.runAsync(
              () -> {
                try (var lines = Files.newBufferedReader(fifo)) {
                  for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    written.add(line);
                  }
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
      HttpResponse<String> fresh =
          Eventually.until(
              "the drained log takes records again",
              () -> stack.get(planner, "/inventory/reserve", once),
              r -> !r.body().contains("evidence_unavailable"));
      HttpResponse<String> again = stack.get(planner, "/inventory/reserve", once);

      assertThat(fresh.statusCode()).as("nothing was spent: %s", fresh.body()).isEqualTo(200);
      assertThat(again.statusCode()).as("spent now").isEqualTo(401);
      String txn = full.path("txn").asText();
      List<String> ofTxn =
          Eventually.until(
              "the log holds the ALLOW and the DENY of " + txn,
              () ->
                  written.stream()
                      .map(OneOutcomeIT::parse)
                      .filter(r -> txn.equals(r.path("txn").asText()))
                      .map(OneOutcomeIT::said)
                      .toList(),
              l -> l.size() >= 2);
      // The refusal itself could not be recorded (the log was full): counted as dropped, and no
      // ALLOW stands for it.
      assertThat(ofTxn).containsExactly("decision ALLOW ", "decision DENY token_consumed");
      stack.close();
      reader.get();
    }
  }

  /**
   * The policy engine slow behind Toxiproxy (OPA's replies held back): past the engine's own limit
   * the Check is TIMEOUT {@code evaluation_timeout}; past Envoy's deadline first, TIMEOUT {@code
   * deadline_exceeded}. One outcome either way, nothing spent.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "evaluation_timeout, 300ms, 3000",
    "deadline_exceeded, 3s, 700",
  })
  void aSlowEngine_isATimeout_thatSpendsNothing(
      String expected, String engineTimeout, long checkTimeoutMillis) throws Exception {
    try (OpaProcess opa = OpaProcess.start(Files.createDirectories(dir.resolve("opa")));
        ToxiproxyProcess toxiproxy = ToxiproxyProcess.start(dir)) {
      int proxied = toxiproxy.proxy("opa", opa.uri().getPort());
      try (EdgeStack stack =
          EdgeStack.start(
              Files.createDirectories(dir.resolve("edge")),
              """
              opa_server: { url: "http://127.0.0.1:%d", timeout: %s }
              checks: { deadline_margin: 150ms }
              """
                  .formatted(proxied, engineTimeout),
              EdgeStack.Callers.DEFAULT,
              EdgeStack.Wiring.MTLS,
              Duration.ofMillis(checkTimeoutMillis),
              port -> Map.of(),
              "--engine",
              "opa-server")) {
        SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
        Map<String, String> once =
            stack.credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));
        toxiproxy.delay("opa", "slow-engine", "downstream", Duration.ofMillis(1500));

        HttpResponse<String> slow = stack.get(planner, "/inventory/reserve", once);

        JsonNode timeout = problem(slow);
        assertThat(code(timeout)).isEqualTo(expected);
        toxiproxy.remove("opa", "slow-engine");
        HttpResponse<String> fresh = stack.get(planner, "/inventory/reserve", once);
        assertThat(fresh.statusCode()).as("nothing was spent: %s", fresh.body()).isEqualTo(200);
        List<JsonNode> log =
            Eventually.until(
                "the log holds both decisions",
                () -> recordsIn(stack.decisionLog(), timeout.path("txn").asText()),
                l -> l.size() >= 2);
        assertThat(log)
            .extracting(OneOutcomeIT::said)
            .containsExactly("decision TIMEOUT " + expected, "decision ALLOW ");
      }
    }
  }

  /**
   * Envoy's retry of a Check whose ALLOW was lost on the way back (the connection to the first
   * hopgate endpoint then closed; Envoy retries on the second priority): the same CheckRequest, the
   * same stream id and request time. It is answered as that ALLOW, with its id: one decision in the
   * log, plus a {@code retry} record, and the once token spent once.
   */
  @Test
  void envoysRetryOfAnAllow_isOneDecision() throws Exception {
    int metrics = Ports.free();
    try (ToxiproxyProcess toxiproxy = ToxiproxyProcess.start(dir);
        EdgeStack stack =
            EdgeStack.start(
                Files.createDirectories(dir.resolve("edge")),
                "metrics: { listen: \"127.0.0.1:" + metrics + "\" }\n",
                EdgeStack.Callers.DEFAULT,
                EdgeStack.Wiring.MTLS,
                Duration.ofSeconds(20),
                hopgate -> {
                  int first = toxiproxy.proxy("first", hopgate);
                  int second = toxiproxy.proxy("second", hopgate);
                  return Map.of(
                      "HOPGATE_ADDRESS",
                      "{ socket_address: { address: 127.0.0.1, port_value: " + first + " } }",
                      "HOPGATE_FALLBACK",
                      "      - priority: 1\n        lb_endpoints:\n        - endpoint: { address: {"
                          + " socket_address: { address: 127.0.0.1, port_value: "
                          + second
                          + " } } }",
                      "HOPGATE_RETRY",
                      "retry_policy: { retry_on: \"reset,connect-failure\", num_retries: 1,"
                          + " retry_priority: { name: envoy.retry_priorities.previous_priorities,"
                          + " typed_config: { \"@type\":"
                          + " type.googleapis.com/envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig,"
                          + " update_frequency: 1 } } }");
                })) {
      SSLContext planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
      Map<String, String> once = stack.credentials(EdgeStack.INVENTORY, c -> c.claim("once", true));
      toxiproxy.drop("first", "lose-answers", "downstream");

      CompletableFuture<HttpResponse<String>> retried =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return stack.get(planner, "/inventory/reserve", once);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      String txn = txnOf(once);
      Eventually.until(
          "hopgate allowed the first attempt (its answer is lost)",
          () -> recordsIn(stack.decisionLog(), txn),
          l -> !l.isEmpty());
      toxiproxy.delete("first");
      HttpResponse<String> answered = retried.get();
      HttpResponse<String> again = stack.get(planner, "/inventory/reserve", once);

      assertThat(answered.statusCode()).as(answered.body() + stack.logs()).isEqualTo(200);
      assertThat(again.statusCode()).as("the token was spent once").isEqualTo(401);
      List<JsonNode> log =
          Eventually.until(
              "the log holds the retry and the refusal",
              () -> recordsIn(stack.decisionLog(), txn),
              l -> l.size() >= 3);
      assertThat(log)
          .extracting(OneOutcomeIT::said)
          .containsExactly("decision ALLOW ", "retry ALLOW ", "decision DENY token_consumed");
      assertThat(log.get(1).at("/payload/decision_id").asText())
          .as("one decision")
          .isEqualTo(log.get(0).at("/payload/decision_id").asText());
      assertThat(MetricsScrape.of(metrics).value("hopgate_check_retries_total")).isEqualTo(1);
    }
  }

  /** The txn of first-hop credentials (the origin token's {@code txn} claim). */
  private static String txnOf(Map<String, String> credentials) throws Exception {
    String origin = credentials.get("Txn-Token");
    return com.nimbusds.jwt.SignedJWT.parse(origin).getJWTClaimsSet().getStringClaim("txn");
  }

  private static List<JsonNode> recordsIn(Path log, String txn) throws java.io.IOException {
    List<JsonNode> of = new ArrayList<>();
    for (String line : Files.readAllLines(log)) {
      JsonNode r = JSON.readTree(line);
      if (txn.equals(r.path("txn").asText())) {
        of.add(r);
      }
    }
    return of;
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * A stalled store: every worker waits on it, the queue fills, and the next Check is shed at once
   * ({@code overloaded}) instead of queueing past its deadline; once the store answers again,
   * Checks are allowed again.
   */
  @Test
  void aStalledStore_shedsLoadWithOverloaded_andRecovers() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(4);
    try (Rig rig =
        Rig.start(
            dir,
            Duration.ofSeconds(1),
            "5s",
            "checks: { threads: 2, queue: 2, deadline_margin: 150ms }\n")) {
      SSLContext planner = rig.planner();
      rig.toxiproxy().delay("redis", "stall", "downstream", Duration.ofSeconds(60));
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        Map<String, String> once = rig.once();
        waiting.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return rig.stack().get(planner, "/inventory/reserve", once);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                },
                clients));
      }
      Eventually.until(
          "two Checks wait on the store and two for a worker",
          rig::scrape,
          m -> m.value("hopgate_checks_queued") == 2);

      HttpResponse<String> shed = rig.stack().get(planner, "/inventory/reserve", rig.once());

      JsonNode overloaded = problem(shed);
      assertThat(code(overloaded)).isEqualTo("overloaded");
      assertThat(rig.scrape().value("hopgate_checks_shed_total")).isEqualTo(1);
      for (CompletableFuture<HttpResponse<String>> w : waiting) {
        JsonNode answered = problem(w.get());
        assertThat(code(answered)).as("answered at its deadline").isEqualTo("deadline_exceeded");
      }
      assertThat(rig.recordsOfDecision(overloaded.path("decision_id").asText(), 1))
          .extracting(OneOutcomeIT::said)
          .containsExactly("decision ABORT overloaded");

      rig.toxiproxy().remove("redis", "stall");
      HttpResponse<String> recovered =
          Eventually.until(
              "Checks are allowed again",
              () -> rig.stack().get(planner, "/inventory/reserve", rig.once()),
              r -> r.statusCode() == 200);
      assertThat(recovered.statusCode()).isEqualTo(200);
    } finally {
      clients.shutdownNow();
    }
  }

  /**
   * The remaining window: the store takes the reservation but neither its reply nor the release
   * comes back in time. The client is denied; the spend it never saw is counted, and the log names
   * it before the decision.
   */
  @Test
  void aReleaseTheStoreDoesNotAnswer_isCountedAndInTheLog() throws Exception {
    try (Rig rig = Rig.start(dir, Duration.ofSeconds(3), "300ms", "")) {
      rig.toxiproxy().delay("redis", "slow-requests", "upstream", Duration.ofSeconds(2));

      HttpResponse<String> denied =
          rig.stack().get(rig.planner(), "/inventory/reserve", rig.once());

      JsonNode unavailable = problem(denied);
      assertThat(code(unavailable)).isEqualTo("state_unavailable");
      assertThat(rig.scrape().value("hopgate_unanswered_spends_total{fate=\"unreleased\"}"))
          .isEqualTo(1);
      List<JsonNode> log = rig.records(unavailable.path("txn").asText(), 2);
      assertThat(log)
          .extracting(OneOutcomeIT::said)
          .containsExactly("unreleased  ", "decision ABORT state_unavailable");
      assertThat(log.get(0).at("/payload/decision_id").asText())
          .isEqualTo(unavailable.path("decision_id").asText());
      rig.toxiproxy().remove("redis", "slow-requests");
    }
  }
}
