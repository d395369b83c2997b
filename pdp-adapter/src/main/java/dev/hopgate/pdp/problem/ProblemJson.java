package dev.hopgate.pdp.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes problem documents as JSON, members in the order of RFC 9457 then hopgate's. */
public final class ProblemJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProblemJson() {}

  public static Map<String, Object> toMap(Problem problem) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("type", problem.type());
    doc.put("title", problem.title());
    doc.put("status", problem.status());
    doc.put("detail", problem.detail());
    doc.put("decision_id", problem.decisionId());
    if (problem.txn() != null) {
      doc.put("txn", problem.txn());
    }
    doc.put("violations", problem.violations());
    doc.put("repair", problem.repair());
    return doc;
  }

  public static String write(Problem problem) {
    try {
      return JSON.writeValueAsString(toMap(problem));
    } catch (JsonProcessingException e) {
      // Only strings, numbers, lists and maps go in: this cannot happen short of a JVM fault.
      throw new IllegalStateException("problem document could not be written", e);
    }
  }
}
