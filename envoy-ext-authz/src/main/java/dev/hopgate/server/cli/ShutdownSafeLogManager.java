package dev.hopgate.server.cli;

import java.util.logging.LogManager;

/**
 * A LogManager that does not close its handlers when the JVM begins to shut down.
 *
 * <p>The JDK's LogManager resets itself in a shutdown hook of its own, which runs concurrently with
 * hopgate's; the drain of in-flight checks and its log lines would then go unrecorded. Handlers
 * here flush on every record (ConsoleHandler), so nothing is lost by leaving them open.
 */
public final class ShutdownSafeLogManager extends LogManager {
  @Override
  public void reset() {
    // Kept open on purpose: see the class comment. Configuration is read once at start.
  }
}
