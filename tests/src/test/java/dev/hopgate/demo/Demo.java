package dev.hopgate.demo;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code make demo}: the checkout story told in plain words, then where each process logged.
 * Everything it starts is stopped when it ends.
 */
public final class Demo {
  private Demo() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("hopgate-demo-");
    int code = 0;
    try (CheckoutDemo demo = CheckoutDemo.start(dir, System.out::println)) {
      demo.run();
      System.out.println();
      System.out.println(
          "Decision logs (hash-chained; check one with: java -jar envoy-ext-authz/target/hopgate.jar "
              + "log verify FILE):");
      demo.mesh().decisionLogs().forEach(p -> System.out.println("  " + p));
      System.out.println("Process logs:");
      demo.mesh().logs().forEach(p -> System.out.println("  " + p));
    } catch (Exception e) {
      System.err.println("demo failed: " + e);
      code = 1;
    }
    // The services' HTTP servers keep non-daemon threads: end the JVM explicitly.
    System.exit(code);
  }
}
