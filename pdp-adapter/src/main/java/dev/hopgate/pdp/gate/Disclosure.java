package dev.hopgate.pdp.gate;

import java.util.Comparator;
import java.util.List;

/**
 * What a denial may reveal. When the authorization gate fails, the other gates' findings are not
 * disclosed: a caller without the authority must not learn which prerequisites or components a step
 * has (house spec, section 5). Violations are ordered by gate, then code.
 */
public final class Disclosure {
  private Disclosure() {}

  public static List<Violation> apply(List<Violation> violations) {
    List<Violation> shown =
        violations.stream().anyMatch(v -> v.gate() == Gate.AUTHORIZATION)
            ? violations.stream().filter(v -> v.gate() == Gate.AUTHORIZATION).toList()
            : violations;
    return shown.stream()
        .sorted(
            Comparator.comparing((Violation v) -> v.gate().ordinal())
                .thenComparing(Violation::code))
        .toList();
  }
}
