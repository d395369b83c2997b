package dev.hopgate.pdp.engine;

import dev.hopgate.pdp.input.InputDocument;

/** A compiled, validated, immutable policy set, safe to evaluate from many threads at once. */
public interface PreparedPolicy {
  /** The engine that prepared it. */
  String engine();

  /** A digest of the policy sources, so every decision can name the policies that made it. */
  String revision();

  /**
   * Evaluates the gates for one input document.
   *
   * @throws EvaluationException when the engine could not reach a decision (then hopgate denies)
   */
  EngineDecision evaluate(InputDocument input) throws EvaluationException;
}
