package dev.hopgate.pdp.floor;

import java.util.ArrayList;
import java.util.List;

/**
 * What a decision takes from the ledger for its txn, none of it trusted: completion records
 * (verified by the floor like carried ones) and the hops allowed elsewhere whose success was not
 * observed, each with the transition of its ALLOW (verified by the floor like a chain link; a START
 * without COMPLETE makes the repair {@code wait}).
 */
public record LedgerView(List<String> records, List<LinkedHop> running) {
  public static final LedgerView EMPTY = new LedgerView(List.of(), List.of());

  public LedgerView {
    records = List.copyOf(records);
    running = List.copyOf(running);
  }

  public static LedgerView of(List<LinkedHop> hops) {
    List<String> records = new ArrayList<>();
    List<LinkedHop> running = new ArrayList<>();
    for (LinkedHop hop : hops) {
      if (hop.completionRecord() != null) {
        records.add(hop.completionRecord());
      } else if (hop.running() && hop.transition() != null) {
        running.add(hop);
      }
    }
    return new LedgerView(records, running);
  }

  /**
   * Looks a txn up; an implementation that cannot answer returns {@link #EMPTY} (and counts it).
   */
  @FunctionalInterface
  public interface Lookup {
    Lookup NONE = txn -> EMPTY;

    LedgerView view(String txn);
  }
}
