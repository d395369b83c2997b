package dev.hopgate.pdp.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.gate.Disclosure;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocuments;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Re-evaluates the FULL records of a decision log (those that carry their input document) with a
 * policy of the same revision, and reports every decision the policy now makes differently: the
 * engines are deterministic, so any difference is a finding. Records decided before the engine ran
 * (floor denials) or after it (a spent one-time token, an approval or budget a racer took first, a
 * full log) are skipped, as are records of another policy revision.
 */
public final class LogReplayer {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What replay found. */
  public record Result(int replayed, int skipped, List<String> differences) {
    public boolean deterministic() {
      return differences.isEmpty();
    }
  }

  private LogReplayer() {}

  public static Result replay(Path file, PreparedPolicy policy) throws IOException {
    int replayed = 0;
    int skipped = 0;
    List<String> differences = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode payload = JSON.readTree(line).path("payload");
      JsonNode input = payload.get("input");
      String outcome = payload.path("outcome").asText();
      if (input == null
          || !policy.revision().equals(payload.path("policy_revision").asText())
          || !(outcome.equals("ALLOW") || outcome.equals("DENY"))
          || fromOutsideTheEngine(payload)) {
        skipped++;
        continue;
      }
      String id = payload.path("decision_id").asText();
      try {
        EngineDecision now = policy.evaluate(InputDocuments.fromJson(input));
        List<String> codes = new ArrayList<>();
        for (Violation v : Disclosure.apply(now.violations())) {
          codes.add(v.code());
        }
        List<String> logged = new ArrayList<>();
        payload.path("codes").forEach(c -> logged.add(c.asText()));
        String was = outcome + " " + logged;
        String is = (now.allow() ? "ALLOW" : "DENY") + " " + codes;
        if (!was.equals(is)) {
          differences.add("decision " + id + ": logged " + was + ", replayed " + is);
        }
      } catch (EvaluationException | IllegalArgumentException e) {
        differences.add("decision " + id + ": could not be replayed (" + e.getMessage() + ")");
      }
      replayed++;
    }
    return new Result(replayed, skipped, differences);
  }

  /** Codes no engine produces: decided by the floor or after the engine. */
  private static boolean fromOutsideTheEngine(JsonNode payload) {
    if (payload.has("decided_by")) {
      return true; // the engine allowed; the state store refused what the ALLOW would spend
    }
    for (JsonNode code : payload.path("codes")) {
      String c = code.asText();
      if (c.startsWith("token_") || c.equals("intent_unresolved") || c.endsWith("_unavailable")) {
        return true;
      }
    }
    return false;
  }
}
