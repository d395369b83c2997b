package dev.hopgate.pdp.evidence;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.input.InputDocument;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Where decisions go as evidence. */
public interface DecisionSink {
  /**
   * Records a decision.
   *
   * @param input the input document the engine read, or null when none was built (floor denials)
   * @return false when it could not be recorded and the decision must not stand (fail closed)
   */
  boolean record(Decision decision, @Nullable InputDocument input);

  /**
   * Reserves the record of a decision that is about to spend (a once token, an approval, a budget
   * unit), before it spends: the decision stands only if {@link Slot#commit} then records it.
   */
  default Slot reserve(String decisionId) {
    return this::record;
  }

  /**
   * Records an event about a decision that is not itself a decision (what an unanswered ALLOW left
   * spent), best effort: evidence of what went wrong must not refuse anything else.
   */
  default void note(String eventType, @Nullable String txn, Map<String, Object> payload) {}

  /** A reserved place in the evidence for one decision. */
  interface Slot {
    /**
     * Records the decision in the reserved place (a decision with another id than the one reserved
     * is Envoy's retry of that earlier decision, recorded as such).
     *
     * @return false when the record was refused and the decision must not stand
     */
    boolean commit(Decision decision, @Nullable InputDocument input);

    /** Gives the place back unused: the decision was answered another way. */
    default void release() {}

    /** Whether the place is held: a decision whose slot is not must not spend. */
    default boolean held() {
      return true;
    }

    /** No place: the evidence is full; the decision is refused before it spends. */
    Slot REFUSED =
        new Slot() {
          @Override
          public boolean commit(Decision decision, @Nullable InputDocument input) {
            return false;
          }

          @Override
          public boolean held() {
            return false;
          }
        };
  }

  /** Records nothing (tests, tools). */
  DecisionSink NONE = (decision, input) -> true;
}
