/** The state an ALLOW may spend (one-time tokens), shared by replicas through Redis. */
@NullMarked
package dev.hopgate.pdp.state;

import org.jspecify.annotations.NullMarked;
