@NullMarked
package dev.hopgate.pdp.input;

import org.jspecify.annotations.NullMarked;
