package dev.hopgate.server.grpc;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.decision.DecisionIds;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Outcome;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.mcp.McpRoute;
import dev.hopgate.pdp.problem.DisclosureLevel;
import dev.hopgate.pdp.problem.Problem;
import dev.hopgate.pdp.problem.Problems;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Envoy's {@code envoy.service.auth.v3.Authorization/Check}: a thin layer from CheckRequest to a
 * decision and back. It always answers with a CheckResponse, never a gRPC error, so that even a bug
 * in hopgate is a denial with a problem body, whatever Envoy's failure mode says.
 */
public final class AuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {
  private static final System.Logger LOG = System.getLogger(AuthorizationService.class.getName());

  private final Supplier<DecisionPoint> decisionPoint;
  private final DecisionMetadata sealer;
  private final ObjLongConsumer<Decision> observer;

  /**
   * @param decisionPoint the current decision point (swapped atomically when policies reload)
   * @param sealer seals every ALLOW's dynamic metadata for ext_proc
   * @param observer told of every decision and how long the check took (metrics, the association)
   */
  public AuthorizationService(
      Supplier<DecisionPoint> decisionPoint,
      DecisionMetadata sealer,
      ObjLongConsumer<Decision> observer) {
    this.decisionPoint = requireNonNull(decisionPoint, "decisionPoint");
    this.sealer = requireNonNull(sealer, "sealer");
    this.observer = requireNonNull(observer, "observer");
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> responses) {
    responses.onNext(decide(request));
    responses.onCompleted();
  }

  /**
   * The route's MCP settings; a route whose settings are wrong was already denied as unconfigured.
   */
  private static @Nullable McpRoute mcpRoute(CheckRequest request) {
    try {
      return McpRoute.of(request.getAttributes().getContextExtensionsMap());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The route's disclosure level; a wrong one was already denied as unconfigured, shown whole. */
  private static DisclosureLevel disclosure(CheckRequest request) {
    try {
      return DisclosureLevel.of(request.getAttributes().getContextExtensionsMap());
    } catch (IllegalArgumentException e) {
      return DisclosureLevel.FULL;
    }
  }

  CheckResponse decide(CheckRequest request) {
    long start = System.nanoTime();
    try {
      // The components the asking Envoy fronts (CallerAdmission): a Check for another is refused.
      Decision decision =
          decisionPoint
              .get()
              .decide(CheckRequests.toHopRequest(request, CallerAdmission.boundComponents()));
      LOG.log(
          System.Logger.Level.DEBUG,
          "decision {0} {1} {2}",
          decision.id(),
          decision.outcome(),
          decision.violations());
      // The route's level, cut further where the denying policies ask (never less).
      DisclosureLevel disclosure =
          disclosure(request)
              .stricter(
                  DisclosureLevel.named(
                          decision
                              .metadata()
                              .getOrDefault(DecisionPoint.DISCLOSURE_METADATA, "full"))
                      .orElse(DisclosureLevel.UNDISCLOSED));
      CheckResponse response = CheckResponses.of(decision, mcpRoute(request), disclosure, sealer);
      observer.accept(decision, System.nanoTime() - start);
      return response;
    } catch (RuntimeException | LinkageError e) {
      String id = DecisionIds.next();
      LOG.log(
          System.Logger.Level.ERROR,
          "decision " + id + " failed closed outside the decision point",
          e);
      Problem problem = Problems.aborted(id, null, "internal_error");
      return CheckResponses.of(
          new Decision(
              id,
              Outcome.ABORT,
              List.of(Violation.of(Gate.EVALUATION, "internal_error")),
              problem,
              null,
              null,
              null));
    }
  }
}
