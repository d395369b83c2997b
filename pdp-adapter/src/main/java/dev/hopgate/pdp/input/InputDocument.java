package dev.hopgate.pdp.input;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.request.HopRequest;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The one document every engine reads, built only from verified facts (house spec, section 4;
 * schema: docs/input-document.schema.json, version {@value #VERSION}).
 *
 * @param authority what the caller may still cause: the chain head's authority (narrowed hop by
 *     hop) intersected with the current origin token's, or the origin's for an empty chain
 * @param started steps allowed earlier in this txn (the chain's) whose completion has not been seen
 * @param now seconds since the epoch, the instant of the decision
 */
public record InputDocument(
    int version,
    Hop hop,
    Origin origin,
    List<String> authority,
    Intent intent,
    ManifestFacts manifest,
    List<CompletedStep> completed,
    List<String> started,
    Usage usage,
    List<ChainLink> chain,
    long now) {
  public static final int VERSION = 1;

  public InputDocument {
    requireNonNull(hop, "hop");
    requireNonNull(origin, "origin");
    authority = List.copyOf(authority);
    requireNonNull(intent, "intent");
    requireNonNull(manifest, "manifest");
    completed = List.copyOf(completed);
    started = List.copyOf(started);
    requireNonNull(usage, "usage");
    chain = List.copyOf(chain);
  }

  /** This hop: component and step named by the route, the request line, the mTLS caller. */
  public record Hop(
      String component, String step, String method, String path, @Nullable String caller) {
    public Hop {
      requireNonNull(component, "component");
      requireNonNull(step, "step");
      requireNonNull(method, "method");
      requireNonNull(path, "path");
    }

    /** The hop {@code request} makes to {@code step} of {@code component}. */
    public static Hop of(HopRequest request, String component, String step) {
      return new Hop(component, step, request.method(), request.path(), request.sourcePrincipal());
    }
  }

  /**
   * Who the chain acts for, the txn, and the workload that started it; and what else the verified
   * Txn-Token says (draft-ietf-oauth-transaction-tokens-10), for policies to read.
   *
   * @param scope the token's {@code scope} values
   * @param requester {@code req_wl}, the workload that asked for the token; null when not known
   * @param context the token's {@code tctx} members other than hopgate's own
   * @param requestContext the token's {@code rctx}, or null
   */
  public record Origin(
      String principal,
      String txn,
      String workload,
      List<String> scope,
      @Nullable String requester,
      Map<String, Object> context,
      @Nullable Map<String, Object> requestContext) {
    public Origin {
      requireNonNull(principal, "principal");
      requireNonNull(txn, "txn");
      requireNonNull(workload, "workload");
      scope = List.copyOf(scope);
      context = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(context));
      requestContext =
          requestContext == null
              ? null
              : java.util.Collections.unmodifiableMap(
                  new java.util.LinkedHashMap<>(requestContext));
    }

    /** An origin known only by its principal, txn and workload (conformance cases, tests). */
    public Origin(String principal, String txn, String workload) {
      this(principal, txn, workload, List.of(), null, Map.of(), null);
    }
  }

  /**
   * The declared intent, or the implicit one (the invoked component's {@code performs}) when {@code
   * declared} is false, so the scope gate is never unarmed.
   *
   * @param prerequisites the direct prerequisites of this hop's step in the process
   */
  public record Intent(
      boolean declared,
      @Nullable String process,
      @Nullable String digest,
      List<String> steps,
      List<Edge> edges,
      List<String> prerequisites) {
    public Intent {
      steps = List.copyOf(steps);
      edges = List.copyOf(edges);
      prerequisites = List.copyOf(prerequisites);
    }
  }

  /** A prerequisite edge, with its window in seconds when it has one. */
  public record Edge(String from, String to, @Nullable Long withinSeconds) {}

  /** What the component's signed manifest says; {@code present} is false when it has none. */
  public record ManifestFacts(
      boolean present,
      List<String> performs,
      List<String> doesNotPerform,
      List<String> expectsCompleted) {
    public ManifestFacts {
      performs = List.copyOf(performs);
      doesNotPerform = List.copyOf(doesNotPerform);
      expectsCompleted = List.copyOf(expectsCompleted);
    }
  }

  /**
   * A verified completion: the step, who observed it, when (epoch seconds), whether it is spent.
   */
  public record CompletedStep(String step, String component, long at, boolean consumed) {}

  /**
   * Uses of this hop's step in this txn, from the state store, and its budget.
   *
   * @param count allowed uses recorded for this txn (recorded only for a step with a budget)
   * @param max the process's {@code max} for the step, or null when it has none
   */
  public record Usage(String step, long count, @Nullable Long max) {
    public Usage(String step, long count) {
      this(step, count, null);
    }
  }

  /** One element of the chain: position, component, step. */
  public record ChainLink(int position, String component, String step) {}
}
