@NullMarked
package dev.hopgate.pdp.engine.cedar;

import org.jspecify.annotations.NullMarked;
