package dev.hopgate.pdp.snapshot;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.route.RouteTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Everything loaded and validated that decisions read: the prepared policy, the manifests, the
 * process definitions and the route table. Immutable; a reload builds a new one and swaps it in
 * whole.
 */
public record PolicySnapshot(
    PreparedPolicy policy,
    ManifestRegistry manifests,
    ProcessRegistry processes,
    RouteTable routes) {
  public PolicySnapshot {
    requireNonNull(policy, "policy");
    requireNonNull(manifests, "manifests");
    requireNonNull(processes, "processes");
    requireNonNull(routes, "routes");
  }

  /**
   * Whether {@code step} of {@code component} has prerequisites: its declared process's (as {@code
   * intent}, the hop token's claim, names it) or its manifest's {@code expects_completed}. Only
   * such a step is decided or repaired on completion records; every other skips the association's
   * ledger, which for a remote association is a network call on the Check path.
   */
  public boolean hasPrerequisites(
      String component, @Nullable Map<String, Object> intent, String step) {
    if (manifests.get(component).map(m -> !m.expectsCompleted().isEmpty()).orElse(false)) {
      return true;
    }
    ProcessDefinition process = processes.declared(intent).process();
    return process != null && !process.prerequisites(step).isEmpty();
  }

  /**
   * The revision of everything that decides: the policy revision, every manifest's digest, every
   * process's digest and the route table's. Logged at start and on each reload.
   */
  public String revision() {
    List<Object> parts = new ArrayList<>();
    parts.add(policy.revision());
    manifests.all().stream()
        .map(m -> m.component() + "=" + m.digest())
        .sorted()
        .forEach(parts::add);
    processes.all().stream().map(p -> p.iri() + "=" + p.digest()).sorted().forEach(parts::add);
    parts.add("routes=" + routes.digest());
    return Digests.ofJson(parts);
  }
}
