package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.pdp.request.Target;
import java.util.Map;
import org.junit.jupiter.api.Test;

class McpRouteTest {
  private static final Map<String, String> NONE = Map.of();

  private static McpRoute tools(Map<String, String> tools) {
    return McpRoute.of(tools, NONE, NONE, NONE, null, null, null, null);
  }

  @Test
  void of_readsToolMapAndDefaults() {
    McpRoute route =
        tools(
            Map.of(
                "reserve", "urn:shop:step:reserve-stock", "charge", "urn:shop:step:charge-card"));

    assertThat(route.stepOf("reserve")).isEqualTo("urn:shop:step:reserve-stock");
    assertThat(route.stepOf("Reserve")).isNull();
    assertThat(route.stepOf("drop")).isNull();
    assertThat(route.sessionMethods()).isEqualTo(McpRoute.SessionMethods.HOP_TOKEN);
    assertThat(route.denialCode()).isEqualTo(-32003);
    assertThat(route.denialStatus()).isEqualTo(200);
  }

  private static final McpRoute TABLE =
      McpRoute.of(
          Map.of("reserve", "urn:step:reserve"),
          Map.of("inventory://stock/sku-1", "urn:step:read-stock"),
          Map.of("summarise", "urn:step:summarise"),
          Map.of("x/export", "urn:step:export"),
          null,
          null,
          null,
          null);

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
      assertThat(t.listMethod()).as(method).isEqualTo(method.endsWith("/list") ? method : null);
    }
    McpRoute toolsOnly = McpRoute.of(NONE, NONE, NONE, NONE, "deny", null, null, null);
    assertThat(toolsOnly.target(new JsonRpcCall("ping", "1", null))).isEmpty();
  }

  @Test
  void visible_isWhatEachListKeeps_andNoTemplate() {
    assertThat(TABLE.visible(McpListing.TOOLS, step -> true)).containsExactly("reserve");
    assertThat(TABLE.visible(McpListing.RESOURCES, step -> true))
        .containsExactly("inventory://stock/sku-1");
    assertThat(TABLE.visible(McpListing.PROMPTS, step -> !step.equals("urn:step:summarise")))
        .isEmpty();
    assertThat(TABLE.visible(McpListing.RESOURCE_TEMPLATES, step -> true)).isEmpty();
  }

  @Test
  void target_aNotificationNameIsASessionMethodOnlyAsANotification_andOnlyByItsExactName() {
    assertThat(TABLE.target(new JsonRpcCall("notifications/progress", "7", null)).orElseThrow())
        .isEqualTo(Target.unmapped("method", "notifications/progress"));
    assertThat(target("notifications/../tools/call", null).unmapped())
        .isEqualTo(new Target.Unmapped("method", "notifications/../tools/call"));
    assertThatThrownBy(() -> method("notifications/x"))
        .hasMessageContaining("is a method MCP defines already");
  }

  @Test
  void of_refusesAMethodMappingForAMethodMcpDefines() {
    assertThatThrownBy(() -> method("tools/call"))
        .hasMessageContaining("is a method MCP defines already");
    assertThatThrownBy(
            () -> McpRoute.of(NONE, Map.of("no scheme", "s"), NONE, NONE, null, null, null, null))
        .hasMessageContaining("is not an absolute resource URI");
  }

  private static McpRoute method(String name) {
    return McpRoute.of(NONE, NONE, NONE, Map.of(name, "s"), null, null, null, null);
  }

  private static McpRoute settings(
      String session, Integer code, Integer status, String resourceMetadata) {
    return McpRoute.of(NONE, NONE, NONE, NONE, session, code, status, resourceMetadata);
  }

  @Test
  void of_refusesSettingsThatBreakMcpClients() {
    assertThatThrownBy(() -> settings(null, -32001, null, null)).hasMessageContaining("timeout");
    assertThatThrownBy(() -> settings(null, -32600, null, null))
        .hasMessageContaining("the range MCP leaves to implementations");
    // The range MCP 2026-07-28 reserves to its own codes (-32020 HeaderMismatch, ...).
    assertThatThrownBy(() -> settings(null, -32020, null, null))
        .hasMessageContaining("reserved to the MCP specification");
    assertThatThrownBy(() -> settings(null, -32099, null, null))
        .hasMessageContaining("reserved to the MCP specification");
    assertThatThrownBy(() -> settings(null, -32002, null, null))
        .hasMessageContaining("resource not found");
    assertThat(settings(null, -32019, null, null).denialCode()).isEqualTo(-32019);
    assertThat(settings(null, null, null, null).denialForm()).isEqualTo(McpRoute.DenialForm.RESULT);
    assertThatThrownBy(
            () -> McpRoute.of(NONE, NONE, NONE, NONE, null, null, null, null, "http_403"))
        .hasMessageContaining("expected: result or error");
    assertThatThrownBy(() -> settings(null, null, 401, null))
        .hasMessageContaining("expected: 200 or 403");
    assertThatThrownBy(() -> settings("allow", null, null, null))
        .hasMessageContaining("expected: hop_token or deny");
    assertThatThrownBy(() -> tools(Map.of("a b", "s"))).hasMessageContaining("mcp.tools: 'a b'");
    assertThatThrownBy(() -> tools(Map.of("a", " "))).hasMessageContaining("missing its step");
    assertThatThrownBy(() -> settings(null, null, null, "http://x/\""))
        .hasMessageContaining("https URL");
    assertThat(settings(null, null, null, "https://x/.well-known/a").resourceMetadata())
        .isEqualTo("https://x/.well-known/a");
  }
}
