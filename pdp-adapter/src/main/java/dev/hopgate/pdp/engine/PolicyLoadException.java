package dev.hopgate.pdp.engine;

import java.util.List;

/** A policy set cannot serve; every problem found is listed, each naming its file. */
public final class PolicyLoadException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public PolicyLoadException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  public PolicyLoadException(String problem) {
    this(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }
}
