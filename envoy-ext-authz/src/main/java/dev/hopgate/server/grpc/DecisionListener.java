package dev.hopgate.server.grpc;

import dev.hopgate.pdp.decision.Decision;
import java.util.List;

/**
 * Told of every decision once its response is built, with how long the Check took. Observers only
 * (metrics, the association's START): nothing a listener does changes the answer, and one that
 * throws is logged and skipped. The decision log is not one: it stays on the decision path, where a
 * refused record refuses the decision.
 */
@FunctionalInterface
public interface DecisionListener {
  void decided(Decision decision, long checkNanos);

  /** Listens to nothing. */
  DecisionListener NONE = (decision, nanos) -> {};

  /** Each of {@code listeners} in turn, each failure contained. */
  static DecisionListener all(List<DecisionListener> listeners) {
    List<DecisionListener> copy = List.copyOf(listeners);
    return (decision, nanos) -> {
      for (DecisionListener listener : copy) {
        try {
          listener.decided(decision, nanos);
        } catch (RuntimeException e) {
          System.getLogger(DecisionListener.class.getName())
              .log(
                  System.Logger.Level.WARNING,
                  "decision " + decision.id() + ": a listener failed (the answer stands)",
                  e);
        }
      }
    };
  }
}
