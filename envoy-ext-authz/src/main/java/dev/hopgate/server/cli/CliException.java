package dev.hopgate.server.cli;

/** A command failed for a reason the user can fix; the message is printed as is. */
final class CliException extends Exception {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  CliException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
