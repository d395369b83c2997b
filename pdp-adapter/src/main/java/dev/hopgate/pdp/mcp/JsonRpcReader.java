package dev.hopgate.pdp.mcp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.hopgate.pdp.request.HopRequest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads an MCP request body strictly. Anything two parsers could read differently is refused:
 * duplicate keys (last-wins in one parser, first-wins in another), keys that differ only in case,
 * trailing content, batches, a body Envoy truncated. The MCP server must run exactly the tool
 * hopgate decided on.
 */
public final class JsonRpcReader {
  /** Envoy sets this on the check request when it forwarded only part of the body. */
  public static final String PARTIAL_BODY_HEADER = "x-envoy-auth-partial-body";

  private static final int MAX_DEPTH = 64;

  /** Where a 2026-07-28 request names its protocol revision. */
  public static final String PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion";

  /** Where a client echoes a denial's {@code authorizationContextId} on retry (SEP-2643). */
  public static final String CONTEXT_ID_META = "io.modelcontextprotocol/authorization-context-id";

  private static final ObjectMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                  .streamReadConstraints(
                      StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                  .build())
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private JsonRpcReader() {}

  /** The JSON-RPC call a request's body holds, read as Envoy forwarded it. */
  public static JsonRpcCall read(HopRequest request) throws JsonRpcRejection {
    if (!request.method().equals("POST")) {
      throw new JsonRpcRejection(
          "not_post",
          "An MCP request is a POST (Streamable HTTP); hopgate decides no other HTTP method on an "
              + "MCP route.");
    }
    checkMediaType(request.header("content-type"), request.header("content-encoding"));
    if (request.bodyAsText()) {
      throw new JsonRpcRejection(
          "body_not_bytes",
          "Envoy sent this MCP request's body as text, replacing every byte that is not UTF-8, so "
              + "hopgate cannot decide on the bytes the server receives; set "
              + "with_request_body.pack_as_bytes: true on the ext_authz filter (a route's "
              + "check_settings cannot set it, envoyproxy/envoy#35623).");
    }
    return read(
        request.body(), "true".equals(request.header(PARTIAL_BODY_HEADER)), request.bodyNotUtf8());
  }

  /**
   * The body is JSON in UTF-8, as sent: a server that decodes by the request's charset (UTF-7,
   * Shift_JIS) or content encoding would read other characters from the same bytes.
   */
  private static void checkMediaType(@Nullable String contentType, @Nullable String encoding)
      throws JsonRpcRejection {
    String[] parts = contentType == null ? new String[0] : contentType.split(";", -1);
    boolean json = parts.length > 0 && parts[0].strip().equalsIgnoreCase("application/json");
    for (int i = 1; json && i < parts.length; i++) {
      String[] param = parts[i].strip().split("=", 2);
      String value = param.length == 2 ? param[1].strip().replace("\"", "") : "";
      json =
          param.length == 2
              && param[0].strip().equalsIgnoreCase("charset")
              && value.equalsIgnoreCase("utf-8");
    }
    if (!json) {
      throw new JsonRpcRejection(
          "media_type_unsupported",
          "An MCP request's Content-Type must be application/json (charset utf-8, if named): "
              + "a server decoding another charset would read another request than hopgate.");
    }
    if (encoding != null && !encoding.strip().equalsIgnoreCase("identity")) {
      throw new JsonRpcRejection(
          "media_type_unsupported",
          "An MCP request's body must not be content-encoded: hopgate decides on the bytes as sent.");
    }
  }

  /**
   * @param body the request body as Envoy forwarded it (empty when none)
   * @param partial whether Envoy said it forwarded only part of the body
   */
  public static JsonRpcCall read(String body, boolean partial) throws JsonRpcRejection {
    return read(body, partial, false);
  }

