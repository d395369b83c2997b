/**
 * Verification of what a request carries, the input document, policy engines and problem documents.
 */
@NullMarked
package dev.hopgate.pdp;

import org.jspecify.annotations.NullMarked;
