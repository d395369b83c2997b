package dev.hopgate.pdp;

import dev.hopgate.pdp.decision.DecisionIds;
import dev.hopgate.pdp.decision.Denials;
import dev.hopgate.pdp.evidence.DecisionSink;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.mcp.McpFacts;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.route.Route;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import org.jspecify.annotations.Nullable;

/**
 * One decision in the making: what each stage learnt that the response and the log record need,
 * whichever stage ends it.
 */
final class Deciding {
  final String id = DecisionIds.next();
  final HopRequest request;
  final Denials deny;
  @Nullable Route route;
  @Nullable McpFacts mcp;
  @Nullable InputDocument input;
  DecisionSink.@Nullable Slot slot;
  long floorNanos;
  long engineNanos;

  Deciding(HopRequest request, PolicySnapshot snapshot, @Nullable String tokenEndpoint) {
    this.request = request;
    this.deny = new Denials(id, snapshot, tokenEndpoint);
  }
}
