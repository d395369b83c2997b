/**
 * The wire formats hopgate and the token service both write and read: artifact types, header lists,
 * claims and how each artifact is minted.
 */
@NullMarked
package dev.hopgate.pdp.wire;

import org.jspecify.annotations.NullMarked;
