package dev.hopgate.server.grpc;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.decision.DecisionIds;
import io.envoyproxy.envoy.service.auth.v3.AuthorizationGrpc;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import io.envoyproxy.envoy.service.auth.v3.CheckResponse;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * Envoy's {@code envoy.service.auth.v3.Authorization/Check}: a thin layer from CheckRequest to a
 * decision and back. It always answers with a CheckResponse, never a gRPC error, so that even a bug
 * in hopgate is a denial with a problem body, whatever Envoy's failure mode says.
 */
public final class AuthorizationService extends AuthorizationGrpc.AuthorizationImplBase {
  private static final System.Logger LOG = System.getLogger(AuthorizationService.class.getName());

  private final Supplier<DecisionPoint> decisionPoint;
  private final DecisionMetadata sealer;
  private final DecisionListener listener;

  /**
   * @param decisionPoint the current decision point (swapped atomically when policies reload)
   * @param sealer seals every ALLOW's dynamic metadata for ext_proc
   * @param listener told of every decision and how long the check took (metrics, the association)
   */
  public AuthorizationService(
      Supplier<DecisionPoint> decisionPoint, DecisionMetadata sealer, DecisionListener listener) {
    this.decisionPoint = requireNonNull(decisionPoint, "decisionPoint");
    this.sealer = requireNonNull(sealer, "sealer");
    this.listener = requireNonNull(listener, "listener");
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> responses) {
    responses.onNext(decide(request));
    responses.onCompleted();
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
      CheckResponse response = CheckResponses.of(decision, sealer);
      listener.decided(decision, System.nanoTime() - start);
      return response;
    } catch (RuntimeException | LinkageError e) {
      String id = DecisionIds.next();
      LOG.log(
          System.Logger.Level.ERROR,
          "decision " + id + " failed closed outside the decision point",
          e);
      return CheckResponses.of(Decision.abort(id, null, "internal_error", null));
    }
  }
}
