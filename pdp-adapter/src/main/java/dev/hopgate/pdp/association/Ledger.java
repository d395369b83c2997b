package dev.hopgate.pdp.association;

import dev.hopgate.pdp.floor.LinkedHop;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Where boundary signals are kept and linked, per txn. A ledger records what it is given; whoever
 * accepts signals from the network verifies them first ({@code LedgerEvidence}), and every reader
 * verifies what it reads again.
 */
public interface Ledger {
  /** Characters of hops one txn may hold: 256 hops with their transition and record fit. */
  long MAX_CHARS_PER_TXN = 1L << 20;

  /**
   * Records {@code signal}, linking a COMPLETE to the START of the same decision. A hop's first
   * transition and first record stay: a later signal for the same decision adds only what is
   * missing.
   *
   * @return for a COMPLETE, whether its START was recorded
   */
  boolean record(BoundarySignal signal);

  /** The hops of {@code txn}, in the order they were first seen; empty for an unknown txn. */
  List<LinkedHop> linkage(String txn);

  /**
   * The hop {@code seen} (or none) with {@code s} added; {@code seen} itself when {@code s} adds
   * nothing.
   */
  static LinkedHop merge(@Nullable LinkedHop seen, BoundarySignal s) {
    if (s.kind() == BoundarySignal.Kind.START) {
      if (seen != null && seen.startedAt() != null) {
        return seen;
      }
      return seen == null
          ? new LinkedHop(
              s.decisionId(),
              s.component(),
              s.step(),
              s.enforcementPoint(),
              s.at(),
              null,
              s.transition(),
              null)
          : new LinkedHop(
              seen.decisionId(),
              seen.component(),
              seen.step(),
              seen.enforcementPoint(),
              s.at(),
              seen.completedAt(),
              s.transition(),
              seen.completionRecord());
    }
    if (seen != null && seen.completionRecord() != null) {
      return seen;
    }
    return seen == null
        ? new LinkedHop(
            s.decisionId(),
            s.component(),
            s.step(),
            s.enforcementPoint(),
            null,
            s.at(),
            null,
            s.completionRecord())
        : new LinkedHop(
            seen.decisionId(),
            seen.component(),
            seen.step(),
            seen.enforcementPoint(),
            seen.startedAt(),
            s.at(),
            seen.transition(),
            s.completionRecord());
  }

  /** The characters a hop holds, for the per-txn bound. */
  static long chars(LinkedHop hop) {
    return hop.decisionId().length()
        + hop.component().length()
        + hop.step().length()
        + hop.enforcementPoint().length()
        + (hop.transition() == null ? 0 : hop.transition().length())
        + (hop.completionRecord() == null ? 0 : hop.completionRecord().length());
  }
}
