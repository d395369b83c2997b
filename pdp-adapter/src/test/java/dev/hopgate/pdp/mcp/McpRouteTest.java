package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.pdp.request.Target;
import java.util.Map;
import org.junit.jupiter.api.Test;

class McpRouteTest {
  @Test
  void of_plainRouteIsNotMcp() {
    assertThat(McpRoute.of(Map.of("component", "c", "step", "s"))).isNull();
    assertThat(McpRoute.of(Map.of("protocol", "http"))).isNull();
  }

  @Test
  void of_readsToolMapAndDefaults() {
    McpRoute route =
        McpRoute.of(
            Map.of(
                "protocol",
                "mcp",
                "component",
                "c",
                "tool:reserve",
                "urn:shop:step:reserve-stock",
                "tool:charge",
                "urn:shop:step:charge-card"));

    assertThat(route.stepOf("reserve")).isEqualTo("urn:shop:step:reserve-stock");
    assertThat(route.stepOf("Reserve")).isNull();
    assertThat(route.stepOf("drop")).isNull();
    assertThat(route.sessionMethods()).isEqualTo(McpRoute.SessionMethods.HOP_TOKEN);
    assertThat(route.denialCode()).isEqualTo(-32003);
    assertThat(route.denialStatus()).isEqualTo(200);
  }

  private static final McpRoute TABLE =
      McpRoute.of(
          Map.of(
              "protocol", "mcp",
              "tool:reserve", "urn:step:reserve",
              "resource:inventory://stock/sku-1", "urn:step:read-stock",
              "prompt:summarise", "urn:step:summarise",
              "method:x/export", "urn:step:export"));

  private static Target target(String method, String name) {
    String id = method.startsWith("notifications/") ? null : "1";
    return TABLE.target(new JsonRpcCall(method, id, name)).orElseThrow();
  }

  @Test
  void target_aNamedCallIsTheStepItsNameMapsTo_elseUnmapped() {
    assertThat(target("tools/call", "reserve").step()).isEqualTo("urn:step:reserve");
    assertThat(target("resources/read", "inventory://stock/sku-1").step())
        .isEqualTo("urn:step:read-stock");
    assertThat(target("prompts/get", "summarise").step()).isEqualTo("urn:step:summarise");
    // Exact URIs: another spelling of the same resource is another, unmapped, resource.
    assertThat(target("resources/read", "inventory://stock/sku-1/").unmapped())
        .isEqualTo(new Target.Unmapped("resource", "inventory://stock/sku-1/"));
    assertThat(target("prompts/get", "reserve").unmapped())
        .isEqualTo(new Target.Unmapped("prompt", "reserve"));
  }

  @Test
  void target_anyOtherMethodIsDeniedUnlessMapped() {
    assertThat(target("x/export", null).step()).isEqualTo("urn:step:export");
    for (String method :
        java.util.List.of(
            "completion/complete", "resources/subscribe", "logging/setLevel", "x/admin")) {
      assertThat(target(method, null).unmapped())
          .as(method)
          .isEqualTo(new Target.Unmapped("method", method));
    }
  }

  @Test
  void target_sessionAndListMethodsNeedNoStep_ofBothRevisions() {
    for (String method :
        java.util.List.of(
            "initialize",
            "server/discover",
            "ping",
            "notifications/initialized",
            "tools/list",
            "resources/list",
            "resources/templates/list",
            "prompts/list")) {
      Target t = target(method, null);
      assertThat(t.step()).as(method).isNull();
      assertThat(t.unmapped()).as(method).isNull();
      assertThat(t.listsTools()).as(method).isEqualTo(method.equals("tools/list"));
    }
    McpRoute toolsOnly = McpRoute.of(Map.of("protocol", "mcp", "mcp_session_methods", "deny"));
    assertThat(toolsOnly.target(new JsonRpcCall("ping", "1", null))).isEmpty();
  }

  @Test
  void target_aNotificationNameIsASessionMethodOnlyAsANotification_andOnlyByItsExactName() {
    assertThat(TABLE.target(new JsonRpcCall("notifications/progress", "7", null)).orElseThrow())
        .isEqualTo(Target.unmapped("method", "notifications/progress"));
    assertThat(target("notifications/../tools/call", null).unmapped())
        .isEqualTo(new Target.Unmapped("method", "notifications/../tools/call"));
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "mcp", "method:notifications/x", "s")))
        .hasMessageContaining("maps a method MCP defines already");
  }

  @Test
  void of_refusesAMethodMappingForAMethodMcpDefines() {
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "mcp", "method:tools/call", "s")))
        .hasMessageContaining("maps a method MCP defines already");
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "mcp", "resource:no scheme", "s")))
        .hasMessageContaining("does not name a resource URI");
  }

  @Test
  void of_refusesSettingsThatBreakMcpClients() {
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "mcp", "mcp_denial_code", "-32001")))
        .hasMessageContaining("timeout");
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "mcp", "mcp_denial_code", "-32600")))
        .hasMessageContaining("JSON-RPC's own codes");
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "mcp", "mcp_denial_status", "401")))
        .hasMessageContaining("expected: 200 or 403");
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "mcp", "mcp_session_methods", "allow")))
        .hasMessageContaining("expected: hop_token or deny");
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "grpc")))
        .hasMessageContaining("expected: http or mcp");
    assertThatThrownBy(() -> McpRoute.of(Map.of("protocol", "mcp", "tool:", "s")))
        .hasMessageContaining("tool:<name>");
    assertThatThrownBy(
            () -> McpRoute.of(Map.of("protocol", "mcp", "mcp_resource_metadata", "http://x/\"")))
        .hasMessageContaining("https URL");
    assertThat(
            McpRoute.of(
                    Map.of("protocol", "mcp", "mcp_resource_metadata", "https://x/.well-known/a"))
                .resourceMetadata())
        .isEqualTo("https://x/.well-known/a");
  }
}
