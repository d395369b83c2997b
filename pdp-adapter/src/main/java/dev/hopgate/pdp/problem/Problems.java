package dev.hopgate.pdp.problem;

import dev.hopgate.pdp.floor.FloorCode;
import dev.hopgate.pdp.floor.FloorRejection;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.token.TokenRejection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Builds the problem documents of hopgate's denials. */
public final class Problems {
  private static final String TYPE_PREFIX = "urn:hopgate:problem:";

  private Problems() {}

  /** A hop token was refused: 401, and the repair is a fresh token or a new authentication. */
  public static Problem token(
      String decisionId,
      @Nullable String txn,
      TokenRejection rejection,
      @Nullable String tokenEndpoint) {
    Map<String, Object> repair = new LinkedHashMap<>();
    repair.put("action", rejection.code().repair().action());
    if (tokenEndpoint != null) {
      repair.put("issuer", tokenEndpoint);
    }
    return new Problem(
        TYPE_PREFIX + "token",
        "Hop token rejected",
        401,
        rejection.getMessage(),
        decisionId,
        txn,
        List.of(violation(Violation.of(Gate.AUTHORIZATION, rejection.code().code()))),
        List.of(repair));
  }

  /** The gates refused the step: 403, typed by the first failed gate, with the assembled repair. */
  public static Problem denied(
      String decisionId,
      @Nullable String txn,
      String step,
      List<Violation> violations,
      List<Map<String, Object>> repair) {
    Violation first = violations.get(0);
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Violation v : violations) {
      docs.add(violation(v));
    }
    return new Problem(
        TYPE_PREFIX + first.gate().wireName(),
        title(first.gate()),
        403,
        detail(step, first),
        decisionId,
        txn,
        docs,
        repair);
  }

  /** One plain sentence a planner (or its operator) can read, from the first violation. */
  static String detail(String step, Violation v) {
    Object process = v.details().get("process");
    String of = process == null ? "" : " of process " + process;
    return switch (v.gate()) {
      case CAPABILITY ->
          switch (v.code()) {
            case "no_manifest" ->
                "Component "
                    + v.details().get("component")
                    + " has no signed manifest, so it "
                    + "cannot be shown to perform step "
                    + step
                    + ".";
            case "excluded" ->
                "The manifest of "
                    + v.details().get("component")
                    + " says it does not perform step "
                    + step
                    + ".";
            default ->
                "The manifest of "
                    + v.details().get("component")
                    + " does not list step "
                    + step
                    + ".";
          };
      case AUTHORIZATION -> "The authority that reached this hop does not cover step " + step + ".";
      case SEQUENCE ->
          switch (v.code()) {
            case "missing_prerequisites" ->
                "Step "
                    + step
                    + " requires steps "
                    + steps(v, "missing")
                    + " to be completed first.";
            case "expired_prerequisites" ->
                "Step "
                    + step
                    + " requires steps "
                    + steps(v, "expired")
                    + " to have been completed within their window; their completions are too old, so they must run again.";
            case "consumed" ->
                "Step "
                    + step
                    + " requires a new completion of "
                    + steps(v, "consumed")
                    + "; each completion is spent by one use, and the last one was used.";
            case "budget_exhausted" ->
                "Step "
                    + step
                    + " may run at most "
                    + v.details().get("max")
                    + " times per txn, and this txn has used them all.";
            default -> "Step " + step + " is not in sequence (" + v.code() + ").";
          };
      case SCOPE -> "Step " + step + " is not part of the declared intent" + of + ".";
      default ->
          "Step " + step + " is denied by the " + v.gate().wireName() + " gate (" + v.code() + ").";
    };
  }

  private static String steps(Violation v, String field) {
    return v.details().get(field) instanceof List<?> steps
        ? String.join(", ", steps.stream().map(String::valueOf).toList())
        : "(unnamed)";
  }

  /** A floor rule failed: status, gate and repair come with its public code. */
  public static Problem floor(String decisionId, @Nullable String txn, FloorRejection rejection) {
    FloorCode code = rejection.code();
    return new Problem(
        TYPE_PREFIX + code.gate().wireName(),
        floorTitle(code),
        code.status(),
        rejection.getMessage(),
        decisionId,
        txn,
        List.of(violation(Violation.of(code.gate(), code.code()))),
        List.of(Map.of("action", code.repair())));
  }

  /** The declared intent names a process this deployment does not know (or an edited one). */
  public static Problem intentUnresolved(
      String decisionId, String txn, @Nullable String process, @Nullable String digest) {
    return new Problem(
        TYPE_PREFIX + "scope",
        title(Gate.SCOPE),
        403,
        "The declared intent names process "
            + process
            + " with digest "
            + digest
            + ", which this deployment does not know; an edited process is a different intent.",
        decisionId,
        txn,
        List.of(
            violation(new Violation(Gate.SCOPE, "intent_unresolved", Map.of("process", process)))),
        List.of(Map.of("action", "declare_intent")));
  }

  /**
   * A deployment fault ({@code route_unknown}, {@code caller_not_bound}, ...): nothing the caller
   * can repair.
   */
  public static Problem configuration(String decisionId, String code, String detail) {
    return new Problem(
        TYPE_PREFIX + "configuration",
        title(Gate.CONFIGURATION),
        403,
        detail,
        decisionId,
        null,
        List.of(violation(Violation.of(Gate.CONFIGURATION, code))),
        List.of(Map.of("action", "none")));
  }

  /**
   * The request body cannot be read as what the route expects (a JSON-RPC request on an MCP route).
   */
  public static Problem badRequest(String decisionId, String code, String detail) {
    return badRequest(decisionId, Violation.of(Gate.REQUEST, code), detail);
  }

  /** The same, its violation naming more than its code. */
  public static Problem badRequest(String decisionId, Violation violation, String detail) {
    String code = violation.code();
    return new Problem(
        TYPE_PREFIX + "request",
        title(Gate.REQUEST),
        // An MCP endpoint answers a GET or DELETE it does not serve with 405, which MCP clients
        // read as "no SSE stream here"; anything else unreadable is a 400.
        code.equals("not_post") ? 405 : 400,
        detail,
        decisionId,
        null,
        List.of(violation(violation)),
        List.of(Map.of("action", "fix_request")));
  }

  /**
   * An MCP call of something the route maps to no step (a tool, resource, prompt or method): the
   * mesh owner has not admitted it here.
   *
   * @param kind {@code tool}, {@code resource}, {@code prompt} or {@code method}: the code is
   *     {@code <kind>_unmapped} and the violation names it under {@code <kind>}
   */
  public static Problem unmapped(
      String decisionId, @Nullable String txn, String kind, String name) {
    String what = kind.equals("tool") ? "tool" : kind.equals("method") ? "MCP method" : kind;
    return new Problem(
        TYPE_PREFIX + "scope",
        Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + " is not a step of this route",
        403,
        "The "
            + what
            + " '"
            + name
            + "' is not mapped to a step on this route, so hopgate denies "
            + (kind.equals("tool") ? "calling it" : kind.equals("method") ? "it" : "reading it")
            + " here.",
        decisionId,
        txn,
        List.of(violation(new Violation(Gate.SCOPE, kind + "_unmapped", Map.of(kind, name)))),
        List.of(Map.of("action", "none")));
  }

  /** The declared process binds the step to another component: only that one may perform it. */
  public static Problem boundToAnotherComponent(
      String decisionId, String txn, String step, String bound) {
    Map<String, Object> repair = new LinkedHashMap<>();
    repair.put("action", "use_component");
    repair.put("step", step);
    repair.put("components", List.of(bound));
    return new Problem(
        TYPE_PREFIX + "scope",
        title(Gate.SCOPE),
        403,
        "The declared process binds step " + step + " to component " + bound + ".",
        decisionId,
        txn,
        List.of(
            violation(
                new Violation(
                    Gate.SCOPE,
                    "bound_to_another_component",
                    Map.of("step", step, "component", bound)))),
        List.of(repair));
  }

  /** hopgate could not decide, so it denied: 403, as Envoy answers when its authorizer fails. */
  public static Problem aborted(String decisionId, @Nullable String txn, String code) {
    return new Problem(
        TYPE_PREFIX + "evaluation",
        title(Gate.EVALUATION),
        403,
        "hopgate could not evaluate this request and denied it; the decision log has decision "
            + decisionId
            + ".",
        decisionId,
        txn,
        List.of(violation(Violation.of(Gate.EVALUATION, code))),
        List.of(Map.of("action", "none")));
  }

  static Map<String, Object> violation(Violation v) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("gate", v.gate().wireName());
    doc.put("code", v.code());
    doc.putAll(v.details());
    return doc;
  }

  static String floorTitle(FloorCode code) {
    return switch (code) {
      case ORIGIN_MISSING, ORIGIN_INVALID, ORIGIN_LIFETIME -> "Origin token rejected";
      case ORIGIN_NOT_YET_VALID -> "Origin token not valid yet";
      case ORIGIN_MISMATCH -> "Hop token does not match the origin";
      case CHAIN_MALFORMED, CHAIN_TOO_LARGE -> "Chain headers malformed";
      case CHAIN_BROKEN -> "Chain provenance broken";
      case CHAIN_SIGNER -> "Chain signed by an unbound enforcement point";
      case CHAIN_CALLER -> "Caller is not the chain's head";
      case CHAIN_WIDENED -> "Authority widened along the chain";
      case CHAIN_EXPIRED -> "Chain expired";
      case CHAIN_NOT_YET_VALID -> "Chain not valid yet";
      case MANIFEST_EXPIRED -> "Component manifest expired";
      case REVOKED -> "Transaction revoked";
      case REVOCATION_UNAVAILABLE -> "Revocation feed unavailable";
    };
  }

  static String title(Gate gate) {
    return switch (gate) {
      case CAPABILITY -> "Component does not perform this step";
      case AUTHORIZATION -> "Not authorized for this step";
      case SEQUENCE -> "Prerequisite steps not completed";
      case SCOPE -> "Step is outside the declared intent";
      case PROVENANCE -> "Chain provenance broken";
      case IDENTITY -> "Origin identity mismatch";
      case CONTINUITY -> "Authority widened along the chain";
      case CONFIGURATION -> "Route not configured for hopgate";
      case EVALUATION -> "Request could not be evaluated";
      case REQUEST -> "Request body unreadable";
    };
  }
}
