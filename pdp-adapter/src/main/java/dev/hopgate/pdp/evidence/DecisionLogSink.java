package dev.hopgate.pdp.evidence;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.decision.Decision;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.input.InputDocuments;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decisions into the hash-chained log. MINIMAL (default) records the decision, gates, codes,
 * engine, policy revision and the input document's digest; FULL adds the input document itself
 * (built from verified facts, so it holds no token or key: only their effects). When the log's
 * queue is full, the decision is refused (deny, the default) or the loss is counted (drop).
 */
public final class DecisionLogSink implements DecisionSink {
  /** How much of each decision is kept. */
  public enum Trace {
    MINIMAL,
    FULL
  }

  private final DecisionLog log;
  private final Trace trace;
  private final boolean denyWhenFull;
  private final String engine;

  public DecisionLogSink(DecisionLog log, Trace trace, boolean denyWhenFull, String engine) {
    this.log = requireNonNull(log, "log");
    this.trace = requireNonNull(trace, "trace");
    this.denyWhenFull = denyWhenFull;
    this.engine = requireNonNull(engine, "engine");
  }

  @Override
  public boolean record(Decision decision, @Nullable InputDocument input) {
    return record(decision, input, "decision");
  }

  private boolean record(Decision decision, @Nullable InputDocument input, String type) {
    if (log.offer(type, decision.txn(), payload(decision, input)) && log.healthy()) {
      return true;
    }
    log.countDropped();
    return !denyWhenFull;
  }

  /**
   * With {@code when_full: deny}, a place in the log's queue, so a full log refuses the decision
   * before it spends anything; with {@code drop}, nothing to hold (a lost record is counted).
   */
  @Override
  public Slot reserve(String decisionId) {
    if (!denyWhenFull) {
      return (decision, input) ->
          record(decision, input, decision.id().equals(decisionId) ? "decision" : "retry");
    }
    DecisionLog.Place place = log.reserve();
    if (place == null) {
      return Slot.REFUSED;
    }
    return new Slot() {
      @Override
      public boolean commit(Decision decision, @Nullable InputDocument input) {
        String type = decision.id().equals(decisionId) ? "decision" : "retry";
        if (log.commit(place, type, decision.txn(), payload(decision, input)) && log.healthy()) {
          return true;
        }
        log.countDropped();
        return false;
      }

      @Override
      public void release() {
        log.release(place);
      }
    };
  }

  @Override
  public void note(String eventType, @Nullable String txn, Map<String, Object> payload) {
    if (!log.offer(eventType, txn, payload)) {
      log.countDropped();
    }
  }

  private Map<String, Object> payload(Decision decision, @Nullable InputDocument input) {
    Map<String, Object> doc = input == null ? null : InputDocuments.toMap(input);
    return DecisionRecords.payload(
        decision,
        engine,
        doc == null ? null : Digests.ofJson(doc),
        trace == Trace.FULL ? doc : null);
  }
}
