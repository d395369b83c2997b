package dev.hopgate.pdp.decision;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.floor.FloorRejection;
import dev.hopgate.pdp.gate.Disclosure;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.mcp.JsonRpcRejection;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.Problems;
import dev.hopgate.pdp.repair.RepairAssembler;
import dev.hopgate.pdp.request.Target;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.pdp.state.Spending.Spent;
import dev.hopgate.pdp.token.TokenCode;
import dev.hopgate.pdp.token.TokenRejection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every denial of one decision, by name: the gate, code, problem document and challenge of each
 * kind of refusal live here, not at the place that refuses. Denials before any policy ran carry no
 * policy revision; those after carry the snapshot's.
 */
public final class Denials {
  private final String id;
  private final PolicySnapshot snapshot;
  private final @Nullable String tokenEndpoint;

  /**
   * @param tokenEndpoint where a caller gets a fresh hop token when the manifest names none, or
   *     null
   */
  public Denials(String id, PolicySnapshot snapshot, @Nullable String tokenEndpoint) {
    this.id = requireNonNull(id, "id");
    this.snapshot = requireNonNull(snapshot, "snapshot");
    this.tokenEndpoint = tokenEndpoint;
  }

  private @Nullable String revision() {
    return snapshot.policy().revision();
  }

  /** An Envoy asks only for the components it fronts: any other is a caller deciding for itself. */
  public Decision callerNotBound(String component) {
    Problem problem =
        Problems.configuration(
            id,
            "caller_not_bound",
            "The Envoy that asked is not bound to component "
                + component
                + " (callers.envoys), so hopgate does not decide for it.");
    return Decision.deny(
        id, Violation.of(Gate.CONFIGURATION, "caller_not_bound"), problem, null, null);
  }

  /**
   * The request's route cannot be told, or is not what the request is: the mesh owner must fix the
   * route table or Envoy's configuration ({@code route_unknown}, {@code route_mismatch}, ...).
   */
  public Decision route(String code, String detail) {
    return Decision.deny(
        id,
        Violation.of(Gate.CONFIGURATION, code),
        Problems.configuration(id, code, detail),
        null,
        null);
  }

  /** An MCP route whose rule takes only {@code tools/call}. */
  public Decision sessionMethodRefused(String method) {
    return route(
        "route_unconfigured",
        "This MCP route takes only tools/call; '"
            + method
            + "' is refused by its rule (the route table's mcp.session_methods).");
  }

  /**
   * Envoy did not normalise the path (another reader could route it elsewhere): the request names
   * nothing hopgate can match.
   */
  public Decision pathNotNormalized() {
    return Decision.deny(
        id,
        Violation.of(Gate.REQUEST, "path_not_normalized"),
        Problems.badRequest(
            id,
            "path_not_normalized",
            "The request path is not normalised (an empty, '.' or '..' segment, an escaped slash"
                + " or backslash): hopgate matches routes only on paths Envoy normalised"
                + " (normalize_path, merge_slashes, path_with_escaped_slashes_action:"
                + " REJECT_REQUEST)."),
        null,
        null);
  }

  /** The body is not one JSON-RPC call that every reader reads the same. */
  public Decision unreadableCall(JsonRpcRejection rejection) {
    Violation violation = new Violation(Gate.REQUEST, rejection.code(), rejection.details());
    return Decision.deny(
        id, violation, Problems.badRequest(id, violation, rejection.getMessage()), null, null);
  }

  /** The hop token was refused: 401 with its challenge, and where a fresh one is issued. */
  public Decision token(TokenRejection rejection, String component) {
    return Decision.deny(
            id,
            Violation.of(Gate.AUTHORIZATION, rejection.code().code()),
            Problems.token(id, null, rejection, issuer(component)),
            null,
            null)
        .withChallenge(challenge(rejection));
  }

  /** A rule of the structural floor failed (no policy can override it). */
  public Decision floor(String txn, FloorRejection rejection) {
    Problem problem = Problems.floor(id, txn, rejection);
    String challenge =
        problem.status() == 401
            ? "Bearer realm=\"hopgate\", error=\"invalid_request\", error_description=\""
                + quotable(rejection.getMessage())
                + "\""
            : null;
    return Decision.of(
            id,
            rejection.code().outcome(),
            List.of(Violation.of(rejection.code().gate(), rejection.code().code())),
            problem,
            txn,
            null)
        .withChallenge(challenge);
  }

  /** An MCP call of a tool, resource, prompt or method the route maps to no step. */
  public Decision unmapped(String txn, Target.Unmapped unmapped) {
    return Decision.deny(
        id,
        Violation.of(Gate.SCOPE, unmapped.kind() + "_unmapped"),
        Problems.unmapped(id, txn, unmapped.kind(), unmapped.name()),
        txn,
        revision());
  }

