package dev.hopgate.pdp.route;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Every route hopgate decides for, by name and by binding. Immutable; a reload builds a new one and
 * swaps it in with the rest of the snapshot.
 */
public final class RouteTable {
  public static final RouteTable EMPTY = new RouteTable(Map.of(), "sha256:none");

  private final Map<String, Route> byName;
  private final List<Route> inNameOrder;
  private final String digest;

  private RouteTable(Map<String, Route> byName, String digest) {
    this.byName = byName;
    this.inNameOrder =
        byName.values().stream().sorted(java.util.Comparator.comparing(Route::name)).toList();
    this.digest = digest;
  }

  /**
   * @param digest the digest of what the routes were read from (part of the snapshot's revision)
   * @throws IllegalArgumentException naming a route defined twice
   */
  public static RouteTable of(List<Route> routes, String digest) {
    Map<String, Route> byName = new LinkedHashMap<>();
    for (Route route : routes) {
      if (byName.putIfAbsent(route.name(), route) != null) {
        throw new IllegalArgumentException("route '" + route.name() + "' is defined twice");
      }
    }
    return new RouteTable(Map.copyOf(byName), requireNonNull(digest, "digest"));
  }

  /**
   * Pairs of routes of one component that take the same requests alike: only a route name in the
   * context extensions tells them apart (a request matched by the table alone is refused as
   * ambiguous). Legitimate where Envoy tells them apart on something else, such as a header.
   */
  public List<String> overlaps() {
    List<Route> routes = all();
    List<String> overlaps = new ArrayList<>();
    for (int i = 0; i < routes.size(); i++) {
      for (int j = i + 1; j < routes.size(); j++) {
        Route a = routes.get(i);
        Route b = routes.get(j);
        if (a.component().equals(b.component()) && a.binding().overlaps(b.binding())) {
          overlaps.add(a.name() + " and " + b.name());
        }
      }
    }
    return overlaps;
  }

  /** The route of this name. */
  public Optional<Route> named(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /**
   * The routes of the components an Envoy fronts whose path is the most specific for a request:
   * none, or the routes of that path (of one component, told apart by methods or authorities, or of
   * several). The path alone picks them, so a method or authority they do not take refuses the
   * request rather than passing it to a less specific route.
   *
   * @param fronts whether the asking Envoy fronts a component
   */
  public List<Route> mostSpecific(String path, Predicate<String> fronts) {
    List<Route> best = new ArrayList<>(1);
    int specificity = -1;
    // In name order: a denial names (and is shaped by) the same route on every replica.
    for (Route route : inNameOrder) {
      if (!fronts.test(route.component()) || !route.binding().pathMatches(path)) {
        continue;
      }
      int s = route.binding().specificity();
      if (s > specificity) {
        best.clear();
        specificity = s;
      }
      if (s == specificity) {
        best.add(route);
      }
    }
    return best;
  }

  /** Of {@code routes}, those whose methods and authorities take the request. */
  public static List<Route> taking(List<Route> routes, String method, @Nullable String authority) {
    return routes.stream().filter(r -> r.binding().takes(method, authority)).toList();
  }

  /** Every route, by name. */
  public List<Route> all() {
    return inNameOrder;
  }

  public String digest() {
    return digest;
  }
}
