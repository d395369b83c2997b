@NullMarked
package dev.hopgate.pdp.problem;

import org.jspecify.annotations.NullMarked;
