package dev.hopgate.server.grpc;

import com.google.protobuf.Struct;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.mcp.JsonRpcCall;
import dev.hopgate.pdp.mcp.JsonRpcErrors;
import dev.hopgate.pdp.mcp.JsonRpcRejection;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.mcp.ProtectedResource;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.ProblemJson;
import dev.hopgate.pdp.route.Route;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.envoyproxy.envoy.service.auth.v3.DeniedHttpResponse;
import io.envoyproxy.envoy.service.auth.v3.OkHttpResponse;
import io.envoyproxy.envoy.type.v3.HttpStatus;
import io.envoyproxy.envoy.type.v3.StatusCode;
import org.jspecify.annotations.Nullable;

/** Turns a decision into Envoy's CheckResponse. */
final class CheckResponses {
  /**
   * The header that carries the decision id upstream (on allow) and back to the caller (on deny).
   */
  static final String DECISION_ID_HEADER = "hopgate-decision-id";

  private CheckResponses() {}

  /** A denial (an ALLOW is answered sealed: {@link #of(Decision, DecisionMetadata)}). */
  static CheckResponse of(Decision decision) {
    return of(decision, null);
  }

  /**
   * The response in the route's shape. On an MCP route a refused tool call is a tool result with
   * {@code isError: true} (SEP-2643), any other policy denial a JSON-RPC error response (HTTP 200
   * by default), so MCP clients keep the session and the planner reads the repair; a token problem
   * stays 401 with its challenge, which MCP's authorization flow relies on. The caller sees as much
   * of a denial as the route and the denying policies let it (the dynamic metadata, for access
   * logs, keeps the whole problem).
   *
   * @param sealer seals an ALLOW's dynamic metadata for ext_proc; required for an ALLOW
   */
  static CheckResponse of(Decision decision, @Nullable DecisionMetadata sealer) {
    Route route = decision.about().route();
    McpRoute mcp = route == null ? null : route.mcp();
    DisclosureLevel disclosure = decision.about().disclosure();
    Problem problem = decision.problem() == null ? null : disclosure.apply(decision.problem());
    if (problem == null) {
      if (sealer == null) {
        throw new IllegalArgumentException(
            "an ALLOW is answered sealed, with its DecisionMetadata");
      }
      Struct.Builder sealed = DecisionMetadata.write(decision);
      sealer.seal(sealed);
      OkHttpResponse.Builder ok =
          OkHttpResponse.newBuilder()
              .addHeaders(overwrite(DECISION_ID_HEADER, decision.id()))
              // The hop token is this hop's bearer credential; the upstream has no use for it.
              .addHeadersToRemove("authorization");
      // Replace, never append: Envoy would join two values with a comma.
      decision.upstreamHeaders().forEach((name, value) -> ok.addHeaders(overwrite(name, value)));
      return CheckResponse.newBuilder()
          .setStatus(Status.newBuilder().setCode(Code.OK_VALUE))
          .setOkResponse(ok)
          .setDynamicMetadata(sealed)
          .build();
    }
    DeniedHttpResponse.Builder denied =
        DeniedHttpResponse.newBuilder()
            .addHeaders(overwrite("cache-control", "no-store"))
            .addHeaders(overwrite(DECISION_ID_HEADER, decision.id()));
    if (mcp != null && problem.status() != 401) {
      // 400: the body does not read; 405: not a POST (an MCP endpoint's own answer to GET/DELETE).
      boolean unreadable = problem.status() == 400 || problem.status() == 405;
      int code =
          unreadable
              ? JsonRpcRejection.jsonRpcCode(decision.violations().get(0).code())
              : mcp.denialCode();
      McpFacts facts = decision.about().mcp();
      JsonRpcCall call = facts == null ? null : facts.call();
      String rawId = call == null ? null : call.rawId();
      String resultId =
          !unreadable
                  && call != null
                  && call.isToolCall()
                  && mcp.denialForm() == McpRoute.DenialForm.RESULT
              ? call.rawId()
              : null;
      // A refused notification has no response to carry an error: streamable HTTP wants a 4xx for
      // it. A refused tool call answered as its result is a 200 like any tool error.
      int status =
          unreadable
              ? problem.status()
              : resultId != null ? 200 : rawId == null ? 403 : mcp.denialStatus();
      if (status == 405) {
        denied.addHeaders(overwrite("allow", "POST"));
      }
      denied
          .setStatus(HttpStatus.newBuilder().setCode(httpStatus(status)))
          .addHeaders(overwrite("content-type", JsonRpcErrors.MEDIA_TYPE))
          .setBody(
              resultId != null
                  ? JsonRpcErrors.toolResult(resultId, problem)
                  : JsonRpcErrors.write(rawId, code, problem));
    } else {
      denied
          .setStatus(HttpStatus.newBuilder().setCode(httpStatus(problem.status())))
          .addHeaders(overwrite("content-type", Problem.MEDIA_TYPE))
          .setBody(ProblemJson.write(problem));
    }
    if (decision.wwwAuthenticate() != null) {
      String challenge = decision.wwwAuthenticate();
      String metadata = mcp == null ? null : mcp.challengeMetadata();
      if (metadata != null) {
        // RFC 9728: where an MCP client finds the authorization server for this resource.
        challenge += ", resource_metadata=\"" + metadata + "\"";
      }
      denied.addHeaders(overwrite("www-authenticate", challenge));
    }
    int grpcCode =
        problem.status() == 401 ? Code.UNAUTHENTICATED_VALUE : Code.PERMISSION_DENIED_VALUE;
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(grpcCode).setMessage(problem.title()))
        .setDeniedResponse(denied)
        .setDynamicMetadata(DecisionMetadata.write(decision))
        .build();
  }

  /**
   * An MCP route's RFC 9728 metadata as Envoy's local reply (a "denied" response with status 200:
   * Envoy answers it itself, and no upstream sees the request).
   */
  static CheckResponse protectedResource(ProtectedResource metadata) {
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(Code.PERMISSION_DENIED_VALUE))
        .setDeniedResponse(
            DeniedHttpResponse.newBuilder()
                .setStatus(HttpStatus.newBuilder().setCode(StatusCode.OK))
                .addHeaders(overwrite("content-type", "application/json"))
                // Public and the same for everyone until the route table changes.
                .addHeaders(overwrite("cache-control", "public, max-age=300"))
                .setBody(metadata.document()))
        .build();
  }

  private static HeaderValueOption overwrite(String name, String value) {
    return HeaderValueOption.newBuilder()
        .setHeader(HeaderValue.newBuilder().setKey(name).setValue(value))
        .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)
        .build();
  }

  private static StatusCode httpStatus(int status) {
    StatusCode code = StatusCode.forNumber(status);
    return code == null ? StatusCode.Forbidden : code;
  }
}
