package dev.hopgate.server.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/** Where a listener is: a TCP address, or a Unix domain socket ({@code unix:/absolute/path}). */
public sealed interface Listen {
  String UNIX = "unix:";

  /** Parses {@code field}'s value {@code listen}. */
  static Listen of(String field, String listen) {
    if (listen.startsWith(UNIX)) {
      String path = listen.substring(UNIX.length());
      if (path.startsWith("@")) {
        throw new IllegalArgumentException(
            field
                + ": '"
                + listen
                + "' is an abstract socket name (expected: a path;"
                + " an abstract socket has no file mode and is reachable from every process in the network namespace)");
      }
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException(
            field + ": '" + listen + "' (expected: unix:/absolute/path)");
      }
      // sun_path holds 108 bytes with the terminating NUL.
      if (path.getBytes(StandardCharsets.UTF_8).length > 107) {
        throw new IllegalArgumentException(
            field + ": '" + listen + "' is longer than a socket path may be (107 bytes)");
      }
      return new Unix(Path.of(path));
    }
    return new Tcp(Tcp.socketAddress(field, listen));
  }

  /** A Unix domain socket: file mode and peer UIDs decide who may connect. */
  record Unix(Path path) implements Listen {}

  /** A TCP address. */
  record Tcp(InetSocketAddress address) implements Listen {
    /**
     * Whether only this machine (or this pod: loopback is shared by its containers) can reach it.
     */
    public boolean loopback() {
      String host = address.getHostString();
      if (host.equals("::1")
          || host.equals("0:0:0:0:0:0:0:1")
          || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
        return true;
      }
      if (!host.equals("localhost")) {
        return false;
      }
      // A name is only as loopback as it resolves: every address of it must be.
      try {
        return Arrays.stream(InetAddress.getAllByName(host))
            .allMatch(InetAddress::isLoopbackAddress);
      } catch (UnknownHostException e) {
        return false;
      }
    }

    static InetSocketAddress socketAddress(String field, String listen) {
      int colon = listen.lastIndexOf(':');
      String expected = " (expected: host:port, as in 127.0.0.1:9191, or unix:/path)";
      if (colon <= 0 || colon == listen.length() - 1) {
        throw new IllegalArgumentException(field + ": '" + listen + "'" + expected);
      }
      String host = listen.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(listen.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(field + ": '" + listen + "'" + expected);
      }
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(field + ": port " + port + " (expected: 0..65535)");
      }
      return InetSocketAddress.createUnresolved(host, port);
    }
  }
}
