package dev.hopgate.pdp;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.floor.VerifiedFacts;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.input.InputDocuments;
import dev.hopgate.pdp.mcp.McpListing;
import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.process.DeclaredIntent;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.request.Target;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * An MCP method that calls no tool: the token and the chain hold; no step, so no policy, no spend
 * and no completion (ext_proc mints one only for a decision that names a step). A {@code
 * tools/list} is answered with the tools this chain could call, a {@code resources/list} with the
 * resources it could read, a {@code prompts/list} with the prompts it could get.
 *
 * <p>What a list answer keeps: each mapped step evaluated as if taken now. An entry held back only
 * by the sequence gate stays visible (its prerequisites can still be completed, and the planner
 * must plan them); one the capability, authorization or scope gate refuses is hidden, as is one
 * that cannot be evaluated. Listing spends nothing and extends no chain.
 */
final class SessionMethod {
  private SessionMethod() {}

  static Decision allow(
      Deciding p,
      PolicySnapshot snapshot,
      String component,
      Route route,
      Target target,
      VerifiedFacts facts,
      Instant now) {
    McpRoute mcp = route.mcp();
    McpListing listing = target.listMethod() == null ? null : McpListing.of(target.listMethod());
    if (listing != null && mcp != null && p.mcp != null) {
      DeclaredIntent intent = snapshot.processes().declared(facts.origin().intent());
      p.mcp =
          p.mcp.listing(
              listing, visible(snapshot, mcp, listing, p.request, component, facts, intent, now));
    }
    return Decision.allow(
        p.id,
        facts.origin().txn(),
        snapshot.policy().revision(),
        Map.of(),
        Decision.About.hop(component, null, null));
  }

  private static List<String> visible(
      PolicySnapshot snapshot,
      McpRoute route,
      McpListing listing,
      HopRequest request,
      String component,
      VerifiedFacts facts,
      DeclaredIntent intent,
      Instant now) {
    if (intent instanceof DeclaredIntent.Unresolved) {
      return List.of();
    }
    ProcessDefinition process = intent.process();
    return route.visible(
        listing,
        step -> {
          String bound = process == null ? null : process.boundComponent(step);
          if (bound != null && !bound.equals(component)) {
            return false; // the scope gate refuses it here, whatever the policies say
          }
          InputDocument input =
              InputDocuments.build(
                  InputDocument.Hop.of(request, component, step), facts, intent.process(), now);
          try {
            EngineDecision result = snapshot.policy().evaluate(input);
            return result.allow()
                || result.violations().stream().allMatch(v -> v.gate() == Gate.SEQUENCE);
          } catch (EvaluationException e) {
            return false;
          }
        });
  }
}
