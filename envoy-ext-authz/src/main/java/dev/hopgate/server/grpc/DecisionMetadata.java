package dev.hopgate.server.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.mcp.JsonRpcCall;
import dev.hopgate.pdp.mcp.ListFilter;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.ProblemJson;
import dev.hopgate.pdp.request.LogText;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The contract between the Check response and ext_proc: the dynamic metadata Envoy carries from
 * ext_authz to ext_proc ({@code metadata_options.forwarding_namespaces}). An ALLOW is sealed with
 * the time it was issued and an authenticator over every field ext_proc acts on, under the
 * enforcement point's shared secret; ext_proc acts only on a tuple that verifies and is at most
 * {@code completion.max_age} old. Whoever can open ext_proc's stream can write any metadata: this
 * is what makes a made-up ALLOW, or a real one with a field changed, mint nothing.
 */
public final class DecisionMetadata {
  public static final String DECISION_ID = "decision_id";
  public static final String OUTCOME = "outcome";
  public static final String TXN = "txn";
  public static final String COMPONENT = "component";
  public static final String STEP = "step";
  public static final String DEADLINE = "deadline";
  public static final String POLICY_REVISION = "policy_revision";

  /** The route of the route table the request was decided on (for access logs). */
  public static final String ROUTE = "route";

  /** {@code mcp} on an MCP route. */
  public static final String PROTOCOL = "protocol";

  public static final String MCP_METHOD = "mcp_method";
  public static final String MCP_TOOL = "mcp_tool";

  /** The JSON-RPC id of the request decided, as JSON text. */
  public static final String JSONRPC_ID = "jsonrpc_id";

  /**
   * What an MCP list answer keeps: the list method and the names (tools, prompts) or URIs
   * (resources) the chain could use, as JSON ({@link ListFilter.Kept#encoded}).
   */
  public static final String LIST_KEPT = "mcp_list_kept";

  /** The disclosure the denying policies ask for, when stricter than full. */
  public static final String DISCLOSURE = "disclosure";

  /** {@code state_store} when the store, not the engine, decided a DENY. */
  public static final String DECIDED_BY = "decided_by";

  public static final String TRACE_ID = "trace_id";
  public static final String CODE = "code";
  public static final String GATE = "gate";

  /** The problem document the caller got, whole, for access logs (house spec, section 5). */
  public static final String PROBLEM = "problem";

  /** When the ALLOW was issued, milliseconds since the epoch. */
  public static final String ISSUED_AT = "issued_at";

  public static final String KEY_ID = "authenticator_kid";

  /**
   * Keep it out of access-log formats (docs/envoy.md): with it, ext_proc would mint for the step.
   */
  public static final String AUTHENTICATOR = "authenticator";

  /**
   * How long a decision's once-per-decision claim must be kept: the oldest tuple that still
   * verifies.
   */
  public Duration claimLifetime() {
    return maxAge.plus(clockSkew);
  }

  /** What ext_proc reads, in the order the authenticator covers it. */
  private static final List<String> AUTHENTICATED =
      List.of(
          DECISION_ID,
          OUTCOME,
          TXN,
          COMPONENT,
          STEP,
          DEADLINE,
          PROTOCOL,
          JSONRPC_ID,
          LIST_KEPT,
          ISSUED_AT);

  private final DecisionAuthenticator authenticator;
  private final Clock clock;
  private final Duration maxAge;
  private final Duration clockSkew;

