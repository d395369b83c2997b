package dev.hopgate.pdp.input;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The one document every engine reads, built only from verified facts (house spec, section 4).
 *
 * <p>This is its first slice: the hop and the origin principal. The chain, intent, manifest,
 * completions and usage join it with the verification substrate; the schema in {@code docs/}
 * grows with it, and every engine maps from this one type.
 */
public record InputDocument(Hop hop, Origin origin, Instant now) {
  public InputDocument {
    requireNonNull(hop, "hop");
    requireNonNull(origin, "origin");
    requireNonNull(now, "now");
  }

  /**
   * What this hop is: the component and step named by the mesh owner for the route, the HTTP request
   * line, and the caller's authenticated identity (Envoy's {@code source.principal}), if any.
   */
  public record Hop(String component, String step, String method, String path, @Nullable String caller) {
    public Hop {
      requireNonNull(component, "component");
      requireNonNull(step, "step");
      requireNonNull(method, "method");
      requireNonNull(path, "path");
    }
  }

  /** Who the chain acts for: the origin principal and the transaction. */
  public record Origin(String principal, String txn) {
    public Origin {
      requireNonNull(principal, "principal");
      requireNonNull(txn, "txn");
    }
  }
}
