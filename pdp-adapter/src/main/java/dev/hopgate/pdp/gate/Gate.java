package dev.hopgate.pdp.gate;

import java.util.Arrays;
import java.util.Locale;

/**
 * The gate a violation belongs to: the four policy gates and the three structural floor rules.
 *
 * <p>Token problems belong to {@link #AUTHORIZATION}: a valid hop token is part of the origin's
 * authority reaching this hop (house spec, section 4).
 */
public enum Gate {
  CAPABILITY,
  AUTHORIZATION,
  SEQUENCE,
  SCOPE,
  PROVENANCE,
  IDENTITY,
  CONTINUITY,
  /** Not a gate of the model: the route itself is not configured so that hopgate can decide. */
  CONFIGURATION,
  /** Not a gate of the model: the request cannot be read as the route's protocol (an MCP body). */
  REQUEST,
  /** Not a gate of the model: hopgate could not evaluate (engine error, internal failure). */
  EVALUATION;

  /** The name used on the wire and in policies: lower case, as in {@code "sequence"}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a wire name such as {@code "scope"}; throws if it names no gate. */
  public static Gate fromWireName(String name) {
    for (Gate gate : values()) {
      if (gate.wireName().equals(name)) {
        return gate;
      }
    }
    throw new IllegalArgumentException(
        "gate: '"
            + name
            + "' (expected one of "
            + Arrays.stream(values())
                .map(Gate::wireName)
                .collect(java.util.stream.Collectors.joining(", "))
            + ")");
  }
}
