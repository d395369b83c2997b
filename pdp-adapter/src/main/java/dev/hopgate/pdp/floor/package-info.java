/**
 * The structural floor: provenance, identity and continuity, checked in code before any policy. A
 * failure here is a denial whatever a policy would say.
 */
@NullMarked
package dev.hopgate.pdp.floor;

import org.jspecify.annotations.NullMarked;
