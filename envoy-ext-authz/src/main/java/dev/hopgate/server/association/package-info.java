/**
 * The association component over gRPC (grpc-api's {@code hopgate.association.v1}): the service
 * every hopgate serves over its own in-memory ledger, and the link a hopgate uses to send its
 * signals and read a txn's ledger, to its own ledger or to another hopgate's (docs/association.md).
 */
@NullMarked
package dev.hopgate.server.association;

import org.jspecify.annotations.NullMarked;
