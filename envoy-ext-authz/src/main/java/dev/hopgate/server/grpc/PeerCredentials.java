package dev.hopgate.server.grpc;

import io.grpc.Attributes;
import io.grpc.ChannelLogger;
import io.grpc.netty.shaded.io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.shaded.io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.shaded.io.grpc.netty.ProtocolNegotiationEvent;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.util.AsciiString;

/**
 * The UID of a Unix domain socket's peer, read from the kernel (SO_PEERCRED) when the connection is
 * accepted and carried to every call as a transport attribute, the way TLS carries its session.
 * grpc-java has no public hook for this: it is the one place hopgate uses grpc-netty's {@code
 * Internal*} negotiator API (pinned with grpc-java; {@code UnixSocketIT} proves it works).
 */
public final class PeerCredentials {
  /** The peer's UID; absent on any transport but a Unix domain socket. */
  public static final Attributes.Key<Integer> UID = Attributes.Key.create("hopgate-peer-uid");

  private PeerCredentials() {}

  /**
   * Plaintext HTTP/2 over a Unix domain socket, with the peer's UID in the transport attributes.
   */
  public static InternalProtocolNegotiator.ProtocolNegotiator negotiator() {
    return new InternalProtocolNegotiator.ProtocolNegotiator() {
      @Override
      public AsciiString scheme() {
        return AsciiString.of("http");
      }

      @Override
      public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        return InternalProtocolNegotiators.waitUntilActiveHandler(
            new PeerUidHandler(InternalProtocolNegotiators.grpcNegotiationHandler(grpcHandler)),
            new QuietLogger());
      }

      @Override
      public void close() {}
    };
  }

  /** Adds the peer's UID to the negotiation event, then gives way to gRPC's own handler. */
  private static final class PeerUidHandler extends ChannelInboundHandlerAdapter {
    private final ChannelHandler next;

    PeerUidHandler(ChannelHandler next) {
      this.next = next;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (!(event instanceof ProtocolNegotiationEvent negotiated)) {
        super.userEventTriggered(ctx, event);
        return;
      }
      if (!(ctx.channel() instanceof EpollDomainSocketChannel socket)) {
        // Never on the Unix socket listener; anything else would be a wiring mistake: refuse it.
        ctx.close();
        return;
      }
      int uid = socket.peerCredentials().uid();
      Attributes attributes =
          InternalProtocolNegotiationEvent.getAttributes(negotiated).toBuilder()
              .set(UID, uid)
              .build();
      ctx.pipeline().replace(ctx.name(), null, next);
      ctx.fireUserEventTriggered(
          InternalProtocolNegotiationEvent.withAttributes(negotiated, attributes));
    }
  }

  private static final class QuietLogger extends ChannelLogger {
    @Override
    public void log(ChannelLogLevel level, String message) {}

    @Override
    public void log(ChannelLogLevel level, String messageFormat, Object... args) {}
  }
}
