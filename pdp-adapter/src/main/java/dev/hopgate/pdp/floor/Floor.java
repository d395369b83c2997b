package dev.hopgate.pdp.floor;

import static dev.hopgate.pdp.floor.FloorCode.CHAIN_CALLER;
import static dev.hopgate.pdp.floor.FloorCode.MANIFEST_EXPIRED;
import static dev.hopgate.pdp.floor.FloorCode.ORIGIN_MISMATCH;
import static dev.hopgate.pdp.floor.FloorCode.REVOKED;
import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.manifest.Manifest;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.token.HopToken;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.TokenRejection;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The structural floor, in the order that names the most specific failure: hop token, origin token,
 * identity (the hop token acts for the origin), revocation, provenance and continuity of the chain,
 * the caller's identity, then the completions and the ledger's running hops (which never fail a
 * request).
 */
public final class Floor {
  /** Bounds on {@code Txn-Chain} and {@code Txn-Completions}. */
  public record Limits(int maxElements, int maxBytes) {
    public static final Limits DEFAULT = new Limits(32, 16 * 1024);
  }

  private final HopTokenVerifier hopTokens;
  private final OriginVerifier origins;
  private final ChainVerifier chains;
  private final CompletionVerifier completions;
  private final LedgerEvidence ledgerEvidence;
  private final AtomicLong ignoredCompletions = new AtomicLong();
  private final RevocationFeed revocations;
  private final Limits limits;

  /**
   * @param ledgerEvidence verifies the hops the association's ledger says are running (their
   *     transitions), as {@code completions} verifies the records it holds
   */
  public Floor(
      HopTokenVerifier hopTokens,
      OriginVerifier origins,
      ChainVerifier chains,
      CompletionVerifier completions,
      LedgerEvidence ledgerEvidence,
      RevocationFeed revocations,
      Limits limits) {
    this.hopTokens = requireNonNull(hopTokens, "hopTokens");
    this.origins = requireNonNull(origins, "origins");
    this.chains = requireNonNull(chains, "chains");
    this.completions = requireNonNull(completions, "completions");
    this.ledgerEvidence = requireNonNull(ledgerEvidence, "ledgerEvidence");
    this.revocations = requireNonNull(revocations, "revocations");
    this.limits = requireNonNull(limits, "limits");
  }

  /**
   * @param callerRequired whether the route requires the caller's mTLS identity; a route that does
   *     not accepts only an empty chain
   */
  public VerifiedFacts verify(
      HopRequest request,
      String component,
      boolean callerRequired,
      ManifestRegistry manifests,
      Instant now)
      throws TokenRejection, FloorRejection {
    return verify(hopToken(request, component), request, component, callerRequired, manifests, now);
  }

  /** The first rule alone: the hop token, so a later failure can still name the txn. */
  public HopToken hopToken(HopRequest request, String component) throws TokenRejection {
    return hopTokens.verify(request.header("authorization"), component);
  }

  /** Every rule after the hop token. */
  public VerifiedFacts verify(
      HopToken hop,
      HopRequest request,
      String component,
      boolean callerRequired,
      ManifestRegistry manifests,
      Instant now)
      throws FloorRejection {
    return verify(hop, request, component, callerRequired, manifests, now, LedgerView.Lookup.NONE);
  }

