package dev.hopgate.server.grpc;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.Code;
import com.google.rpc.Status;
import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.mcp.JsonRpcErrors;
import dev.hopgate.pdp.mcp.JsonRpcRejection;
import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.ProblemJson;
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

  /**
   * A denial (an ALLOW needs {@link #of(Decision, McpRoute, DisclosureLevel, DecisionMetadata)}).
   */
  static CheckResponse of(Decision decision) {
    if (decision.problem() == null) {
      throw new IllegalArgumentException("an ALLOW is answered sealed, with its DecisionMetadata");
    }
    return of(decision, null, DisclosureLevel.FULL, null);
  }

  /**
   * @param mcp the route's MCP settings when it is an MCP route: a policy denial there is a
   *     JSON-RPC error response (HTTP 200 by default), so MCP clients keep the session and the
   *     planner reads the repair; a token problem stays 401 with its challenge, which MCP's
   *     authorization flow relies on
   * @param disclosure how much of a policy denial the caller sees (the dynamic metadata, for access
   *     logs, keeps the whole problem)
   */
  static CheckResponse of(
      Decision decision,
      @Nullable McpRoute mcp,
      DisclosureLevel disclosure,
      @Nullable DecisionMetadata sealer) {
    Problem problem = decision.problem() == null ? null : disclosure.apply(decision.problem());
    if (problem == null) {
      if (sealer == null) {
        throw new IllegalArgumentException(
            "an ALLOW is answered sealed, with its DecisionMetadata");
      }
      Struct.Builder sealed = metadata(decision).toBuilder();
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
      boolean unreadable = problem.status() == 400;
      int code =
          unreadable
              ? JsonRpcRejection.jsonRpcCode(decision.violations().get(0).code())
              : mcp.denialCode();
      String rawId = decision.metadata().get(DecisionPoint.JSONRPC_ID_METADATA);
      // A refused notification has no response to carry an error: streamable HTTP wants a 4xx for
      // it.
      int status = unreadable ? 400 : rawId == null ? 403 : mcp.denialStatus();
      denied
          .setStatus(HttpStatus.newBuilder().setCode(httpStatus(status)))
          .addHeaders(overwrite("content-type", JsonRpcErrors.MEDIA_TYPE))
          .setBody(JsonRpcErrors.write(rawId, code, problem));
    } else {
      denied
          .setStatus(HttpStatus.newBuilder().setCode(httpStatus(problem.status())))
          .addHeaders(overwrite("content-type", Problem.MEDIA_TYPE))
          .setBody(ProblemJson.write(problem));
    }
    if (decision.wwwAuthenticate() != null) {
      String challenge = decision.wwwAuthenticate();
      if (mcp != null && mcp.resourceMetadata() != null) {
        // RFC 9728: where an MCP client finds the authorization server for this resource.
        challenge += ", resource_metadata=\"" + mcp.resourceMetadata() + "\"";
      }
      denied.addHeaders(overwrite("www-authenticate", challenge));
    }
    int grpcCode =
        problem.status() == 401 ? Code.UNAUTHENTICATED_VALUE : Code.PERMISSION_DENIED_VALUE;
    return CheckResponse.newBuilder()
        .setStatus(Status.newBuilder().setCode(grpcCode).setMessage(problem.title()))
        .setDeniedResponse(denied)
        .setDynamicMetadata(metadata(decision))
        .build();
  }

  /**
   * For Envoy's access log and for ext_proc ({@link DecisionMetadata}): which decision, what
   * outcome, which txn.
   */
  private static Struct metadata(Decision decision) {
    Struct.Builder md =
        Struct.newBuilder()
            .putFields("decision_id", string(decision.id()))
            .putFields("outcome", string(decision.outcome().name()));
    if (decision.txn() != null) {
      md.putFields("txn", string(decision.txn()));
    }
    if (decision.policyRevision() != null) {
      md.putFields("policy_revision", string(decision.policyRevision()));
    }
    decision.metadata().forEach((k, v) -> md.putFields(k, string(v)));
    if (!decision.violations().isEmpty()) {
      md.putFields("code", string(decision.violations().get(0).code()));
      md.putFields("gate", string(decision.violations().get(0).gate().wireName()));
    }
    if (decision.problem() != null) {
      // The same document the caller gets, for access logs (house spec, section 5).
      md.putFields(
          "problem",
          Value.newBuilder().setStructValue(struct(ProblemJson.toMap(decision.problem()))).build());
    }
    return md.build();
  }

  private static Struct struct(java.util.Map<String, Object> map) {
    Struct.Builder s = Struct.newBuilder();
    map.forEach((k, v) -> s.putFields(k, value(v)));
    return s.build();
  }

  @SuppressWarnings("unchecked")
  private static Value value(Object v) {
    if (v instanceof String str) {
      return string(str);
    }
    if (v instanceof Number n) {
      return Value.newBuilder().setNumberValue(n.doubleValue()).build();
    }
    if (v instanceof Boolean b) {
      return Value.newBuilder().setBoolValue(b).build();
    }
    if (v instanceof java.util.Map<?, ?> m) {
      return Value.newBuilder().setStructValue(struct((java.util.Map<String, Object>) m)).build();
    }
    if (v instanceof java.util.Collection<?> c) {
      com.google.protobuf.ListValue.Builder list = com.google.protobuf.ListValue.newBuilder();
      c.forEach(item -> list.addValues(value(item)));
      return Value.newBuilder().setListValue(list).build();
    }
    return Value.newBuilder().setNullValue(com.google.protobuf.NullValue.NULL_VALUE).build();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
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
