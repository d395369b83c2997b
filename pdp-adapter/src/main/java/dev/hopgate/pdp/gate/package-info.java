/**
 * The vocabulary of a decision every layer shares: the gates, the outcomes, a violation, and what a
 * denial may disclose.
 */
@NullMarked
package dev.hopgate.pdp.gate;

import org.jspecify.annotations.NullMarked;
