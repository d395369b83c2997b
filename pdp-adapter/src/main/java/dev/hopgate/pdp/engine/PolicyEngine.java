package dev.hopgate.pdp.engine;

import java.nio.file.Path;

/**
 * A policy language runtime: compiles a policy directory once into an immutable evaluator that is
 * then evaluated many times (OPA's prepare/eval split).
 */
public interface PolicyEngine {
  /** The engine's configuration name, such as {@code cedar}. */
  String name();

  /**
   * Loads, compiles and validates every policy in {@code directory}.
   *
   * @throws PolicyLoadException naming the file and what is wrong, when the set cannot serve
   */
  PreparedPolicy prepare(Path directory) throws PolicyLoadException;
}
