package dev.hopgate.pdp.manifest;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.token.TrustedKey;
import java.util.Map;

/** An enforcement point allowed to sign transitions and completions for a component. */
public record EnforcementPoint(String id, Map<String, TrustedKey> keys) {
  public EnforcementPoint {
    requireNonNull(id, "id");
    keys = Map.copyOf(keys);
  }
}
