package dev.hopgate.pdp.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProtectedResourceTest {
  private static ProtectedResource of(String resource, List<String> servers) {
    return ProtectedResource.of(resource, servers, List.of(), null);
  }

  @Test
  void theDocumentIsServedBetweenTheHostAndThePath_asRfc9728Section3Says() {
    ProtectedResource metadata =
        ProtectedResource.of(
            "https://Tools.Example:8443/public/mcp",
            List.of("https://as.example"),
            List.of("files:read"),
            "Tools");

    assertThat(metadata.path()).isEqualTo("/.well-known/oauth-protected-resource/public/mcp");
    assertThat(metadata.url())
        .isEqualTo("https://tools.example:8443/.well-known/oauth-protected-resource/public/mcp");
    assertThat(metadata.document())
        .isEqualTo(
            "{\"resource\":\"https://Tools.Example:8443/public/mcp\","
                + "\"authorization_servers\":[\"https://as.example\"],"
                + "\"bearer_methods_supported\":[\"header\"],"
                + "\"scopes_supported\":[\"files:read\"],\"resource_name\":\"Tools\"}");
    assertThat(of("https://tools.example", List.of("https://as.example")).path())
        .isEqualTo("/.well-known/oauth-protected-resource");
  }

  @Test
  void whatMcpRequires_isCheckedAtLoad() {
    assertThatThrownBy(() -> of("https://tools.example/mcp", List.of()))
        .hasMessageContaining("authorization_servers: missing");
    assertThatThrownBy(() -> of("http://tools.example/mcp", List.of("https://as.example")))
        .hasMessageContaining("expected an https URL");
    assertThatThrownBy(() -> of("https://tools.example/mcp#x", List.of("https://as.example")))
        .hasMessageContaining("without a fragment");
    assertThatThrownBy(() -> of("https://tools.example/mcp?a=1", List.of("https://as.example")))
        .hasMessageContaining("has a query");
    assertThatThrownBy(() -> of("https://tools.example/mcp", List.of("https://as.example/\"")))
        .hasMessageContaining("authorization_servers");
  }
}
