package dev.hopgate.pdp.association;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a decision takes from the ledger for its txn: completion records (verified by the floor like
 * carried ones; nothing here is trusted) and the steps allowed elsewhere whose success was not
 * observed (a START without COMPLETE: the repair is {@code wait}).
 */
public record LedgerView(List<String> records, Set<String> running) {
  public static final LedgerView EMPTY = new LedgerView(List.of(), Set.of());

  public LedgerView {
    records = List.copyOf(records);
    running = Set.copyOf(running);
  }

  public static LedgerView of(List<LinkedHop> hops) {
    List<String> records = new ArrayList<>();
    Set<String> running = new LinkedHashSet<>();
    for (LinkedHop hop : hops) {
      if (hop.completionRecord() != null) {
        records.add(hop.completionRecord());
      } else if (hop.running()) {
        running.add(hop.step());
      }
    }
    return new LedgerView(records, running);
  }

  /** Looks a txn up; an implementation that cannot answer returns {@link #EMPTY} (and counts it). */
  @FunctionalInterface
  public interface Lookup {
    Lookup NONE = txn -> EMPTY;

    LedgerView view(String txn);
  }
}
