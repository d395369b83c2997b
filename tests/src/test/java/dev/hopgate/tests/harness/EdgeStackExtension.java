package dev.hopgate.tests.harness;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * One edge stack (Envoy, hopgate, the upstream) for a whole test class: started, and ready to
 * answer a Check through Envoy, before the first test; closed after the last; its logs printed when
 * a test fails.
 *
 * <pre>{@code
 * @RegisterExtension static final EdgeStackExtension edge = EdgeStackExtension.of("");
 * ... edge.stack().get(edge.planner(), "/inventory/reserve", ...)
 * }</pre>
 */
public final class EdgeStackExtension implements BeforeAllCallback, AfterAllCallback, TestWatcher {
  /** How the stack is started, in the directory the extension makes for it. */
  @FunctionalInterface
  public interface Starter {
    EdgeStack start(Path dir) throws IOException;
  }

  private final Starter starter;
  private @Nullable Path dir;
  private @Nullable EdgeStack stack;
  private @Nullable SSLContext planner;

  private EdgeStackExtension(Starter starter) {
    this.starter = requireNonNull(starter, "starter");
  }

  /** The default stack with {@code extraConfig} appended to hopgate's configuration. */
  public static EdgeStackExtension of(String extraConfig) {
    return new EdgeStackExtension(dir -> EdgeStack.start(dir, extraConfig));
  }

  /** A stack started some other way ({@link EdgeStack#start} with callers or wiring). */
  public static EdgeStackExtension starting(Starter starter) {
    return new EdgeStackExtension(starter);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    dir = Files.createTempDirectory("hopgate-" + context.getDisplayName() + "-");
    stack = starter.start(dir);
    planner = stack.pki().workload("planner", EdgeStack.PLANNER).sslContext();
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (stack != null) {
      stack.close();
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(EdgeStackExtension::delete);
      }
    }
  }

  @Override
  public void testFailed(ExtensionContext context, @Nullable Throwable cause) {
    System.err.println(
        "=== " + context.getDisplayName() + " failed; logs follow\n" + stack().logs());
  }

  public EdgeStack stack() {
    if (stack == null) {
      throw new IllegalStateException("the edge stack is started before the first test only");
    }
    return stack;
  }

  /** The planner workload's mTLS client context, the usual caller of the edge. */
  public SSLContext planner() {
    if (planner == null) {
      throw new IllegalStateException("the edge stack is started before the first test only");
    }
    return planner;
  }

  /** The directory the stack runs in. */
  public Path dir() {
    if (dir == null) {
      throw new IllegalStateException("the edge stack is started before the first test only");
    }
    return dir;
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
