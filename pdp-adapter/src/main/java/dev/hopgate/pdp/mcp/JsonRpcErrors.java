package dev.hopgate.pdp.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.ProblemJson;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A denial as a JSON-RPC error response, which an MCP client hands to its planner instead of
 * dropping the session (as MCP clients do on any 4xx). {@code error.data.authorization} is MCP
 * SEP-2643's envelope; {@code error.data.problem} is the whole RFC 9457 document, repair included.
 */
public final class JsonRpcErrors {
  /** The media type of the body. */
  public static final String MEDIA_TYPE = "application/json";

  /**
   * The default {@code error.code} of a policy denial: in JSON-RPC's implementation-defined server
   * error range, and not -32001, which MCP SDKs read as a request timeout (and retry).
   */
  public static final int DEFAULT_DENIAL_CODE = -32003;

  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonRpcErrors() {}

  /**
   * @param rawId the request's id as JSON text, or null when it could not be read (the error then
   *     has {@code "id": null}, as JSON-RPC prescribes)
   */
  public static String write(@Nullable String rawId, int code, Problem problem) {
    ObjectNode response = JSON.createObjectNode();
    response.put("jsonrpc", "2.0");
    response.set("id", id(rawId));
    ObjectNode error = response.putObject("error");
    error.put("code", code);
    error.put("message", problem.title());
    ObjectNode data = error.putObject("data");
    ObjectNode authorization = data.putObject("authorization");
    authorization.put("reason", reason(problem));
    authorization.put("authorizationContextId", problem.decisionId());
    authorization.set("remediationHints", JSON.valueToTree(problem.repair()));
    data.set("problem", JSON.valueToTree(ProblemJson.toMap(problem)));
    try {
      return JSON.writeValueAsString(response);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a problem document did not serialise", e);
    }
  }

  /** The first violation as {@code gate/code}, such as {@code sequence/prerequisites_missing}. */
  private static String reason(Problem problem) {
    List<Map<String, Object>> violations = problem.violations();
    if (violations.isEmpty()) {
      return "denied";
    }
    return violations.get(0).get("gate") + "/" + violations.get(0).get("code");
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
