/**
 * What serves at one moment: a prepared policy with the manifests and processes it was loaded with,
 * swapped whole on reload.
 */
@NullMarked
package dev.hopgate.pdp.snapshot;

import org.jspecify.annotations.NullMarked;
