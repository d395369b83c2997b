package dev.hopgate.server;

import dev.hopgate.server.config.ConfigLoader;
import dev.hopgate.server.config.HopgateConfig;
import dev.hopgate.server.config.Listen;
import dev.hopgate.server.grpc.PeerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.JdkSslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * How a listener is opened: TCP with mTLS, plaintext TCP on loopback (a developer machine), or a
 * Unix domain socket whose file mode and peer UIDs decide who may connect.
 */
final class Listeners {
  private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

  private Listeners() {}

  /** A listener's server builder, and what must happen once its server has started. */
  interface Opened {
    NettyServerBuilder builder();

    /** After the server started: a Unix socket gets its mode and its name. */
    default void started() throws StartupException {}

    /** After the server stopped. */
    default void stopped() {}
  }

  static Opened open(
      Listen at,
      HopgateConfig.@Nullable Tls tls,
      String socketMode,
      ConfigLoader.Loaded loaded,
      String field)
      throws StartupException {
    if (at instanceof Listen.Unix unix) {
      return unixSocket(unix.path(), socketMode, field);
    }
    InetSocketAddress unresolved = ((Listen.Tcp) at).address();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
            new InetSocketAddress(unresolved.getHostString(), unresolved.getPort()));
    if (tls != null) {
      builder.sslContext(serverTls(tls, loaded));
    }
    return () -> builder;
  }

  /** hopgate's certificate, and client certificates required from {@code client_ca} (mTLS). */
  static SslContext serverTls(HopgateConfig.Tls tls, ConfigLoader.Loaded loaded)
      throws StartupException {
    try {
      return GrpcSslContexts.forServer(
              loaded.path(tls.cert()).toFile(), loaded.path(tls.key()).toFile())
          .trustManager(loaded.path(tls.clientCa()).toFile())
          .clientAuth(ClientAuth.REQUIRE)
          .build();
    } catch (IOException | IllegalArgumentException e) {
      throw new StartupException("tls: " + e.getMessage(), e);
    }
  }

  /** The same mTLS as a JDK {@link javax.net.ssl.SSLContext}, for the metrics endpoint's HTTPS. */
  static SSLContext jdkServerTls(HopgateConfig.Tls tls, ConfigLoader.Loaded loaded)
      throws StartupException {
    try {
      SslContext jdk =
          SslContextBuilder.forServer(
                  loaded.path(tls.cert()).toFile(), loaded.path(tls.key()).toFile())
              .trustManager(loaded.path(tls.clientCa()).toFile())
              .clientAuth(ClientAuth.REQUIRE)
              .sslProvider(SslProvider.JDK)
              .build();
      return ((JdkSslContext) jdk).context();
    } catch (IOException | IllegalArgumentException e) {
      throw new StartupException("tls: " + e.getMessage(), e);
    }
  }

  /**
   * A Unix domain socket at {@code path}. It is bound under a private name in the same directory,
   * given its mode, and only then renamed to {@code path}: no moment exists in which the socket is
   * reachable with the process's umask instead. A socket left by a process that died is replaced;
   * anything else at the path refuses to start.
   */
  private static Opened unixSocket(Path path, String mode, String field) throws StartupException {
    if (!Epoll.isAvailable()) {
      throw new StartupException(
          field + ": unix sockets need Linux epoll (" + Epoll.unavailabilityCause() + ")");
    }
    Path dir = path.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new StartupException(
          field
              + ": the directory of "
              + path
              + " does not exist (mount the socket "
              + "directory shared by Envoy and hopgate there)");
    }
    if (othersMayWrite(dir)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "{0}: {1} is writable by other users: whoever can write there can put "
              + "another socket in hopgate''s place; mount it only into the Envoy and hopgate containers",
          field,
          dir);
    }
    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      if (!isSocket(path)) {
        throw new StartupException(
            field + ": " + path + " exists and is not a socket; refusing to replace it");
      }
      if (answers(path)) {
        throw new StartupException(
            field + ": another process serves " + path + "; refusing to take its place");
      }
      try {
        Files.delete(path);
      } catch (IOException e) {
        throw new StartupException(
            field + ": cannot replace the stale socket " + path + " (" + e.getMessage() + ")", e);
      }
    }
    Path privateDir;
    try {
      privateDir =
          Files.createTempDirectory(
              dir,
              ".hopgate-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException | UnsupportedOperationException e) {
      throw new StartupException(
          field + ": cannot create a private directory in " + dir + " (" + e.getMessage() + ")", e);
    }
    Path bound = privateDir.resolve("s");
    EventLoopGroup boss = new EpollEventLoopGroup(1);
    EventLoopGroup workers = new EpollEventLoopGroup();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new DomainSocketAddress(bound.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            .protocolNegotiator(PeerCredentials.negotiator());
    Set<PosixFilePermission> permissions =
        PosixFilePermissions.fromString(mode.equals("0600") ? "rw-------" : "rw-rw----");
    return new Opened() {
      private @Nullable Object ours;

      @Override
      public NettyServerBuilder builder() {
        return builder;
      }

      @Override
      public void started() throws StartupException {
        try {
          Files.setPosixFilePermissions(bound, permissions);
          Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE);
          Files.delete(privateDir);
          ours = fileKey(path);
        } catch (IOException e) {
          throw new StartupException(
              field + ": cannot put the socket at " + path + " (" + e.getMessage() + ")", e);
        }
      }

      @Override
      public void stopped() {
        try {
          // Only our own socket: a successor may already have put its own at the path.
          if (ours != null && ours.equals(fileKey(path))) {
            Files.deleteIfExists(path);
          }
          Files.deleteIfExists(bound);
          Files.deleteIfExists(privateDir);
        } catch (IOException e) {
          // Replaced at the next start.
        }
        for (EventLoopGroup group : List.of(boss, workers)) {
          group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
      }
    };
  }

  private static @Nullable Object fileKey(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
          .fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Whether a process accepts connections on the socket {@code path} (a live hopgate, not a stale
   * file).
   */
  private static boolean answers(Path path) {
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return probe.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean othersMayWrite(Path dir) {
    try {
      Object mode = Files.getAttribute(dir, "unix:mode");
      // World-writable without the sticky bit.
      return mode instanceof Integer m && (m & 0002) != 0 && (m & 01000) == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean isSocket(Path path) {
    try {
      Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer m && (m & 0170000) == 0140000;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }
}
