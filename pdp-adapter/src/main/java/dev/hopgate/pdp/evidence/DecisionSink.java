package dev.hopgate.pdp.evidence;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.input.InputDocument;
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

  /** Records nothing (tests, tools). */
  DecisionSink NONE = (decision, input) -> true;
}
