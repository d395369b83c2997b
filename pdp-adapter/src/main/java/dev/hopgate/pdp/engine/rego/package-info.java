/**
 * Rego engines: OPA compiled to WebAssembly in process, and a real OPA server over its REST API.
 */
@NullMarked
package dev.hopgate.pdp.engine.rego;

import org.jspecify.annotations.NullMarked;
