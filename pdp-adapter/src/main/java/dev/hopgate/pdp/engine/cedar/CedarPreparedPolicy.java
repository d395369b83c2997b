package dev.hopgate.pdp.engine.cedar;

import com.cedarpolicy.AuthorizationEngine;
import com.cedarpolicy.model.AuthorizationRequest;
import com.cedarpolicy.model.AuthorizationResponse;
import com.cedarpolicy.model.AuthorizationSuccessResponse;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.policy.PolicySet;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.ViolationDetails;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.problem.DisclosureLevel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** A validated, natively cached Cedar policy set. */
final class CedarPreparedPolicy implements PreparedPolicy {
  /** The code of a deny that no forbid determined: nothing permitted the request. */
  static final String NO_PERMIT = "no_permit";

  private final AuthorizationEngine engine;
  private final PolicySet policySet;
  private final Map<String, CedarEngine.PolicyAnnotations> annotations;
  private final String revision;

  CedarPreparedPolicy(
      AuthorizationEngine engine,
      PolicySet policySet,
      Map<String, CedarEngine.PolicyAnnotations> annotations,
      String revision) {
    this.engine = engine;
    this.policySet = policySet;
    this.annotations = Map.copyOf(annotations);
    this.revision = revision;
  }

  @Override
  public String engine() {
    return CedarEngine.NAME;
  }

  @Override
  public String revision() {
    return revision;
  }

  @Override
  public EngineDecision evaluate(InputDocument input) throws EvaluationException {
    CedarRequest request = CedarInputMapping.map(input);
    AuthorizationResponse response;
    try {
      response =
          engine.isAuthorized(
              new AuthorizationRequest(
                  request.principal(), request.action(), request.resource(), request.context()),
              policySet,
              request.entities());
    } catch (AuthException e) {
      throw new EvaluationException("cedar: " + CedarEngine.message(e), e);
    }
    if (response.type != AuthorizationResponse.SuccessOrFailure.Success
        || response.success.isEmpty()) {
      String errors = response.errors.map(Object::toString).orElse("no detail");
      throw new EvaluationException("cedar: the request could not be evaluated: " + errors);
    }
    AuthorizationSuccessResponse success = response.success.get();
    // Cedar skips a policy whose condition errors. A skipped forbid would be a silent allow,
    // so any evaluation error makes the whole decision fail closed.
    if (!success.getErrors().isEmpty()) {
      throw new EvaluationException(
          "cedar: policy "
              + success.getErrors().get(0).getPolicyId()
              + " errored: "
              + success.getErrors().get(0).getError().message);
    }
    if (success.isAllowed()) {
      return EngineDecision.allowed();
    }
    List<Violation> violations = new ArrayList<>();
    DisclosureLevel disclosure = DisclosureLevel.FULL;
    for (String policyId : success.getReason()) {
      CedarEngine.PolicyAnnotations notes = annotations.get(policyId);
      if (notes != null && notes.forbid() && notes.gate() != null && notes.code() != null) {
        // Cedar returns no details; they are read off the same input the Rego policies read.
        violations.add(ViolationDetails.of(Violation.of(notes.gate(), notes.code()), input));
        disclosure = disclosure.stricter(notes.disclosure());
      }
    }
    if (violations.isEmpty()) {
      violations.add(Violation.of(Gate.AUTHORIZATION, NO_PERMIT));
    }
    // Cedar reports determining policies as a set; a fixed order keeps denials comparable.
    violations.sort(
        Comparator.comparing((Violation v) -> v.gate().ordinal()).thenComparing(Violation::code));
    return EngineDecision.denied(violations, disclosure);
  }
}