  /**
   * @param maxAge how old a tuple may be when ext_proc acts on it ({@code completion.max_age})
   * @param clockSkew how far another replica's clock may be ahead of this one's
   */
  public DecisionMetadata(
      DecisionAuthenticator authenticator, Clock clock, Duration maxAge, Duration clockSkew) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
    this.clock = requireNonNull(clock, "clock");
    this.maxAge = requireNonNull(maxAge, "maxAge");
    this.clockSkew = requireNonNull(clockSkew, "clockSkew");
  }

  /**
   * What the Check response tells Envoy's dynamic metadata (for access logs and for ext_proc):
   * which decision, what outcome, which txn, what it was about. An ALLOW's must then be {@link
   * #seal sealed}.
   */
  public static Struct.Builder write(Decision decision) {
    Struct.Builder md =
        Struct.newBuilder()
            .putFields(DECISION_ID, string(decision.id()))
            .putFields(OUTCOME, string(decision.outcome().name()));
    put(md, TXN, decision.txn());
    put(md, POLICY_REVISION, decision.policyRevision());
    Decision.About about = decision.about();
    put(md, ROUTE, about.route() == null ? null : about.route().name());
    put(md, COMPONENT, about.component());
    put(md, STEP, about.step());
    put(
        md,
        DEADLINE,
        about.deadline() == null ? null : Long.toString(about.deadline().getEpochSecond()));
    McpFacts mcp = about.mcp();
    if (mcp != null) {
      md.putFields(PROTOCOL, string("mcp"));
      JsonRpcCall call = mcp.call();
      if (call != null) {
        md.putFields(MCP_METHOD, string(call.method()));
        put(md, JSONRPC_ID, call.rawId());
        put(md, MCP_TOOL, call.tool());
      }
      put(md, LIST_KEPT, mcp.kept() == null ? null : mcp.kept().encoded());
    }
    if (about.policyDisclosure() != DisclosureLevel.FULL) {
      md.putFields(DISCLOSURE, string(about.policyDisclosure().wireName()));
    }
    if (about.decidedByStore()) {
      md.putFields(DECIDED_BY, string("state_store"));
    }
    put(md, TRACE_ID, about.traceId());
    if (!decision.violations().isEmpty()) {
      md.putFields(CODE, string(decision.violations().get(0).code()));
      md.putFields(GATE, string(decision.violations().get(0).gate().wireName()));
    }
    if (decision.problem() != null) {
      md.putFields(PROBLEM, Structs.value(ProblemJson.toMap(decision.problem())));
    }
    return md;
  }

  private static void put(Struct.Builder md, String name, @Nullable String value) {
    if (value != null) {
      md.putFields(name, string(value));
    }
  }

  /**
   * Seals an ALLOW's metadata: the time, the key id and the authenticator over what ext_proc reads.
   */
  public void seal(Struct.Builder metadata) {
    metadata.putFields(ISSUED_AT, string(Long.toString(clock.millis())));
    metadata.putFields(KEY_ID, string(authenticator.currentKid()));
    metadata.putFields(AUTHENTICATOR, string(authenticator.sign(values(metadata.getFieldsMap()))));
  }

  /**
   * An ALLOW ext_proc may act on: every field as the decision wrote it.
   *
   * @param listKept what an MCP list answer keeps ({@link ListFilter.Kept#encoded}), or null for
   *     any other decision
   */
  public record Allowed(
      String decisionId,
      String txn,
      String component,
      String step,
      String deadline,
      String protocol,
      String jsonRpcId,
      @Nullable String listKept) {
    public boolean mcp() {
      return protocol.equals("mcp");
    }
  }

  /**
   * What ext_proc was told: a verified ALLOW, no ALLOW at all, or one it must not act on (and why).
   */
  public sealed interface Read {
    record Verified(Allowed allowed) implements Read {}

    record NotAnAllow() implements Read {}

    /**
     * @param claimsListing whether the unverified metadata claims to answer an MCP list method:
     *     such a response keeps nothing (fail closed; cutting only hides)
     */
    record Refused(String why, boolean claimsListing) implements Read {}
  }

  /** Reads and verifies ext_authz's metadata as forwarded to ext_proc. */
  public Read read(@Nullable Struct metadata) {
    if (metadata == null || !"ALLOW".equals(field(metadata, OUTCOME))) {
      return new Read.NotAnAllow();
    }
    boolean claimsListing =
        "mcp".equals(field(metadata, PROTOCOL)) && metadata.getFieldsMap().containsKey(LIST_KEPT);
    String kid = field(metadata, KEY_ID);
    if (!authenticator.knows(kid)) {
      return new Read.Refused(
          kid.isEmpty()
              ? "no authenticator"
              : "authenticator key '"
                  + LogText.of(kid)
                  + "' is unknown (do this enforcement point's replicas share "
                  + "completion.keys?)",
          claimsListing);
    }
    if (!authenticator.verifies(
        kid, field(metadata, AUTHENTICATOR), values(metadata.getFieldsMap()))) {
      return new Read.Refused(
          "the authenticator does not verify (a field was changed, or it was made up)",
          claimsListing);
    }
    Instant issued;
    try {
      issued = Instant.ofEpochMilli(Long.parseLong(field(metadata, ISSUED_AT)));
    } catch (NumberFormatException | DateTimeException e) {
      return new Read.Refused("issued_at is not a time", claimsListing);
    }
    Instant now = clock.instant();
    if (issued.isAfter(now.plus(clockSkew)) || issued.plus(maxAge).isBefore(now)) {
      return new Read.Refused(
          "issued at " + issued + ", outside completion.max_age (" + maxAge.toSeconds() + " s)",
          claimsListing);
    }
    return new Read.Verified(
        new Allowed(
            field(metadata, DECISION_ID),
            field(metadata, TXN),
            field(metadata, COMPONENT),
            field(metadata, STEP),
            field(metadata, DEADLINE),
            field(metadata, PROTOCOL),
            field(metadata, JSONRPC_ID),
            metadata.getFieldsMap().containsKey(LIST_KEPT) ? field(metadata, LIST_KEPT) : null));
  }

  private static List<String> values(Map<String, Value> fields) {
    List<String> values = new ArrayList<>(AUTHENTICATED.size());
    for (String name : AUTHENTICATED) {
      // Presence is covered too: a listing that keeps nothing is not the same as no listing.
      Value v = fields.get(name);
      values.add(v == null ? "absent" : v.getKindCase() + " " + v.getStringValue());
    }
    return values;
  }

  private static String field(Struct s, String name) {
    Value v = s.getFieldsMap().get(name);
    return v == null ? "" : v.getStringValue();
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
