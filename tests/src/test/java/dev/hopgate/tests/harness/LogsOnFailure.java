package dev.hopgate.tests.harness;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the processes' logs when a test fails, so a red end-to-end test says what happened. */
public final class LogsOnFailure implements TestWatcher {
  private final Supplier<String> logs;

  private LogsOnFailure(Supplier<String> logs) {
    this.logs = logs;
  }

  /** {@code @RegisterExtension final TestWatcher logs = LogsOnFailure.of(() -> stack.logs());} */
  public static LogsOnFailure of(Supplier<String> logs) {
    return new LogsOnFailure(logs);
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    System.err.println("=== " + context.getDisplayName() + " failed; logs follow\n" + logs.get());
  }
}
