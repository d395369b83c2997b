/** Signed component manifests: what each component performs, delegates and who enforces for it. */
@NullMarked
package dev.hopgate.pdp.manifest;

import org.jspecify.annotations.NullMarked;
