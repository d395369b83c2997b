@NullMarked
package dev.hopgate.pdp.digest;

import org.jspecify.annotations.NullMarked;
