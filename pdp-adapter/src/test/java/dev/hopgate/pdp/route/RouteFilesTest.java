package dev.hopgate.pdp.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.pdp.problem.DisclosureLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteFilesTest {
  @TempDir Path dir;

  private RouteTable load(String yaml) throws Exception {
    Files.writeString(dir.resolve("shop.yaml"), yaml);
    return RouteFiles.load(dir);
  }

  private String problems(String yaml) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> load(yaml));
    assertThat(thrown).isInstanceOf(RouteFiles.RouteTableException.class);
    return String.join("\n", ((RouteFiles.RouteTableException) thrown).problems());
  }

  @Test
  void load_readsPlainAndMcpRoutes_withTheirDefaults() throws Exception {
    RouteTable table =
        load(
            """
            routes:
              - name: reserve
                component: spiffe://shop.example/inventory
                match: { path_prefix: /inventory/reserve/, methods: [POST], authorities: [Shop.Example] }
                step: urn:shop:step:reserve-stock
              - name: tools
                component: spiffe://shop.example/inventory
                match: { path: /mcp }
                disclosure: minimal
                require_caller: false
                mcp:
                  tools: { reserve_stock: urn:shop:step:reserve-stock }
                  resources: { "inventory://stock/sku-1": urn:shop:step:reserve-stock }
                  session_methods: deny
                  denial_status: 403
            """);

    Route reserve = table.named("reserve").orElseThrow();
    assertThat(reserve.step()).isEqualTo("urn:shop:step:reserve-stock");
    assertThat(reserve.requireCaller()).isTrue();
    assertThat(reserve.disclosure()).isEqualTo(DisclosureLevel.FULL);
    assertThat(reserve.binding())
        .isEqualTo(
            new RouteBinding(null, "/inventory/reserve", Set.of("POST"), Set.of("shop.example")));
    Route tools = table.named("tools").orElseThrow();
    assertThat(tools.mcp().stepOf("reserve_stock")).isEqualTo("urn:shop:step:reserve-stock");
    assertThat(tools.mcp().resourceSteps()).containsKey("inventory://stock/sku-1");
    assertThat(tools.mcp().denialStatus()).isEqualTo(403);
    assertThat(tools.requireCaller()).isFalse();
    assertThat(tools.disclosure()).isEqualTo(DisclosureLevel.MINIMAL);
    assertThat(table.digest()).startsWith("sha256:");
  }

  @Test
  void load_namesEveryProblem_withItsFileAndRoute() {
    String p =
        problems(
            """
            routes:
              - name: a
                component: c
                match: { path_prefix: /a//b }
                step: s
              - name: b
                component: c
                match: { path: /b, methods: [post] }
                step: s
                tool:x: y
              - name: c
                component: c
                match: { path: /c, path_prefix: /c }
                step: s
              - name: d
                component: c
                match: { path: /d }
              - name: e
                component: c
                match: { path: /e }
                step: s
                mcp: { tools: { x: s } }
              - name: f
                component: c
                match: { path: /f }
                require_caller: "yes"
                step: s
            """);

    assertThat(p)
        .contains(
            "shop.yaml: routes[0] 'a': match.path_prefix: '/a//b' is not a path as Envoy's normalize_path")
        .contains("routes[1] 'b': unknown field 'tool:x'")
        .contains("routes[1] 'b': match.methods: 'post' is not an HTTP method in upper case")
        .contains("routes[2] 'c': match: needs exactly one of 'path' and 'path_prefix'")
        .contains("routes[3] 'd': step: missing")
        .contains("routes[4] 'e': step: an MCP route maps its calls to steps")
        .contains("routes[5] 'f': require_caller: expected true or false");
  }

  @Test
  void load_namesAFileThatIsNotYamlText() throws Exception {
    Files.write(dir.resolve("latin1.yaml"), new byte[] {'r', ':', ' ', (byte) 0xE9});

    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> RouteFiles.load(dir));

    assertThat(((RouteFiles.RouteTableException) thrown).problems())
        .singleElement()
        .asString()
        .startsWith("latin1.yaml: cannot be read as UTF-8 text");
  }

  @Test
  void load_refusesARouteNamedTwice_andTheTableDigestFollowsTheContent() throws Exception {
    String route =
        """
          - name: a
            component: c
            match: { path: /a }
            step: s
        """;
    assertThat(problems("routes:\n" + route + route)).contains("route 'a' is defined twice");
    String before = load("routes:\n" + route).digest();
    assertThat(load("routes:\n" + route.replace("/a", "/b")).digest()).isNotEqualTo(before);
    assertThat(load("routes:\n" + route).digest()).isEqualTo(before);
  }

  @Test
  void overlaps_namesRoutesOfOneComponentThatTakeTheSameRequests() {
    RouteBinding post = new RouteBinding("/x", null, Set.of("POST"), Set.of());
    RouteBinding any = new RouteBinding("/x", null, Set.of(), Set.of());
    RouteBinding get = new RouteBinding("/x", null, Set.of("GET"), Set.of());
    RouteTable table =
        RouteTable.of(
            java.util.List.of(
                new Route("p", "c", "s", null, DisclosureLevel.FULL, true, post),
                new Route("g", "c", "s", null, DisclosureLevel.FULL, true, get),
                new Route("a", "c", "s", null, DisclosureLevel.FULL, true, any),
                new Route("other", "d", "s", null, DisclosureLevel.FULL, true, any)),
            "sha256:x");

    assertThat(table.overlaps()).containsExactlyInAnyOrder("a and g", "a and p");
  }

  @Test
  void binding_matchesWholeSegments_methodsAndAuthoritiesNarrow() {
    RouteBinding b =
        new RouteBinding(
            null, "/mcp", Set.of("POST"), Set.of("shop.example", "tools.example:8443"));

    assertThat(b.matches("POST", "/mcp", "shop.example")).isTrue();
    assertThat(b.matches("POST", "/mcp/x", "SHOP.example:443")).isTrue();
    assertThat(b.matches("POST", "/mcp", "tools.example:8443")).isTrue();
    assertThat(b.matches("POST", "/mcp", "tools.example:9000")).isFalse();
    assertThat(b.matches("POST", "/mcpx", "shop.example")).isFalse();
    assertThat(b.matches("GET", "/mcp", "shop.example")).isFalse();
    assertThat(b.matches("POST", "/mcp", null)).isFalse();
    assertThat(b.matches("POST", "/mcp", "shop.example:evil")).isFalse();
    assertThat(b.matches("POST", "/mcp", "user@shop.example")).isFalse();
    assertThat(b.matches("POST", "/mcp", "shop.example.:443")).isTrue();
    RouteBinding exact = new RouteBinding("/admin", null, Set.of(), Set.of());
    assertThat(exact.matches("GET", "/admin/", null)).isTrue();
    assertThat(exact.matches("GET", "/admin/x", null)).isFalse();
    assertThat(RouteBinding.ANY.matches("DELETE", "/anything", null)).isTrue();
    assertThatThrownBy(() -> new RouteBinding("/a/../b", null, Set.of(), Set.of()))
        .hasMessageContaining("is not a path as Envoy's normalize_path");
    assertThatThrownBy(() -> new RouteBinding("/a", null, Set.of(), Set.of("Shop example")))
        .hasMessageContaining("match.authorities");
  }

  @Test
  void requestPaths_dropTheQuery_andKnowANormalisedPath() {
    assertThat(RequestPaths.withoutQuery("/a/b?c=/d")).isEqualTo("/a/b");
    assertThat(RequestPaths.normalized("/")).isTrue();
    assertThat(RequestPaths.normalized("/a/b/")).isTrue();
    assertThat(RequestPaths.normalized("/caf%C3%A9/a%20b")).isTrue();
    assertThat(RequestPaths.normalized("/caf%c3%a9")).isTrue();
    for (String bad :
        java.util.List.of(
            "",
            "a",
            "//a",
            "/a//b",
            "/a/./b",
            "/a/..",
            "/a%2fb",
            "/a%5Cb",
            "/a\\b",
            "/a b",
            "/%2e%2e/x")) {
      assertThat(RequestPaths.normalized(bad)).as(bad).isFalse();
    }
  }
}
