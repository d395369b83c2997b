/** OpenTelemetry: spans of Checks and ext_proc streams, and the decision records' OTLP export. */
@NullMarked
package dev.hopgate.server.telemetry;

import org.jspecify.annotations.NullMarked;
