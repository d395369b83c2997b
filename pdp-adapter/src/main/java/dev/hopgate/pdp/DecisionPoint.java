package dev.hopgate.pdp;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.decision.DecisionIds;
import dev.hopgate.pdp.decision.Gate;
import dev.hopgate.pdp.decision.Outcome;
import dev.hopgate.pdp.decision.Violation;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.Problems;
import dev.hopgate.pdp.token.HopToken;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.TokenCode;
import dev.hopgate.pdp.token.TokenRejection;
import java.time.Clock;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Decides one request: the route names the component and step, the hop token is verified, the
 * input document is built from what verified, and the policy decides.
 *
 * <p>It never throws: whatever fails on the way is a denial (fail closed), and no exception text
 * reaches the caller.
 */
public final class DecisionPoint {
  private static final System.Logger LOG = System.getLogger(DecisionPoint.class.getName());

  /** The route's context extension naming the component of this hop. */
  public static final String COMPONENT = "component";
  /** The route's context extension naming the step of this hop. */
  public static final String STEP = "step";

  private final HopTokenVerifier hopTokens;
  private final PreparedPolicy policy;
  private final Clock clock;
  private final @Nullable String tokenEndpoint;

  /**
   * @param tokenEndpoint where a caller gets a fresh hop token (named in the repair), or null
   */
  public DecisionPoint(HopTokenVerifier hopTokens, PreparedPolicy policy, Clock clock,
      @Nullable String tokenEndpoint) {
    this.hopTokens = requireNonNull(hopTokens, "hopTokens");
    this.policy = requireNonNull(policy, "policy");
    this.clock = requireNonNull(clock, "clock");
    this.tokenEndpoint = tokenEndpoint;
  }

  public PreparedPolicy policy() {
    return policy;
  }

  public Decision decide(HopRequest request) {
    String id = DecisionIds.next();
    try {
      return decide(id, request);
    } catch (RuntimeException | LinkageError e) {
      // A bug or a native failure: log it here with the decision id, answer without its text.
      LOG.log(System.Logger.Level.ERROR, "decision " + id + " failed closed", e);
      return abort(id, null, "internal_error");
    }
  }

  private Decision decide(String id, HopRequest request) {
    String component = request.contextExtensions().get(COMPONENT);
    String step = request.contextExtensions().get(STEP);
    if (isBlank(component) || isBlank(step)) {
      Problem problem = Problems.unconfigured(id, "This route does not name its component and step "
          + "(per-route ext_authz context_extensions 'component' and 'step'), so hopgate denies it.");
      return new Decision(id, Outcome.DENY, List.of(Violation.of(Gate.CONFIGURATION,
          "route_unconfigured")), problem, null, null, null);
    }

    HopToken token;
    try {
      token = hopTokens.verify(request.header("authorization"), component);
    } catch (TokenRejection rejection) {
      Problem problem = Problems.token(id, null, rejection, tokenEndpoint);
      return new Decision(id, Outcome.DENY,
          List.of(Violation.of(Gate.AUTHORIZATION,
              rejection.code().code())),
          problem, null, challenge(rejection), null);
    }

    InputDocument input = new InputDocument(
        new InputDocument.Hop(component, step, request.method(), request.path(), request.sourcePrincipal()),
        new InputDocument.Origin(token.subject(), token.txn()),
        clock.instant());
    EngineDecision result;
    try {
      result = policy.evaluate(input);
    } catch (EvaluationException e) {
      LOG.log(System.Logger.Level.WARNING, "decision {0}: {1}", id, e.getMessage());
      return abort(id, token.txn(), "evaluation_failed");
    }
    if (result.allow()) {
      return new Decision(id, Outcome.ALLOW, List.of(), null, token.txn(), null, policy.revision());
    }
    Problem problem = Problems.denied(id, token.txn(), step, result.violations());
    return new Decision(id, Outcome.DENY, result.violations(), problem, token.txn(), null,
        policy.revision());
  }

  private Decision abort(String id, @Nullable String txn, String code) {
    Problem problem = Problems.aborted(id, txn, code);
    return new Decision(id, Outcome.ABORT,
        List.of(Violation.of(Gate.EVALUATION, code)),
        problem, txn, null, policy.revision());
  }

  /** The RFC 6750 challenge: no error code when the request carried no token at all. */
  static String challenge(TokenRejection rejection) {
    if (rejection.code() == TokenCode.TOKEN_MISSING) {
      return "Bearer realm=\"hopgate\"";
    }
    return "Bearer realm=\"hopgate\", error=\"invalid_token\", error_description=\""
        + quotable(rejection.getMessage()) + "\"";
  }

  /** RFC 6750 allows only %x20-21 / %x23-5B / %x5D-7E in error_description. */
  private static String quotable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      out.append(c >= 0x20 && c <= 0x7E && c != '"' && c != '\\' ? c : '?');
    }
    return out.toString();
  }

  private static boolean isBlank(@Nullable String s) {
    return s == null || s.isBlank();
  }
}
