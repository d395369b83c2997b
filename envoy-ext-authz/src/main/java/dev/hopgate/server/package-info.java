@NullMarked
package dev.hopgate.server;

import org.jspecify.annotations.NullMarked;