  /**
   * The same, adding the completion records the association ledger holds for the txn (looked up
   * once the origin token is verified): they are verified exactly as carried ones, so the ledger
   * can only add evidence, never vouch for it.
   */
  public VerifiedFacts verify(
      HopToken hop,
      HopRequest request,
      String component,
      boolean callerRequired,
      ManifestRegistry manifests,
      Instant now,
      LedgerView.Lookup ledger)
      throws FloorRejection {
    OriginToken origin = origins.verify(request.header(WireTypes.TXN_TOKEN), now);
    if (!hop.subject().equals(origin.subject())) {
      throw new FloorRejection(
          ORIGIN_MISMATCH, "The hop token acts for another principal than the origin token.");
    }
    if (!hop.txn().equals(origin.txn())) {
      throw new FloorRejection(
          ORIGIN_MISMATCH, "The hop token is for another txn than the origin token.");
    }
    if (hop.originToken() != null && !hop.originToken().equals(origin.digest())) {
      throw new FloorRejection(
          ORIGIN_MISMATCH,
          "The hop token was issued from another origin token of this txn (one replaced since, or"
              + " its replacement): send the origin token it was issued from.");
    }
    if (!Objects.equals(hop.intent(), origin.intent())) {
      throw new FloorRejection(
          ORIGIN_MISMATCH, "The hop token's intent differs from the origin token's.");
    }
    if (revocations.isRevoked(origin.subject(), origin.txn())) {
      throw new FloorRejection(REVOKED, "This txn or its origin principal has been revoked.");
    }

    List<String> elements =
        TxnHeaders.elements(
            request.header(WireTypes.TXN_CHAIN),
            "Txn-Chain",
            limits.maxElements(),
            limits.maxBytes());
    List<Transition> chain = chains.verify(elements, origin, manifests, now);
    checkCaller(request.sourcePrincipal(), callerRequired, chain, origin);
    List<String> records =
        TxnHeaders.elements(
            request.header(WireTypes.TXN_COMPLETIONS),
            "Txn-Completions",
            limits.maxElements(),
            limits.maxBytes());
    LedgerView fromLedger;
    try {
      fromLedger = ledger.view(origin.txn());
    } catch (RuntimeException e) {
      // The ledger only ever adds evidence: one that cannot be read adds none.
      fromLedger = LedgerView.EMPTY;
    }
    if (!fromLedger.records().isEmpty()) {
      Set<String> all = new LinkedHashSet<>(records);
      all.addAll(fromLedger.records());
      records = List.copyOf(all);
    }
    CompletionVerifier.Result completed = completions.verify(records, origin.txn(), manifests, now);
    ignoredCompletions.addAndGet(completed.ignored().size());

    Set<String> authority = new TreeSet<>(origin.authority());
    if (!chain.isEmpty()) {
      authority.retainAll(chain.get(chain.size() - 1).authority());
    }
    Set<String> running =
        fromLedger.running().isEmpty()
            ? Set.of()
            : ledgerEvidence.running(origin.txn(), fromLedger.running(), manifests, now);
    Manifest manifest = manifests.get(component).orElse(null);
    if (manifest != null && manifest.expiredAt(now, Duration.ZERO)) {
      // Loaded while valid; a registry directory is re-read only on a reload, so judge it now.
      throw new FloorRejection(
          MANIFEST_EXPIRED,
          "The manifest of "
              + component
              + " expired at "
              + manifest.expiresAt()
              + "; the registry must sign a new one.");
    }
    return new VerifiedFacts(hop, origin, chain, completed, authority, manifest, running);
  }

  /** Completion records that did not verify (carried or from the ledger), ignored since start. */
  public long ignoredCompletions() {
    return ignoredCompletions.get();
  }

  private static void checkCaller(
      @Nullable String caller, boolean required, List<Transition> chain, OriginToken origin)
      throws FloorRejection {
    if (!required) {
      if (!chain.isEmpty()) {
        throw new FloorRejection(
            CHAIN_CALLER,
            "This route does not authenticate its caller, so it accepts "
                + "only a request that starts a chain (empty Txn-Chain).");
      }
      return;
    }
    if (caller == null) {
      throw new FloorRejection(
          CHAIN_CALLER, "The caller presented no mTLS identity; this route requires one.");
    }
    String expected =
        chain.isEmpty() ? origin.originWorkload() : chain.get(chain.size() - 1).component();
    if (!caller.equals(expected)) {
      throw new FloorRejection(
          CHAIN_CALLER,
          "The caller "
              + caller
              + " is not "
              + (chain.isEmpty()
                  ? "the workload that started the txn"
                  : "the component at the head of the chain")
              + " ("
              + expected
              + ").");
    }
  }
}
