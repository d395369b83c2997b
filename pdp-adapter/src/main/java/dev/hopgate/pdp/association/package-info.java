/**
 * The association component's model (docs/association.md): boundary signals (START on an ALLOW,
 * COMPLETE on an observed success) linked per txn by decision id, and the completion ledger a
 * decision consults so a step completed deep in a chain counts at a later hop.
 */
@NullMarked
package dev.hopgate.pdp.association;

import org.jspecify.annotations.NullMarked;
