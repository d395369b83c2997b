package dev.hopgate.pdp.engine.rego;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.input.InputDocuments;
import dev.hopgate.pdp.problem.DisclosureLevel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads {@code data.hopgate.gates.decision} ({@code {"allow", "violations": [{gate, code, ...}]}})
 * the same way for every Rego engine. Anything else, an undefined result included, is an evaluation
 * failure: a deny.
 */
final class RegoDecisions {
  /** The query every Rego engine evaluates. */
  static final String ENTRYPOINT = "hopgate/gates/decision";

  static final ObjectMapper JSON = new ObjectMapper();

  private RegoDecisions() {}

  static String input(InputDocument input) throws EvaluationException {
    try {
      return JSON.writeValueAsString(InputDocuments.toMap(input));
    } catch (JsonProcessingException e) {
      throw new EvaluationException("rego: the input document could not be written", e);
    }
  }

  static EngineDecision read(JsonNode result, String engine) throws EvaluationException {
    if (result == null || result.isMissingNode() || result.isNull()) {
      throw new EvaluationException(engine + ": " + ENTRYPOINT + " is undefined for this input");
    }
    JsonNode allow = result.get("allow");
    JsonNode violations = result.get("violations");
    if (allow == null || !allow.isBoolean() || violations == null || !violations.isArray()) {
      throw new EvaluationException(
          engine + ": " + ENTRYPOINT + " is not {allow: bool, violations: [...]}");
    }
    List<Violation> found = new ArrayList<>();
    DisclosureLevel disclosure = DisclosureLevel.FULL;
    for (JsonNode v : violations) {
      if (v.has("disclosure")) {
        // What the caller may see of this denial: not a detail, never shown.
        String named = v.get("disclosure").asText();
        disclosure =
            disclosure.stricter(
                DisclosureLevel.named(named)
                    .orElseThrow(
                        () ->
                            new EvaluationException(
                                engine
                                    + ": a violation's disclosure is '"
                                    + named
                                    + "' (expected: full, minimal or undisclosed)")));
      }
      if (!v.path("gate").isTextual() || !v.path("code").isTextual()) {
        throw new EvaluationException(engine + ": a violation without gate and code: " + v);
      }
      Gate gate;
      try {
        gate = Gate.fromWireName(v.get("gate").asText());
      } catch (IllegalArgumentException e) {
        throw new EvaluationException(engine + ": " + e.getMessage(), e);
      }
      Map<String, Object> details = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!field.getKey().equals("gate")
            && !field.getKey().equals("code")
            && !field.getKey().equals("disclosure")) {
          // Whole numbers as Long whatever their size, as Cedar's details are: one decision, one
          // form.
          JsonNode value = field.getValue();
          details.put(
              field.getKey(),
              value.canConvertToLong() && value.isIntegralNumber()
                  ? value.asLong()
                  : JSON.convertValue(value, Object.class));
        }
      }
      found.add(new Violation(gate, v.get("code").asText(), details));
    }
    if (allow.asBoolean() != found.isEmpty()) {
      throw new EvaluationException(
          engine + ": allow is " + allow + " with " + found.size() + " violations");
    }
    return allow.asBoolean() ? EngineDecision.allowed() : EngineDecision.denied(found, disclosure);
  }
}
