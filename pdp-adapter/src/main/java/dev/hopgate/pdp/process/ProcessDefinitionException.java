package dev.hopgate.pdp.process;

import java.util.List;

/** A process definition that cannot be used; every problem names the steps involved. */
public final class ProcessDefinitionException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ProcessDefinitionException(String source, List<String> problems) {
    super(source + ": " + String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
