package dev.hopgate.pdp.mcp;

import org.jspecify.annotations.Nullable;

/**
 * MCP's list methods, and where each result names what it lists: the array of the result and the
 * member of each entry that names it. Their answers are cut to what the chain could use.
 */
public enum McpListing {
  TOOLS("tools/list", "tools", "name"),
  RESOURCES("resources/list", "resources", "uri"),
  /**
   * Templates name no resource a route can map (a route maps exact URIs): every template is cut,
   * the resources a chain can read are in {@code resources/list}.
   */
  RESOURCE_TEMPLATES("resources/templates/list", "resourceTemplates", "uriTemplate"),
  PROMPTS("prompts/list", "prompts", "name");

  private final String method;
  private final String array;
  private final String key;

  McpListing(String method, String array, String key) {
    this.method = method;
    this.array = array;
    this.key = key;
  }

  /** The list method of this name, or null. */
  public static @Nullable McpListing of(String method) {
    for (McpListing listing : values()) {
      if (listing.method.equals(method)) {
        return listing;
      }
    }
    return null;
  }

  public String method() {
    return method;
  }

  /** The result's array ({@code result.tools}, ...). */
  public String array() {
    return array;
  }

  /** The member of an entry that names it ({@code name}, {@code uri}, ...). */
  public String key() {
    return key;
  }
}
