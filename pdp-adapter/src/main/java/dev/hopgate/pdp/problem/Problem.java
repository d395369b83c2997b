package dev.hopgate.pdp.problem;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An RFC 9457 problem document with hopgate's extension members: the decision id, the txn, the
 * violations and the repair a planner can act on.
 */
public record Problem(
    String type,
    String title,
    int status,
    String detail,
    String decisionId,
    @Nullable String txn,
    List<Map<String, Object>> violations,
    List<Map<String, Object>> repair) {
  /** The media type of the body (RFC 9457). */
  public static final String MEDIA_TYPE = "application/problem+json";

  public Problem {
    requireNonNull(type, "type");
    requireNonNull(title, "title");
    requireNonNull(detail, "detail");
    requireNonNull(decisionId, "decisionId");
    violations = List.copyOf(requireNonNull(violations, "violations"));
    repair = List.copyOf(requireNonNull(repair, "repair"));
  }
}
