package dev.hopgate.pdp.snapshot;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessRegistry;

/**
 * Everything loaded and validated that decisions read: the prepared policy, the manifests and the
 * process definitions. Immutable; a reload builds a new one and swaps it in whole.
 */
public record PolicySnapshot(
    PreparedPolicy policy, ManifestRegistry manifests, ProcessRegistry processes) {
  public PolicySnapshot {
    requireNonNull(policy, "policy");
    requireNonNull(manifests, "manifests");
    requireNonNull(processes, "processes");
  }

  /**
   * The revision of everything that decides: the policy revision, every manifest's digest and every
   * process's digest. Logged at start and on each reload.
   */
  public String revision() {
    java.util.List<Object> parts = new java.util.ArrayList<>();
    parts.add(policy.revision());
    manifests.all().stream()
        .map(m -> m.component() + "=" + m.digest())
        .sorted()
        .forEach(parts::add);
    processes.all().stream().map(p -> p.iri() + "=" + p.digest()).sorted().forEach(parts::add);
    return dev.hopgate.pdp.digest.Digests.ofJson(parts);
  }
}
