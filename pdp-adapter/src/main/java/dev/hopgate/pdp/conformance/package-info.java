/** The conformance corpus: declarative cases every engine must decide identically. */
@NullMarked
package dev.hopgate.pdp.conformance;

import org.jspecify.annotations.NullMarked;
