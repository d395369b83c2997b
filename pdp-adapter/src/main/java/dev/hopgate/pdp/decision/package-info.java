@NullMarked
package dev.hopgate.pdp.decision;

import org.jspecify.annotations.NullMarked;
