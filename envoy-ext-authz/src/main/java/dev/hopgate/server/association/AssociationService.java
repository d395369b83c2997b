package dev.hopgate.server.association;

import static java.util.Objects.requireNonNull;

import dev.hopgate.association.v1.AssociationGrpc;
import dev.hopgate.association.v1.Hop;
import dev.hopgate.association.v1.Recorded;
import dev.hopgate.association.v1.Signal;
import dev.hopgate.association.v1.TxnLinkage;
import dev.hopgate.association.v1.TxnQuery;
import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.association.Ledger;
import dev.hopgate.pdp.floor.LedgerEvidence;
import dev.hopgate.pdp.floor.LinkedHop;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.request.LogText;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Serves a ledger over gRPC: signals in, a txn's linkage out. It never authorizes anything, and it
 * stores only evidence: a START whose transition, a COMPLETE whose completion record verifies
 * against the manifests this hopgate serves and names the signal's own txn, decision, component,
 * step and enforcement point. Anything else is refused ({@code INVALID_ARGUMENT}) and counted.
 */
public final class AssociationService extends AssociationGrpc.AssociationImplBase {
  private static final System.Logger LOG = System.getLogger(AssociationService.class.getName());

  /** The most characters of a txn, component, step or enforcement point id. */
  static final int MAX_ID = 1024;

  /**
   * The most characters of a transition or completion record (a few hundred bytes, typically 1 KB).
   */
  static final int MAX_ARTIFACT = 16 * 1024;

  /**
   * Decision ids are UUIDs; anything of these characters, never a ledger's own {@code #} fields.
   */
  private static final Pattern DECISION_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /**
   * 9999-12-31T23:59:59Z: anything later is not a time a hopgate sent (and Instant would throw).
   */
  private static final long MAX_EPOCH_SECOND = 253_402_300_799L;

  private final Ledger ledger;
  private final Supplier<ManifestRegistry> manifests;
  private final LedgerEvidence evidence;
  private final Clock clock;
  private final AtomicLong refused = new AtomicLong();

  /**
   * @param manifests the manifests that serve now (a reload changes them)
   */
  public AssociationService(
      Ledger ledger, Supplier<ManifestRegistry> manifests, LedgerEvidence evidence, Clock clock) {
    this.ledger = requireNonNull(ledger, "ledger");
    this.manifests = requireNonNull(manifests, "manifests");
    this.evidence = requireNonNull(evidence, "evidence");
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Signals refused since start: malformed, or carrying an artifact that is not evidence of them.
   */
  public long refused() {
    return refused.get();
  }

  @Override
  public void record(Signal signal, StreamObserver<Recorded> response) {
    BoundarySignal s;
    try {
      s = fromWire(signal);
    } catch (IllegalArgumentException e) {
      refuse(response, java.util.Objects.requireNonNullElse(e.getMessage(), "malformed signal"));
      return;
    }
    Optional<String> refusal = evidence.refusal(s.claim(), manifests.get(), clock.instant());
    if (refusal.isPresent()) {
      refuse(response, "not evidence of this hop: " + refusal.get());
      return;
    }
    response.onNext(Recorded.newBuilder().setLinked(ledger.record(s)).build());
    response.onCompleted();
  }

  private void refuse(StreamObserver<Recorded> response, String why) {
    long n = refused.incrementAndGet();
    if (n == 1 || n % 1000 == 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "association: refused a signal ({0} so far): {1}",
          n,
          LogText.of(why));
    }
    response.onError(Status.INVALID_ARGUMENT.withDescription(why).asRuntimeException());
  }

