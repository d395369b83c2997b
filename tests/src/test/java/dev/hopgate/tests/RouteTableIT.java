package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.testing.Eventually;
import dev.hopgate.tests.harness.EdgeStack;
import dev.hopgate.tests.harness.EdgeStackExtension;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The route table through a real Envoy: the edge's Envoy sets no context extension on its routes
 * (as one that cannot, Istio's CUSTOM provider), so the table alone says what each request is, for
 * the components the Envoy is bound to; one virtual host names a route for all of its routes.
 */
class RouteTableIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final EdgeStackExtension edge = EdgeStackExtension.of("");

  /** The attack: a route name on a virtual host reached every route of it (GET /anything). */
  @Test
  void aRouteNamedOnAVirtualHost_decidesOnlyTheRequestsItBinds() throws Exception {
    int before = edge.stack().upstream().hits();

    HttpResponse<String> anything =
        edge.stack()
            .getByAddress(
                edge.planner(), "/anything", edge.stack().credentials(EdgeStack.INVENTORY));

    assertThat(anything.statusCode()).as(anything.body()).isEqualTo(403);
    assertThat(JSON.readTree(anything.body()).at("/violations/0/code").asText())
        .isEqualTo("route_mismatch");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
    // The route it names still takes its own requests on that host.
    assertThat(
            edge.stack()
                .getByAddress(
                    edge.planner(),
                    "/inventory/reserve",
                    edge.stack().credentials(EdgeStack.INVENTORY))
                .statusCode())
        .isEqualTo(200);
  }

  /**
   * A path parameter: {@code /inventory/reserve/..;/ops/...} is the ops path to a server that
   * strips parameters (Tomcat, Jetty). Envoy's normalisation may already route it elsewhere (the
   * pinned Envoy answers 404: no route); whatever reaches hopgate with a ';' is refused.
   */
  @Test
  void aPathWithAParameter_isRefused_neverDecidedAsTheRouteItStartsLike() throws Exception {
    int before = edge.stack().upstream().hits();

    HttpResponse<String> response =
        edge.stack()
            .get(
                edge.planner(),
                "/inventory/reserve/..;/ops/drop-production-database",
                edge.stack().credentials(EdgeStack.INVENTORY));

    assertThat(response.statusCode()).as(response.body()).isIn(400, 404);
    if (response.headers().firstValue("hopgate-decision-id").isPresent()) {
      assertThat(JSON.readTree(response.body()).at("/violations/0/code").asText())
          .isEqualTo("path_not_normalized");
    }
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
    // On a route Envoy does match, the parameter reaches hopgate, which refuses it.
    HttpResponse<String> parameter =
        edge.stack()
            .get(
                edge.planner(),
                "/inventory/reserve;jsessionid=1",
                edge.stack().credentials(EdgeStack.INVENTORY));
    assertThat(parameter.statusCode()).as(parameter.body()).isEqualTo(400);
    assertThat(JSON.readTree(parameter.body()).at("/violations/0/code").asText())
        .isEqualTo("path_not_normalized");
    assertThat(edge.stack().upstream().hits()).isEqualTo(before);
  }

  @Test
  void anEnvoyWithNoContextExtensions_isServedByTheRouteTableAlone() throws Exception {
    int before = edge.stack().upstream().hits();
    HttpResponse<String> reserve =
        edge.stack()
            .get(
                edge.planner(),
                "/inventory/reserve?sku=1",
                edge.stack().credentials(EdgeStack.INVENTORY));

    assertThat(reserve.statusCode()).as(reserve.body()).isEqualTo(200);
    String id = edge.stack().upstream().seen().get(before).headers().get("hopgate-decision-id");
    Eventually.until(
        "the decision log records " + id,
        () -> Files.readString(edge.stack().decisionLog()).contains(id));
    String record =
        Files.readAllLines(edge.stack().decisionLog()).stream()
            .filter(line -> line.contains(id))
            .findFirst()
            .orElseThrow();
    assertThat(record)
        .contains("\"route\":\"inventory-reserve\"")
        .contains("\"component\":\"" + EdgeStack.INVENTORY + "\"");
    // A route of the same Envoy that the table does not hold is denied, never allowed.
    HttpResponse<String> other =
        edge.stack()
            .get(edge.planner(), "/unconfigured", edge.stack().credentials(EdgeStack.INVENTORY));
    assertThat(JSON.readTree(other.body()).at("/violations/0/code").asText())
        .isEqualTo("route_unmatched");
  }

  @Test
  void aChangedRouteTable_isReloadedWhole_andABrokenOneKeepsThePreviousServing() throws Exception {
    String shipped = Files.readString(edge.stack().routeTable());
    try {
      // The inventory's route moves: the old path is no route of the table any more.
      Files.writeString(
          edge.stack().routeTable(),
          shipped.replace(
              "match: { path_prefix: /inventory/reserve }",
              "match: { path_prefix: /inventory/reserve-v2 }"));
      Eventually.until(
          "the moved route serves", () -> code("/inventory/reserve").equals("route_unmatched"));

      Files.writeString(edge.stack().routeTable(), shipped + "  - name: broken\n");
      Eventually.until(
          "the broken table is rejected",
          () -> edge.stack().hopgate().logText().contains("routes: edge.yaml: routes["));
      assertThat(code("/inventory/reserve"))
          .as("the previous table serves")
          .isEqualTo("route_unmatched");
    } finally {
      Files.writeString(edge.stack().routeTable(), shipped);
      Eventually.until(
          "the shipped table serves again", () -> code("/inventory/reserve").isEmpty());
    }
  }

  /** The code a GET of {@code path} is denied with, or "" when it is allowed. */
  private static String code(String path) {
    try {
      HttpResponse<String> response =
          edge.stack().get(edge.planner(), path, edge.stack().credentials(EdgeStack.INVENTORY));
      return response.statusCode() == 200
          ? ""
          : JSON.readTree(response.body()).at("/violations/0/code").asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
