/**
 * The route table: every route hopgate decides for, what it fronts and how it is matched. Envoy's
 * {@code context_extensions} only name a route of it; the table says everything else.
 */
@NullMarked
package dev.hopgate.pdp.route;

import org.jspecify.annotations.NullMarked;
