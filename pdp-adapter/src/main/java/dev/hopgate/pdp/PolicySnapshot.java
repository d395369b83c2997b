package dev.hopgate.pdp;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessRegistry;

/**
 * Everything loaded and validated that decisions read: the prepared policy, the manifests and the
 * process definitions. Immutable; a reload builds a new one and swaps it in whole.
 */
public record PolicySnapshot(PreparedPolicy policy, ManifestRegistry manifests, ProcessRegistry processes) {
  public PolicySnapshot {
    requireNonNull(policy, "policy");
    requireNonNull(manifests, "manifests");
    requireNonNull(processes, "processes");
  }
}
