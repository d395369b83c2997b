/** Evidence: the hash-chained decision log and its verification. */
@NullMarked
package dev.hopgate.pdp.evidence;

import org.jspecify.annotations.NullMarked;
