package dev.hopgate.pdp.process;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The process an originator declared ({@code intent.process} and {@code intent.digest}), as this
 * snapshot's registry resolves it: the one place a declared intent becomes a definition.
 */
public sealed interface DeclaredIntent {
  /** No intent declared: the scope and sequence gates have no process to check against. */
  record None() implements DeclaredIntent {}

  /** The intent names a process this snapshot holds, at the digest declared. */
  record Resolved(ProcessDefinition process) implements DeclaredIntent {}

  /** The intent names a process, or a digest of it, that this snapshot does not hold. */
  record Unresolved(@Nullable String iri, @Nullable String digest) implements DeclaredIntent {}

  /** The declared process, or null when none is declared or it does not resolve. */
  default @Nullable ProcessDefinition process() {
    return this instanceof Resolved resolved ? resolved.process() : null;
  }

  /**
   * @param intent the {@code intent} claim of a verified origin (or hop) token, or null
   */
  static DeclaredIntent of(@Nullable Map<String, Object> intent, ProcessRegistry processes) {
    if (intent == null) {
      return new None();
    }
    String iri = intent.get("process") instanceof String s ? s : null;
    String digest = intent.get("digest") instanceof String s ? s : null;
    return processes
        .resolve(iri, digest)
        .<DeclaredIntent>map(Resolved::new)
        .orElseGet(() -> new Unresolved(iri, digest));
  }
}
