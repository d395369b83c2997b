package dev.hopgate.pdp.process;

import static java.util.Objects.requireNonNull;

import org.jspecify.annotations.Nullable;

/**
 * One step of a process.
 *
 * @param component the component bound to perform it, or null when any component whose manifest
 *     performs it may
 * @param once whether its completion is consumed by the step it unlocks
 * @param max how many times it may be used per txn, or null for no limit
 */
public record ProcessStep(
    String id, @Nullable String component, boolean once, @Nullable Integer max) {
  public ProcessStep {
    requireNonNull(id, "id");
  }
}
