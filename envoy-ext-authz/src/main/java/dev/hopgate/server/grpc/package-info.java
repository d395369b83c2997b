@NullMarked
package dev.hopgate.server.grpc;

import org.jspecify.annotations.NullMarked;
