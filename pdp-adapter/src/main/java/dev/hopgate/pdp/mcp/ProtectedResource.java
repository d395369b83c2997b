package dev.hopgate.pdp.mcp;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * An MCP route's OAuth 2.0 Protected Resource Metadata (RFC 9728), which the MCP authorization spec
 * requires of every MCP server: hopgate answers it itself, as the Check of a GET of its well-known
 * URI, so the document comes from the same route table that decides the route and no upstream has
 * to serve it.
 *
 * @param resource the resource identifier (the MCP endpoint's canonical https URI, RFC 8707)
 * @param authorizationServers the issuers a client gets tokens from (at least one, as MCP requires)
 * @param scopesSupported the scopes a client asks for, or empty
 * @param resourceName a human-readable name, or null
 */
public record ProtectedResource(
    String resource,
    List<String> authorizationServers,
    List<String> scopesSupported,
    @Nullable String resourceName) {
  /** RFC 9728 section 3: the well-known URI suffix. */
  public static final String WELL_KNOWN = "/.well-known/oauth-protected-resource";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** What a document's strings may hold: visible ASCII (they are echoed in a header too). */
  private static final Pattern VISIBLE = Pattern.compile("[\\x21\\x23-\\x5B\\x5D-\\x7E]+");

  public ProtectedResource {
    requireNonNull(resource, "resource");
    authorizationServers = List.copyOf(authorizationServers);
    scopesSupported = List.copyOf(scopesSupported);
  }

  /**
   * Checked as the route table writes it ({@code mcp.protected_resource}).
   *
   * @throws IllegalArgumentException naming the member that is wrong
   */
  public static ProtectedResource of(
      @Nullable String resource,
      List<String> authorizationServers,
      List<String> scopesSupported,
      @Nullable String resourceName) {
    String where = "mcp.protected_resource.";
    URI uri = httpsUri(resource, where + "resource");
    if (uri.getRawQuery() != null) {
      throw new IllegalArgumentException(where + "resource: '" + resource + "' has a query");
    }
    if (authorizationServers.isEmpty()) {
      throw new IllegalArgumentException(
          where + "authorization_servers: missing (MCP requires at least one)");
    }
    for (String server : authorizationServers) {
      httpsUri(server, where + "authorization_servers");
    }
    for (String scope : scopesSupported) {
      if (!VISIBLE.matcher(scope).matches()) {
        throw new IllegalArgumentException(
            where + "scopes_supported: '" + scope + "' is not a scope token (RFC 6749 3.3)");
      }
    }
    return new ProtectedResource(
        uri.toString(), authorizationServers, scopesSupported, resourceName);
  }

  private static URI httpsUri(@Nullable String value, String field) {
    if (value == null || !VISIBLE.matcher(value).matches()) {
      throw new IllegalArgumentException(field + ": expected an https URL");
    }
    try {
      URI uri = new URI(value);
      if (!"https".equals(uri.getScheme())
          || uri.getRawAuthority() == null
          || uri.getHost() == null
          || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            field + ": '" + value + "' (expected an https URL without a fragment)");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(field + ": '" + value + "' is not a URL");
    }
  }

  /**
   * Where the document is served (RFC 9728 section 3.1): the well-known suffix inserted between the
   * resource's host and its path, {@code /.well-known/oauth-protected-resource/mcp} for {@code
   * https://tools.example/mcp}.
   */
  public String path() {
    String path = URI.create(resource).getRawPath();
    return path == null || path.isEmpty() || path.equals("/") ? WELL_KNOWN : WELL_KNOWN + path;
  }

  /** The resource's host, lower case, without a port: the Host a client asks it on. */
  public String host() {
    return URI.create(resource).getHost().toLowerCase(Locale.ROOT);
  }

  /** The document's URL, named in a token challenge's {@code resource_metadata}. */
  public String url() {
    URI uri = URI.create(resource);
    return "https://" + uri.getRawAuthority().toLowerCase(Locale.ROOT) + path();
  }

  /** The metadata document. */
  public String document() {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("resource", resource);
    authorizationServers.forEach(doc.putArray("authorization_servers")::add);
    // MCP: the token travels in the Authorization header, never in a query or body.
    doc.putArray("bearer_methods_supported").add("header");
    if (!scopesSupported.isEmpty()) {
      scopesSupported.forEach(doc.putArray("scopes_supported")::add);
    }
    if (resourceName != null) {
      doc.put("resource_name", resourceName);
    }
    try {
      return JSON.writeValueAsString(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
