package dev.hopgate.server;

/** hopgate cannot start: the message names the configuration field and what is wrong. */
public final class StartupException extends Exception {
  private static final long serialVersionUID = 1L;

  public StartupException(String message) {
    super(message);
  }

  public StartupException(String message, Throwable cause) {
    super(message, cause);
  }
}