  /** The declared process binds {@code step} to {@code bound}, not to the component called. */
  public Decision boundToAnotherComponent(String txn, String step, String bound) {
    return Decision.deny(
        id,
        Violation.of(Gate.SCOPE, "bound_to_another_component"),
        Problems.boundToAnotherComponent(id, txn, step, bound),
        txn,
        revision());
  }

  /** The declared intent names a process (or a digest of it) this snapshot does not hold. */
  public Decision intentUnresolved(String txn, @Nullable String iri, @Nullable String digest) {
    return Decision.deny(
        id,
        Violation.of(Gate.SCOPE, "intent_unresolved"),
        Problems.intentUnresolved(id, txn, iri, digest),
        txn,
        revision());
  }

  /**
   * The policies denied: the violations they may disclose, the repair assembled from them, and the
   * disclosure they ask for.
   */
  public Decision policy(
      String txn,
      String step,
      List<Violation> violations,
      DisclosureLevel disclosure,
      InputDocument input) {
    List<Violation> disclosed = Disclosure.apply(violations);
    Problem problem =
        Problems.denied(
            id, txn, step, disclosed, RepairAssembler.assemble(disclosed, input, snapshot));
    Decision denied = Decision.deny(id, disclosed, problem, txn, revision());
    return denied.withAbout(
        new Decision.About(null, null, null, null, null, disclosure, false, null));
  }

  /** The engines allowed, the store refused: a racer spent these {@code once} approvals first. */
  public Decision approvalsConsumed(
      String txn, String step, List<String> steps, InputDocument input) {
    return decidedByStore(
        txn, step, new Violation(Gate.SEQUENCE, "consumed", Map.of("consumed", steps)), input);
  }

  /** The engines allowed, the store refused: the step's budget is used up. */
  public Decision budgetExhausted(
      String txn, String step, long max, long used, InputDocument input) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("step", step);
    details.put("max", max);
    details.put("used", used);
    return decidedByStore(
        txn, step, new Violation(Gate.SEQUENCE, "budget_exhausted", details), input);
  }

  /**
   * The denial an ALLOW becomes when what it spends was no longer there, or null when it was all
   * reserved and the ALLOW stands.
   */
  public @Nullable Decision unspent(
      Spent spent, String txn, String step, String component, InputDocument input) {
    if (spent instanceof Spent.ApprovalsConsumed consumed) {
      return approvalsConsumed(txn, step, consumed.steps(), input);
    }
    if (spent instanceof Spent.BudgetExhausted budget) {
      return budgetExhausted(txn, step, budget.max(), budget.used(), input);
    }
    if (spent instanceof Spent.TokenConsumed) {
      return tokenConsumed(txn, component);
    }
    return null;
  }

  /** The one-time hop token was already used. */
  public Decision tokenConsumed(String txn, String component) {
    TokenRejection consumed =
        new TokenRejection(TokenCode.TOKEN_CONSUMED, "This one-time hop token was already used.");
    return Decision.deny(
            id,
            Violation.of(Gate.AUTHORIZATION, consumed.code().code()),
            Problems.token(id, txn, consumed, issuer(component)),
            txn,
            revision())
        .withChallenge(challenge(consumed));
  }

  /** hopgate could not decide ({@code code} says why), so it denied. */
  public Decision abort(@Nullable String txn, String code) {
    return Decision.abort(id, txn, code, revision());
  }

  /** The engine ran out of its time budget. */
  public Decision evaluationTimeout(String txn) {
    return Decision.timeout(id, txn, "evaluation_timeout", revision());
  }

  /** The caller's deadline left no time to finish (whichever stage was running). */
  public Decision deadlineExceeded(@Nullable String txn) {
    return Decision.timeout(id, txn, "deadline_exceeded", revision());
  }

  /**
   * Marked, so the log says the engine allowed and the store refused (replay skips such records).
   */
  private Decision decidedByStore(
      String txn, String step, Violation violation, InputDocument input) {
    List<Violation> violations = List.of(violation);
    Problem problem =
        Problems.denied(
            id, txn, step, violations, RepairAssembler.assemble(violations, input, snapshot));
    return Decision.deny(id, violations, problem, txn, revision())
        .withAbout(
            new Decision.About(null, null, null, null, null, DisclosureLevel.FULL, true, null));
  }

  private @Nullable String issuer(String component) {
    return snapshot.manifests().get(component).map(m -> m.issuerEndpoint()).orElse(tokenEndpoint);
  }

  /** The RFC 6750 challenge: no error code when the request carried no token at all. */
  static String challenge(TokenRejection rejection) {
    if (rejection.code() == TokenCode.TOKEN_MISSING) {
      return "Bearer realm=\"hopgate\"";
    }
    return "Bearer realm=\"hopgate\", error=\"invalid_token\", error_description=\""
        + quotable(rejection.getMessage())
        + "\"";
  }

  /** RFC 6750 allows only %x20-21 / %x23-5B / %x5D-7E in error_description. */
  private static String quotable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      out.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '?');
    }
    return out.toString();
  }
}
