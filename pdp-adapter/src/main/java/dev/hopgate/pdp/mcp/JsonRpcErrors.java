package dev.hopgate.pdp.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.ProblemJson;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A denial on an MCP route as an MCP client reads it: a refused tool call as a tool result with
 * {@code isError: true} and the SEP-2643 envelope in its {@code _meta} (the SEP's form, which a
 * model reads and acts on, and which never costs the client its session), anything else as a
 * JSON-RPC error response whose {@code error.data} carries the envelope ({@code authorization}) and
 * the whole RFC 9457 problem document ({@code problem}).
 */
public final class JsonRpcErrors {
  /** The media type of the body. */
  public static final String MEDIA_TYPE = "application/json";

  /**
   * The default {@code error.code} of a policy denial: in the range MCP leaves to implementations
   * (-32000..-32019), and neither -32001, which MCP SDKs read as a request timeout (and retry), nor
   * -32002, the one code of that range MCP still gives a meaning (resource not found).
   */
  public static final int DEFAULT_DENIAL_CODE = -32003;

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonRpcErrors() {}

  /**
   * A JSON-RPC error response. A policy denial (403) carries the envelope; a request hopgate could
   * not read (400, 405) only the problem, and an unsupported revision (-32022) also the revisions
   * hopgate decides, as MCP 2026-07-28 defines that error's data.
   *
   * @param rawId the request's id as JSON text, or null when it could not be read (the error then
   *     has {@code "id": null}, as JSON-RPC prescribes)
   */
  public static String write(@Nullable String rawId, int code, Problem problem) {
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id(rawId));
    ObjectNode error = response.putObject("error");
    error.put("code", code);
    error.put("message", problem.status() == 400 ? problem.detail() : problem.title());
    ObjectNode data = error.putObject("data");
    if (code == JsonRpcRejection.UNSUPPORTED_PROTOCOL_VERSION) {
      Map<String, Object> violation = problem.violations().get(0);
      data.set("supported", JSON.valueToTree(violation.get("supported")));
      data.set("requested", JSON.valueToTree(violation.get("requested")));
    }
    if (problem.status() == 403) {
      data.set("authorization", JSON.valueToTree(AuthorizationDenial.envelope(problem)));
    }
    data.set("problem", JSON.valueToTree(ProblemJson.toMap(problem)));
    return text(response);
  }

  /**
   * A refused tool call as its result (SEP-2643): {@code isError: true}, the problem's title and
   * detail as the text a model reads, the envelope and the problem document in {@code _meta}.
   * {@code resultType} is what 2026-07-28 clients require of every result; older ones ignore it.
   */
  public static String toolResult(String rawId, Problem problem) {
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id(rawId));
    ObjectNode result = response.putObject("result");
    result
        .putArray("content")
        .addObject()
        .put("type", "text")
        .put("text", problem.title() + ": " + problem.detail());
    result.put("isError", true);
    result.put("resultType", "complete");
    ObjectNode meta = result.putObject("_meta");
    meta.set(AuthorizationDenial.META_KEY, JSON.valueToTree(AuthorizationDenial.envelope(problem)));
    meta.set(AuthorizationDenial.PROBLEM_META_KEY, JSON.valueToTree(ProblemJson.toMap(problem)));
    return text(response);
  }

  private static String text(ObjectNode response) {
    try {
      return JSON.writeValueAsString(response);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a problem document did not serialise", e);
    }
  }

  private static JsonNode id(@Nullable String rawId) {
    if (rawId == null) {
      return JSON.nullNode();
    }
    try {
      return JSON.readTree(rawId);
    } catch (JsonProcessingException e) {
      // Only ids the reader accepted arrive here; anything else answers as unread.
      return JSON.nullNode();
    }
  }
}
