package dev.hopgate.pdp.mcp;

import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.request.LogText;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The MCP revision a request speaks, and the 2026-07-28 headers that mirror its body. hopgate
 * decides on the body alone; a header that says something else ({@code Mcp-Method}, {@code
 * Mcp-Name}, {@code MCP-Protocol-Version}) is refused before any policy, so that a router, cache or
 * server reading the header can never act on another request than the one decided.
 */
public enum McpRevision {
  /** Streamable HTTP's first revision; what a request naming none is taken to speak. */
  R2025_03_26("2025-03-26"),
  R2025_06_18("2025-06-18"),
  R2025_11_25("2025-11-25"),
  /** Stateless: no handshake, no session; every request mirrors its method and name in headers. */
  R2026_07_28("2026-07-28");

  public static final String VERSION_HEADER = "mcp-protocol-version";
  public static final String METHOD_HEADER = "mcp-method";
  public static final String NAME_HEADER = "mcp-name";

  /** The revisions hopgate decides, newest first (the -32022 answer lists them). */
  public static final List<String> SUPPORTED =
      List.of("2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26");

  /** An encoded header value (2026-07-28): {@code =?base64?<value>?=}, markers lower case. */
  private static final Pattern ENCODED = Pattern.compile("=\\?base64\\?([A-Za-z0-9+/=]*)\\?=");

  /** What a plain header value may hold: visible ASCII and spaces, nothing that folds or hides. */
  private static final Pattern PLAIN = Pattern.compile("[\\x20-\\x7E]*");

  private static final Pattern REVISION_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");

  private final String version;

  McpRevision(String version) {
    this.version = version;
  }

  public String version() {
    return version;
  }

  /**
   * Whether this revision mirrors method and name in headers and carries its version in the body.
   */
  public boolean stateless() {
    return this == R2026_07_28;
  }

  /**
   * The revision {@code call} speaks, every mirrored header checked against its body.
   *
   * @throws JsonRpcRejection {@code header_mismatch} (-32020), {@code protocol_version_unsupported}
   *     (-32022) or {@code protocol_version_missing} (-32602)
   */
  public static McpRevision of(HopRequest request, JsonRpcCall call) throws JsonRpcRejection {
    String header = request.header(VERSION_HEADER);
    String body = call.protocolVersion();
    if (header != null && body != null && !header.equals(body)) {
      throw mismatch(
          "the MCP-Protocol-Version header says '"
              + LogText.of(header)
              + "' and the body's _meta protocolVersion '"
              + LogText.of(body)
              + "'");
    }
    String requested = header != null ? header : body != null ? body : R2025_03_26.version;
    McpRevision revision = named(requested);
    if (revision == null) {
      // Echoed to the client and into the access log: only what reads as a revision, whole.
      requested = REVISION_SHAPE.matcher(requested).matches() ? requested : "(not a revision)";
      throw new JsonRpcRejection(
          "protocol_version_unsupported",
          "hopgate decides MCP revisions "
              + String.join(", ", SUPPORTED)
              + "; this request speaks '"
              + LogText.of(requested)
              + "'.",
          Map.of("requested", requested, "supported", SUPPORTED));
    }
    if (revision.stateless()) {
      if (header == null) {
        throw mismatch("a 2026-07-28 request must carry the MCP-Protocol-Version header");
      }
      if (body == null) {
        throw new JsonRpcRejection(
            "protocol_version_missing",
            "A 2026-07-28 request must name its revision in params._meta[\""
                + JsonRpcReader.PROTOCOL_VERSION_META
                + "\"].");
      }
    }
    // Notifications and responses are not requests: 2026-07-28 defines no headers for them.
    checkMirrored(
        request, call, revision.stateless() && !call.isNotification() && !call.isResponse());
    return revision;
  }

  /** The revision of this name, or null. */
  public static @Nullable McpRevision named(String version) {
    for (McpRevision revision : values()) {
      if (revision.version.equals(version)) {
        return revision;
      }
    }
    return null;
  }

  /**
   * {@code Mcp-Method} and {@code Mcp-Name}, wherever present, equal the body's method and name;
   * under 2026-07-28 a request must carry them.
   */
  private static void checkMirrored(HopRequest request, JsonRpcCall call, boolean required)
      throws JsonRpcRejection {
    String method = request.header(METHOD_HEADER);
    if (method == null) {
      if (required) {
        throw mismatch("a 2026-07-28 request must carry the Mcp-Method header");
      }
    } else if (!method.equals(call.method())) {
      throw mismatch(
          "the Mcp-Method header says '"
              + LogText.of(method)
              + "' and the body '"
              + LogText.of(call.method())
              + "'");
    }
    String name = request.header(NAME_HEADER);
    McpMethods.Named named = McpMethods.named(call.method());
    if (name == null) {
      if (required && named != null) {
        throw mismatch(
            "a 2026-07-28 "
                + call.method()
                + " must carry the Mcp-Name header (its "
                + named.param()
                + ")");
      }
      return;
    }
    if (named == null) {
      throw mismatch(
          "the Mcp-Name header names '"
              + LogText.of(name)
              + "' but a "
              + LogText.of(call.method())
              + " names nothing");
    }
    String decoded = decoded(name);
    if (!decoded.equals(call.name())) {
      throw mismatch(
          "the Mcp-Name header says '"
              + LogText.of(decoded)
              + "' and the body's params."
              + named.param()
              + " '"
              + LogText.of(String.valueOf(call.name()))
              + "'");
    }
  }

  /** A header value as sent, or decoded from {@code =?base64?…?=}. */
  private static String decoded(String value) throws JsonRpcRejection {
    var encoded = ENCODED.matcher(value);
    if (!encoded.matches()) {
      // A comma, too: Envoy joins a repeated header with commas, and a router reading the first
      // of two Mcp-Name headers would name another thing than the joined value hopgate compares.
      if (!PLAIN.matcher(value).matches() || value.startsWith("=?") || value.indexOf(',') >= 0) {
        throw mismatch(
            "the Mcp-Name header holds characters a plain value cannot, or appears twice (send"
                + " such a name as =?base64?…?=)");
      }
      return value;
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(encoded.group(1));
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (IllegalArgumentException | CharacterCodingException e) {
      throw mismatch("the Mcp-Name header's =?base64?…?= value is not Base64 of UTF-8 text");
    }
  }

  private static JsonRpcRejection mismatch(String why) {
    return new JsonRpcRejection("header_mismatch", "Header mismatch: " + why + ".");
  }
}
