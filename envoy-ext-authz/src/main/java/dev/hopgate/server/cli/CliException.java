package dev.hopgate.server.cli;

import org.jspecify.annotations.Nullable;

/** A command failed for a reason the user can fix; the message is printed as is. */
final class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  /** A message from a cause may be absent: the command still says that it failed. */
  CliException(@Nullable String message, int exitCode) {
    super(message == null ? "failed (no detail given)" : message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
