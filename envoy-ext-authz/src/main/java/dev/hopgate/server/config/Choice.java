package dev.hopgate.server.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A configuration value that is one of a fixed set of names ({@code engine: cedar}, {@code store:
 * redis}): read into an enum, refused with the names it accepts (the loader adds the field).
 */
public interface Choice {
  /** The name the configuration file uses: the constant's, lower case, {@code _} as {@code -}. */
  default String wireName() {
    return ((Enum<?>) this).name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * @throws IllegalArgumentException naming the value and the accepted names
   */
  static <E extends Enum<E> & Choice> E parse(Class<E> type, String value) {
    E[] all = type.getEnumConstants();
    for (E e : all) {
      if (e.wireName().equals(value)) {
        return e;
      }
    }
    throw new IllegalArgumentException(
        "'" + value + "' (expected: " + names(Arrays.asList(all)) + ")");
  }

  /** "a, b or c". */
  static String names(List<? extends Choice> choices) {
    List<String> names = choices.stream().map(Choice::wireName).toList();
    return names.size() == 1
        ? names.get(0)
        : String.join(", ", names.subList(0, names.size() - 1))
            + " or "
            + names.get(names.size() - 1);
  }

  /** The policy engine that decides ({@code engine}). */
  enum Engine implements Choice {
    CEDAR,
    OPA_WASM,
    OPA_SERVER,
    /** The primary decides, the secondary is compared ({@code shadow}). */
    SHADOW;
  }

  /** Where shared state lives ({@code state.store}, {@code association.store}). */
  enum Store implements Choice {
    MEMORY,
    REDIS;
  }

  /** What a decision record holds ({@code decision_log.trace}). */
  enum Trace implements Choice {
    MINIMAL,
    /** The input document too. */
    FULL;
  }

  /** What a full decision-log queue does to a decision ({@code decision_log.when_full}). */
  enum WhenFull implements Choice {
    /** Refuse it: a decision that cannot be recorded does not stand. */
    DENY,
    /** Let it stand and count the lost record. */
    DROP;
  }
}
