@NullMarked
package dev.hopgate.server.config;

import org.jspecify.annotations.NullMarked;
