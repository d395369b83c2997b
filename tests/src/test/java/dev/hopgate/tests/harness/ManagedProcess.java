package dev.hopgate.tests.harness;

import dev.hopgate.testing.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A process a test started, its output in a log file. It is stopped by {@link #close()}, and,
 * should the test JVM die first, by a shutdown hook: no test leaves an Envoy or a hopgate running.
 */
public class ManagedProcess implements AutoCloseable {
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> RUNNING.forEach(ManagedProcess::kill), "hopgate-tests-cleanup"));
  }

  private final String name;
  private final Process process;
  private final Path log;

  public ManagedProcess(String name, List<String> command, Path log) {
    this.name = name;
    this.log = log;
    try {
      this.process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
    RUNNING.add(process);
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until {@code ready} holds, failing with the log if the process dies or time runs out. */
  public void awaitReady(BooleanSupplier ready, Duration timeout) {
    try {
      Eventually.within(
          timeout,
          name + " is ready",
          () -> {
            if (!process.isAlive()) {
              throw new Eventually.Hopeless(
                  name
                      + " exited with "
                      + process.exitValue()
                      + " before it was ready:\n"
                      + logText());
            }
            return ready.getAsBoolean();
          });
    } catch (AssertionError e) {
      throw new IllegalStateException(e.getMessage() + "\n" + logText(), e);
    }
  }

  /** Sends SIGTERM and waits for the exit; returns the exit code. */
  public int terminate(Duration timeout) {
    process.destroy();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        throw new IllegalStateException(
            name + " did not stop within " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    } finally {
      RUNNING.remove(process);
    }
    return process.exitValue();
  }

  /**
   * Asks the process to stop and, if it has not within {@code timeout}, kills it: for a backend
   * whose own shutdown the test is not about (a trace store), so its slowness fails nothing.
   */
  protected void stopOrKill(Duration timeout) {
    process.destroy();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        kill(process);
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    } finally {
      RUNNING.remove(process);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      terminate(Duration.ofSeconds(15));
    }
    RUNNING.remove(process);
  }

  private static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }
}
