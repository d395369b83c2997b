package dev.hopgate.tests.harness;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free loopback ports for the processes a test starts. Not from the kernel's ephemeral range (what
 * port 0 hands out): a port released there can become the local port of any outgoing connection on
 * the machine before the process that was meant to bind it does ("Address already in use", seen
 * with another build sharing the machine). Each port is handed out once per test JVM.
 */
public final class Ports {
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();
  private static final int[] RANGE = outsideEphemeral();

  private Ports() {}

  public static int free() {
    for (int attempt = 0; attempt < 1000; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(RANGE[0], RANGE[1]);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        socket.setReuseAddress(true);
        return port;
      } catch (IOException inUse) {
        // Taken by someone else: try another.
      }
    }
    throw new IllegalStateException(
        "no free port in " + RANGE[0] + ".." + RANGE[1] + " after 1000 tries");
  }

  /** [from, to) below the ephemeral range (or above it, when it starts too low). */
  private static int[] outsideEphemeral() {
    int low = 32768;
    int high = 60999;
    try {
      String[] range =
          Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
      low = Integer.parseInt(range[0]);
      high = Integer.parseInt(range[1]);
    } catch (IOException | RuntimeException e) {
      // Not Linux, or unreadable: Linux's default range.
    }
    if (low > 12_000) {
      return new int[] {10_000, low};
    }
    return high < 63_000 ? new int[] {high + 1, 65_536} : new int[] {1024, 65_536};
  }
}
