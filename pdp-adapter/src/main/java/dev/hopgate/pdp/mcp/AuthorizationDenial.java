package dev.hopgate.pdp.mcp;

import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * MCP's structured authorization denial envelope (SEP-2643, draft of 2026-08-21): what a client may
 * do about a denial, as a planner acts on it. hopgate's repair actions travel as hint types of
 * their own, named under {@value #HINT_PREFIX} so they cannot collide with the SEP's ({@code url},
 * {@code task}, {@code authorization_remediation}); a client that does not know them ignores them,
 * as the SEP requires, and still reads {@code reason} and {@code remediation}.
 */
public final class AuthorizationDenial {
  /** Where a result carries the envelope ({@code _meta}), and where a JSON-RPC error does. */
  public static final String META_KEY = "io.modelcontextprotocol/authorization";

  /** The SEP's one reason. */
  public static final String REASON = "insufficient_authorization";

  /** The namespace of hopgate's hint types: {@code dev.hopgate/complete_steps}, ... */
  public static final String HINT_PREFIX = "dev.hopgate/";

  /** Where a result carries hopgate's RFC 9457 problem document ({@code _meta}). */
  public static final String PROBLEM_META_KEY = "dev.hopgate/problem";

  /** The repair actions whose remedy is a new credential, which replaces the one refused. */
  private static final Set<String> NEW_CREDENTIAL = Set.of("refresh_token", "reauthenticate");

  private AuthorizationDenial() {}

  /**
   * The envelope of a denial: {@code remediation} is {@code undisclosed} where the route discloses
   * nothing, {@code unavailable} where nothing the caller can do within the txn helps (repair
   * {@code none}), else {@code available} with one hint per repair action.
   */
  public static Map<String, Object> envelope(Problem problem) {
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("reason", REASON);
    List<Map<String, Object>> hints = new ArrayList<>();
    for (Map<String, Object> action : problem.repair()) {
      Object name = action.get("action");
      if (name == null || "none".equals(name)) {
        continue;
      }
      Map<String, Object> hint = new LinkedHashMap<>();
      hint.put("type", HINT_PREFIX + name);
      action.forEach(
          (member, value) -> {
            if (!member.equals("action")) {
              hint.put(member, value);
            }
          });
      if (NEW_CREDENTIAL.contains(name)) {
        hint.put("credentialDisposition", "replacement");
      }
      hints.add(hint);
    }
    String remediation =
        problem.type().equals(DisclosureLevel.UNDISCLOSED_TYPE)
            ? "undisclosed"
            : hints.isEmpty() ? "unavailable" : "available";
    envelope.put("remediation", remediation);
    envelope.put("authorizationContextId", problem.decisionId());
    if (remediation.equals("available")) {
      envelope.put("remediationHints", hints);
    }
    return envelope;
  }
}
