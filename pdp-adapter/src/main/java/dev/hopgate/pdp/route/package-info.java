/** A route's settings, read once from the ext_authz context extensions Envoy sends. */
@NullMarked
package dev.hopgate.pdp.route;

import org.jspecify.annotations.NullMarked;
