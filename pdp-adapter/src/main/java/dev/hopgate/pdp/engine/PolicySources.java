package dev.hopgate.pdp.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Reads the policy files of a directory in a stable order and names their revision. */
public final class PolicySources {
  private PolicySources() {}

  /**
   * The files directly in {@code directory} whose names end with one of {@code suffixes}, by name.
   *
   * @throws PolicyLoadException when the directory cannot be read
   */
  public static Map<Path, String> read(Path directory, String... suffixes)
      throws PolicyLoadException {
    if (!Files.isDirectory(directory)) {
      throw new PolicyLoadException("policies " + directory + ": not a directory");
    }
    Map<Path, String> files = new LinkedHashMap<>();
    try (Stream<Path> entries = Files.list(directory)) {
      List<Path> sorted =
          entries
              .filter(Files::isRegularFile)
              .filter(
                  p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
              .sorted()
              .toList();
      for (Path file : sorted) {
        files.put(file, Files.readString(file, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new PolicyLoadException("policies " + directory + ": cannot read (" + e + ")");
    }
    return files;
  }

  /** Every file under {@code directory} (recursively) ending with {@code suffix}, by path. */
  public static Map<Path, String> readTree(Path directory, String suffix)
      throws PolicyLoadException {
    if (!Files.isDirectory(directory)) {
      throw new PolicyLoadException("policies " + directory + ": not a directory");
    }
    Map<Path, String> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path file :
          walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix)).toList()) {
        files.put(file, Files.readString(file, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new PolicyLoadException("policies " + directory + ": cannot read (" + e + ")");
    }
    return files;
  }

  /** {@code sha256:} + hex over every file's name and content, in order. */
  public static String revision(Map<Path, String> files) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Map.Entry<Path, String> file : files.entrySet()) {
        sha.update(file.getKey().getFileName().toString().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        sha.update(file.getValue().getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return "sha256:" + HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
