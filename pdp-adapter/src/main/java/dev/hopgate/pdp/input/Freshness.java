package dev.hopgate.pdp.input;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The temporal side of the sequence gate, read off the input document: whether a completion lies
 * within the window of its edge into this hop's step ({@code within}), and whether it is still
 * unspent ({@code once}). Rego computes the same itself from {@code completed}, {@code
 * intent.edges} and {@code now}; Cedar has no quantifiers over records, so its mapping receives the
 * two sets below, and the conformance corpus proves both engines agree.
 */
public final class Freshness {
  private Freshness() {}

  /** The window in seconds of the edge {@code from -> hop.step}, or null when it has none. */
  public static @Nullable Long window(InputDocument input, String from) {
    for (InputDocument.Edge e : input.intent().edges()) {
      if (e.from().equals(from) && e.to().equals(input.hop().step())) {
        return e.withinSeconds();
      }
    }
    return null;
  }

  /**
   * Whether {@code c} lies within the window of its edge into this hop's step (always, without
   * one).
   */
  public static boolean fresh(InputDocument input, InputDocument.CompletedStep c) {
    Long window = window(input, c.step());
    return window == null || input.now() - c.at() <= window;
  }

  /**
   * Completed steps none of whose completions lies within the window of its edge into this step.
   */
  public static Set<String> stale(InputDocument input) {
    Set<String> stale = new TreeSet<>();
    input.completed().forEach(c -> stale.add(c.step()));
    input.completed().stream().filter(c -> fresh(input, c)).forEach(c -> stale.remove(c.step()));
    return stale;
  }

  /** Completed steps with a completion within the window, every such completion already spent. */
  public static Set<String> spent(InputDocument input) {
    Set<String> spent = new TreeSet<>();
    input.completed().stream().filter(c -> fresh(input, c)).forEach(c -> spent.add(c.step()));
    input.completed().stream()
        .filter(c -> fresh(input, c) && !c.consumed())
        .forEach(c -> spent.remove(c.step()));
    return spent;
  }

  /** This step's prerequisites whose completions all lie outside their window, sorted. */
  public static List<String> expiredPrerequisites(InputDocument input) {
    Set<String> expired = new TreeSet<>(stale(input));
    expired.retainAll(input.intent().prerequisites());
    return List.copyOf(expired);
  }

  /** This step's prerequisites whose fresh completions are all spent, sorted. */
  public static List<String> consumedPrerequisites(InputDocument input) {
    Set<String> consumed = new TreeSet<>(spent(input));
    consumed.retainAll(input.intent().prerequisites());
    return List.copyOf(consumed);
  }
}