  @Override
  public void linkage(TxnQuery query, StreamObserver<TxnLinkage> response) {
    if (query.getTxn().isEmpty() || query.getTxn().length() > MAX_ID) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription("txn: missing or over " + MAX_ID + " characters")
              .asRuntimeException());
      return;
    }
    TxnLinkage.Builder linkage = TxnLinkage.newBuilder().setTxn(query.getTxn());
    for (LinkedHop hop : ledger.linkage(query.getTxn())) {
      linkage.addHops(toWire(hop));
    }
    response.onNext(linkage.build());
    response.onCompleted();
  }

  static BoundarySignal fromWire(Signal s) {
    for (String field :
        new String[] {s.getTxn(), s.getComponent(), s.getStep(), s.getEnforcementPoint()}) {
      if (field.isEmpty() || field.length() > MAX_ID) {
        throw new IllegalArgumentException(
            "txn, component, step and enforcement_point are required and at most "
                + MAX_ID
                + " characters");
      }
    }
    if (!DECISION_ID.matcher(s.getDecisionId()).matches()) {
      throw new IllegalArgumentException("decision_id: expected 1 to 128 of A-Z a-z 0-9 . _ : -");
    }
    // 0 is "not seen" on the wire (proto3's default): a signal always has a time.
    if (s.getAtEpochSeconds() <= 0 || s.getAtEpochSeconds() > MAX_EPOCH_SECOND) {
      throw new IllegalArgumentException(
          "at_epoch_seconds: "
              + s.getAtEpochSeconds()
              + " (expected: 1.."
              + MAX_EPOCH_SECOND
              + ")");
    }
    if (s.getCompletionRecord().length() > MAX_ARTIFACT
        || s.getTransition().length() > MAX_ARTIFACT) {
      throw new IllegalArgumentException(
          "completion_record and transition: at most " + MAX_ARTIFACT + " characters");
    }
    Instant at = Instant.ofEpochSecond(s.getAtEpochSeconds());
    return switch (s.getKind()) {
      case START -> {
        if (s.getTransition().isEmpty() || !s.getCompletionRecord().isEmpty()) {
          throw new IllegalArgumentException(
              "a START carries its ALLOW's transition, and no completion_record");
        }
        yield BoundarySignal.start(
            s.getTxn(),
            s.getDecisionId(),
            s.getComponent(),
            s.getStep(),
            s.getEnforcementPoint(),
            at,
            s.getTransition());
      }
      case COMPLETE -> {
        if (s.getCompletionRecord().isEmpty() || !s.getTransition().isEmpty()) {
          throw new IllegalArgumentException(
              "a COMPLETE carries its completion_record, and no transition");
        }
        yield BoundarySignal.complete(
            s.getTxn(),
            s.getDecisionId(),
            s.getComponent(),
            s.getStep(),
            s.getEnforcementPoint(),
            at,
            s.getCompletionRecord());
      }
      default -> throw new IllegalArgumentException("kind: expected START or COMPLETE");
    };
  }

  static Signal toWire(BoundarySignal s) {
    Signal.Builder b =
        Signal.newBuilder()
            .setKind(
                s.kind() == BoundarySignal.Kind.START ? Signal.Kind.START : Signal.Kind.COMPLETE)
            .setTxn(s.txn())
            .setDecisionId(s.decisionId())
            .setComponent(s.component())
            .setStep(s.step())
            .setEnforcementPoint(s.enforcementPoint())
            .setAtEpochSeconds(s.at().getEpochSecond());
    if (s.kind() == BoundarySignal.Kind.START) {
      b.setTransition(s.artifact());
    } else {
      b.setCompletionRecord(s.artifact());
    }
    return b.build();
  }

  static Hop toWire(LinkedHop hop) {
    Hop.Builder b =
        Hop.newBuilder()
            .setDecisionId(hop.decisionId())
            .setComponent(hop.component())
            .setStep(hop.step())
            .setEnforcementPoint(hop.enforcementPoint());
    if (hop.startedAt() != null) {
      b.setStartedAt(hop.startedAt().getEpochSecond());
    }
    if (hop.completedAt() != null) {
      b.setCompletedAt(hop.completedAt().getEpochSecond());
    }
    if (hop.transition() != null) {
      b.setTransition(hop.transition());
    }
    if (hop.completionRecord() != null) {
      b.setCompletionRecord(hop.completionRecord());
    }
    return b.build();
  }

  /**
   * A hop as another association sent it. Its times are only shown ({@code hopgate txn show}) and
   * its artifacts are verified before use, so a time out of range is read as none.
   */
  static LinkedHop fromWire(Hop hop) {
    return new LinkedHop(
        hop.getDecisionId(),
        hop.getComponent(),
        hop.getStep(),
        hop.getEnforcementPoint(),
        instant(hop.getStartedAt()),
        instant(hop.getCompletedAt()),
        hop.getTransition().isEmpty() ? null : hop.getTransition(),
        hop.getCompletionRecord().isEmpty() ? null : hop.getCompletionRecord());
  }

  private static @Nullable Instant instant(long epochSecond) {
    return epochSecond <= 0 || epochSecond > MAX_EPOCH_SECOND
        ? null
        : Instant.ofEpochSecond(epochSecond);
  }
}
