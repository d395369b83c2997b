package dev.hopgate.tests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Tokens signed by jwcrypto (PyPI, pinned, installed by scripts/install-tools.sh), a JOSE library
 * other than hopgate's own Nimbus: a bug both share cannot hide in a test.
 */
public final class Jwcrypto {
  private Jwcrypto() {}

  /**
   * {@code compact} re-signed with {@code privateJwk} by jwcrypto, its claims edited by {@code
   * editsJson} (see tests/src/test/resources/jose/resign.py: {@code {"nbf": {"now+": 3600}}}).
   */
  public static String resign(Path privateJwk, String compact, String editsJson) {
    return run("resign.py", null, privateJwk.toString(), compact, editsJson);
  }

  /**
   * Keys and tokens minted by jwcrypto from {@code specJson} (see
   * tests/src/test/resources/jose/mint.py); the answer as JSON: {@code private}, {@code public},
   * {@code tokens}.
   */
  public static String mint(String specJson) {
    return run("mint.py", specJson);
  }

  private static String run(String scriptName, String stdin, String... args) {
    Path python = Path.of(System.getProperty("hopgate.tools.dir"), "venv", "bin", "python");
    Path script = Tools.repo().resolve("tests/src/test/resources/jose/" + scriptName);
    try {
      java.util.List<String> command = new java.util.ArrayList<>();
      command.add(python.toString());
      command.add(script.toString());
      command.addAll(java.util.List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("jwcrypto did not finish");
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.exitValue() != 0) {
        throw new IllegalStateException("jwcrypto failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
