package dev.hopgate.tests.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Distinct non-root users for the processes of a sidecar topology, as a pod runs them: hopgate and
 * Envoy each under its own UID, sharing only the socket directory's group. The tests run as root
 * (they install Redis too) and drop to these users with util-linux's {@code setpriv}.
 */
public final class OsUsers {
  /** The group hopgate and Envoy share, as a pod's fsGroup would make it. */
  public static final int MESH_GID = 2100;

  public static final int HOPGATE_UID = 2101;
  public static final int ENVOY_UID = 2102;

  /** A workload in the same pod: it shares nothing with them. */
  public static final int WORKLOAD_UID = 2103;

  private OsUsers() {}

  /**
   * A command prefix that runs what follows as {@code uid}, with primary group {@code gid} and
   * {@code groups}.
   */
  public static List<String> runAs(int uid, int gid, int... groups) {
    requireRoot();
    List<String> prefix = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid));
    prefix.add(
        groups.length == 0
            ? "--clear-groups"
            : "--groups="
                + Arrays.stream(groups)
                    .mapToObj(Integer::toString)
                    .collect(Collectors.joining(",")));
    prefix.add("--");
    return prefix;
  }

  /**
   * Gives {@code tree} to {@code uid}:{@code gid}, readable and writable by both, closed to others.
   */
  public static void give(Path tree, int uid, int gid) {
    requireRoot();
    try (Stream<Path> all = Files.walk(tree)) {
      for (Path p : all.toList()) {
        Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        Set<PosixFilePermission> perms =
            Files.isDirectory(p)
                ? Set.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE)
                : Set.of(
                    PosixFilePermission.OWNER_READ,
                    PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.GROUP_READ);
        Files.setPosixFilePermissions(p, perms);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Lets every user pass through the directories down to {@code dir} (JUnit's temp dirs are 0700).
   */
  public static void traversable(Path dir) {
    try {
      for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
        Set<PosixFilePermission> perms = new java.util.HashSet<>(Files.getPosixFilePermissions(p));
        if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
          Files.setPosixFilePermissions(p, perms);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireRoot() {
    if (!"root".equals(System.getProperty("user.name"))) {
      throw new IllegalStateException(
          "the sidecar tests run hopgate and Envoy as their own users, which needs root "
              + "(make test runs as root here: it installs redis-server with apt-get too)");
    }
  }
}
