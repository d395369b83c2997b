@NullMarked
package dev.hopgate.pdp.token;

import org.jspecify.annotations.NullMarked;
