package dev.hopgate.server.config;

import static java.util.Objects.requireNonNullElse;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Who may call which of hopgate's services (docs/decisions.md, the threat model): Check and
 * ext_proc only the Envoys, each for the components it fronts; the association only other hopgates;
 * the metrics endpoint, when it is not on loopback, only the scrapers. An identity is a URI SAN (a
 * SPIFFE id) of an mTLS client certificate, or, on a Unix socket, the peer's UID.
 */
public record Callers(List<Envoy> envoys, List<String> hopgates, List<String> scrapers) {
  public static final Callers NONE = new Callers(null, null, null);

  public Callers(
      @Nullable List<Envoy> envoys,
      @Nullable List<String> hopgates,
      @Nullable List<String> scrapers) {
    this.envoys = List.copyOf(requireNonNullElse(envoys, List.of()));
    this.hopgates = ids("hopgates", hopgates);
    this.scrapers = ids("scrapers", scrapers);
    Set<String> seen = new HashSet<>();
    for (Envoy e : this.envoys) {
      if (!seen.add(e.describe())) {
        throw new IllegalArgumentException(
            "envoys: "
                + e.describe()
                + " is listed twice (expected: one entry "
                + "with every component it fronts)");
      }
    }
  }

  /** Whether any caller is named at all (else every caller the transport admits is anonymous). */
  public boolean named() {
    return !envoys.isEmpty() || !hopgates.isEmpty() || !scrapers.isEmpty();
  }

  public boolean anyEnvoyById() {
    return envoys.stream().anyMatch(e -> e.id() != null);
  }

  public boolean anyEnvoyByUid() {
    return envoys.stream().anyMatch(e -> e.uid() != null);
  }

  private static List<String> ids(String field, @Nullable List<String> ids) {
    List<String> all = List.copyOf(requireNonNullElse(ids, List.of()));
    for (String id : all) {
      if (id == null || !id.contains(":")) {
        throw new IllegalArgumentException(
            field + ": '" + id + "' (expected: a URI SAN such as spiffe://domain/path)");
      }
    }
    return all;
  }

  /**
   * One Envoy: its mTLS identity ({@code id}) or, on a Unix socket, its UID ({@code uid}), and the
   * components whose routes it may ask about. A Check naming another component is a {@code
   * configuration} deny; ext_proc mints no record for one.
   */
  public record Envoy(@Nullable String id, @Nullable Integer uid, List<String> components) {
    public Envoy(@Nullable String id, @Nullable Integer uid, @Nullable List<String> components) {
      if ((id == null) == (uid == null)) {
        throw new IllegalArgumentException(
            "envoys: each entry has an id (mTLS) or a uid (Unix socket), not "
                + (id == null ? "neither" : "both"));
      }
      if (id != null && !id.contains(":")) {
        throw new IllegalArgumentException(
            "envoys: id '" + id + "' (expected: a URI SAN such as spiffe://domain/path)");
      }
      if (uid != null && (uid < 0 || uid == 0)) {
        throw new IllegalArgumentException(
            "envoys: uid "
                + uid
                + " (expected: a non-root UID; Envoy and hopgate run as"
                + " distinct non-root users)");
      }
      if (components == null || components.isEmpty()) {
        throw new IllegalArgumentException(
            "envoys: "
                + (id != null ? id : "uid " + uid)
                + " has no components "
                + "(expected: the components whose routes it fronts)");
      }
      this.id = id;
      this.uid = uid;
      this.components = List.copyOf(components);
    }

    String describe() {
      return id != null ? id : "uid " + uid;
    }
  }
}
