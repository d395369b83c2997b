/** Process definitions (the declared intent): parsing, compilation to a DAG, digests. */
@NullMarked
package dev.hopgate.pdp.process;

import org.jspecify.annotations.NullMarked;
