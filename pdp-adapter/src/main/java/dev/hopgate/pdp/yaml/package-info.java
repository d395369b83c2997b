/** Reading the YAML files a deployment writes (processes, routes, the conformance corpus). */
@NullMarked
package dev.hopgate.pdp.yaml;

import org.jspecify.annotations.NullMarked;
