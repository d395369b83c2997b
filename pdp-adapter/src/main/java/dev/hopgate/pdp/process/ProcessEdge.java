package dev.hopgate.pdp.process;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A prerequisite: {@code from} must be completed before {@code to} may run, within {@code within}
 * of its completion when set.
 */
public record ProcessEdge(String from, String to, @Nullable Duration within) {
  public ProcessEdge {
    requireNonNull(from, "from");
    requireNonNull(to, "to");
  }
}
