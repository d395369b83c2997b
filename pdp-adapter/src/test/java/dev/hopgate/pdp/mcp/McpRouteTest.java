package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
