@NullMarked
package dev.hopgate.pdp.engine;

import org.jspecify.annotations.NullMarked;