  /**
   * @param notUtf8 whether the bytes Envoy forwarded were not valid UTF-8 (JSON text must be, RFC
   *     8259)
   */
  public static JsonRpcCall read(String body, boolean partial, boolean notUtf8)
      throws JsonRpcRejection {
    if (notUtf8) {
      throw new JsonRpcRejection(
          "not_utf8",
          "The request body is not valid UTF-8; JSON text must be (RFC 8259), and "
              + "two readers could decode it differently.");
    }
    if (partial) {
      throw new JsonRpcRejection(
          "body_truncated",
          "Envoy forwarded only part of this request body (raise "
              + "with_request_body.max_request_bytes on the ext_authz filter); hopgate does not decide on a partial JSON-RPC "
              + "request.");
    }
    if (body.isBlank()) {
      throw new JsonRpcRejection(
          "body_missing",
          "This MCP route needs the JSON-RPC request body (Envoy's "
              + "with_request_body on the ext_authz filter), and the check request carried none.");
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (StreamConstraintsException e) {
      // Nesting depth, number, string or name length: the message names the limit, never the
      // content.
      throw new JsonRpcRejection(
          "not_jsonrpc",
          "The request body exceeds a parser limit: " + e.getOriginalMessage() + ".");
    } catch (JsonProcessingException e) {
      String message = e.getOriginalMessage();
      if (message != null && message.startsWith("Duplicate field")) {
        throw new JsonRpcRejection(
            "duplicate_key", "The request body repeats a key: " + message + ".");
      }
      throw new JsonRpcRejection(
          "not_json", "The request body is not JSON (at line " + line(e) + ").");
    }
    if (root.isArray()) {
      throw new JsonRpcRejection(
          "batch_unsupported",
          "The request body is a JSON-RPC batch; MCP routes take one "
              + "request per HTTP request, so each step is decided on its own.");
    }
    if (!root.isObject()) {
      throw notJsonRpc("the body is not a JSON object");
    }
    rejectCaseCollisions(root, "$");
    if (!"2.0".equals(text(root, "jsonrpc"))) {
      throw notJsonRpc("'jsonrpc' must be \"2.0\"");
    }
    if (!root.has("method") && (root.has("result") || root.has("error"))) {
      return response(root);
    }
    String method = text(root, "method");
    if (method == null || method.isEmpty()) {
      throw notJsonRpc("'method' must be a non-empty string");
    }
    if (method.startsWith("rpc.")) {
      // JSON-RPC reserves these names; hopgate names a client's response so internally.
      throw notJsonRpc("method names beginning with 'rpc.' are reserved by JSON-RPC 2.0");
    }
    JsonNode id = root.get("id");
    String rawId = null;
    if (id != null) {
      if (!(id.isTextual() || id.isIntegralNumber())) {
        throw notJsonRpc("'id' must be a string or an integer");
      }
      rawId = id.toString();
    }
    JsonNode params = root.get("params");
    if (params != null && !params.isObject()) {
      throw notJsonRpc("MCP 'params' must be an object");
    }
    JsonNode meta = params == null ? null : params.get("_meta");
    if (meta != null && !meta.isObject()) {
      throw notJsonRpc("'params._meta' must be an object");
    }
    String protocolVersion = metaText(meta, PROTOCOL_VERSION_META);
    String contextId = metaText(meta, CONTEXT_ID_META);
    McpMethods.Named named = McpMethods.named(method);
    if (named == null) {
      return new JsonRpcCall(method, rawId, null, protocolVersion, contextId);
    }
    if (rawId == null) {
      throw notJsonRpc(
          "a " + method + " must carry an 'id' (a notification cannot read or run anything)");
    }
    String name = params == null ? null : text(params, named.param());
    if (name == null || name.isEmpty()) {
      throw notJsonRpc(
          "a " + method + " must name its " + named.kind() + " in 'params." + named.param() + "'");
    }
    return new JsonRpcCall(method, rawId, name, protocolVersion, contextId);
  }

  /**
   * A client's answer to the server's own request ({@code sampling/createMessage}, {@code
   * elicitation/create}, {@code roots/list} in the 2025 revisions): exactly an {@code id} and one
   * of {@code result} or {@code error}. It runs nothing on the server, so it is decided as session
   * traffic ({@link JsonRpcCall#RESPONSE}).
   */
  private static JsonRpcCall response(JsonNode root) throws JsonRpcRejection {
    JsonNode id = root.get("id");
    if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
      throw notJsonRpc("a response's 'id' must be a string or an integer");
    }
    if (root.has("result") == root.has("error")) {
      throw notJsonRpc("a response carries exactly one of 'result' and 'error'");
    }
    JsonNode error = root.get("error");
    if (error != null
        && !(error.isObject()
            && error.path("code").isIntegralNumber()
            && error.path("message").isTextual())) {
      throw notJsonRpc(
          "a response's 'error' must be an object with an integer 'code' and a 'message'");
    }
    if (root.size() != 3) {
      throw notJsonRpc("a response holds only 'jsonrpc', 'id' and 'result' or 'error'");
    }
    return new JsonRpcCall(JsonRpcCall.RESPONSE, id.toString(), null);
  }

  /**
   * A string member of {@code _meta}, or null when absent; any other JSON type is refused, since a
   * server might read it differently.
   */
  private static @Nullable String metaText(@Nullable JsonNode meta, String key)
      throws JsonRpcRejection {
    JsonNode value = meta == null ? null : meta.get(key);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw notJsonRpc("'params._meta[\"" + key + "\"]' must be a string");
    }
    return value.textValue();
  }

  /**
   * JSON is case-sensitive, but not every server's binding is: {@code Name} and {@code name} both
   * refused.
   */
  private static void rejectCaseCollisions(JsonNode node, String where) throws JsonRpcRejection {
    if (node.isObject()) {
      Map<String, String> seen = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String folded = field.getKey().toLowerCase(Locale.ROOT);
        String earlier = seen.putIfAbsent(folded, field.getKey());
        if (earlier != null) {
          throw new JsonRpcRejection(
              "case_colliding_keys",
              "The request body has keys that differ only in case "
                  + "at "
                  + where
                  + ": '"
                  + earlier
                  + "' and '"
                  + field.getKey()
                  + "'.");
        }
        rejectCaseCollisions(field.getValue(), where + "." + field.getKey());
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        rejectCaseCollisions(node.get(i), where + "[" + i + "]");
      }
    }
  }

  private static @Nullable String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  private static JsonRpcRejection notJsonRpc(String why) {
    return new JsonRpcRejection(
        "not_jsonrpc", "The request body is not a JSON-RPC 2.0 request: " + why + ".");
  }

  private static int line(JsonProcessingException e) {
    return e.getLocation() == null ? 0 : e.getLocation().getLineNr();
  }
}
