package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.token.HopToken;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Everything a request carried that verified: what the input document is built from, and nothing
 * else is.
 *
 * @param authority what the caller may still cause: the chain head's authority intersected with the
 *     current origin token's (a replaced origin token narrows at once), or the origin's for an
 *     empty chain
 * @param manifest the manifest of this hop's component, if it has one
 * @param runningElsewhere steps the association ledger saw allowed in this txn without an observed
 *     success (a START without COMPLETE), wherever in the mesh
 */
public record VerifiedFacts(
    HopToken hop,
    OriginToken origin,
    List<Transition> chain,
    CompletionVerifier.Result completions,
    Set<String> authority,
    @Nullable Manifest manifest,
    Set<String> runningElsewhere) {
  public VerifiedFacts {
    requireNonNull(hop, "hop");
    requireNonNull(origin, "origin");
    chain = List.copyOf(chain);
    requireNonNull(completions, "completions");
    authority = Set.copyOf(authority);
    runningElsewhere = Set.copyOf(runningElsewhere);
  }

  public Optional<Transition> head() {
    return chain.isEmpty() ? Optional.empty() : Optional.of(chain.get(chain.size() - 1));
  }
}
