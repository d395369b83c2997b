@NullMarked
package dev.hopgate.server.cli;

import org.jspecify.annotations.NullMarked;
