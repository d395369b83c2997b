package dev.hopgate.server.association;

import static java.util.Objects.requireNonNull;

import dev.hopgate.association.v1.AssociationGrpc;
import dev.hopgate.association.v1.TxnLinkage;
import dev.hopgate.association.v1.TxnQuery;
import dev.hopgate.pdp.association.BoundarySignal;
import dev.hopgate.pdp.floor.LinkedHop;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An association served by another process (another hopgate's gRPC port, plaintext or mTLS).
 * Signals go through a bounded buffer drained by one thread, each tried a few times; a full buffer
 * or a signal that keeps failing is a counted loss. Lookups wait at most {@code lookupTimeout}.
 */
public final class RemoteAssociation extends CountingAssociation {
  private static final System.Logger LOG = System.getLogger(RemoteAssociation.class.getName());
  private static final int ATTEMPTS = 3;

  private final String target;
  private final ManagedChannel channel;
  private final AssociationGrpc.AssociationBlockingStub stub;
  private final Duration lookupTimeout;
  private final Duration recordTimeout;
  private final BlockingQueue<BoundarySignal> buffer = new ArrayBlockingQueue<>(10_000);
  private final Thread sender;

  public RemoteAssociation(String target, Duration lookupTimeout, Duration recordTimeout) {
    this(target, lookupTimeout, recordTimeout, null);
  }

  /**
   * @param tls client certificate, key and CA for a target that requires mTLS (as every hopgate
   *     with {@code tls} does: it serves the association on its Check port), or null for plaintext
   */
  public RemoteAssociation(
      String target,
      Duration lookupTimeout,
      Duration recordTimeout,
      io.grpc.netty.shaded.io.netty.handler.ssl.@org.jspecify.annotations.Nullable SslContext tls) {
    super(target);
    this.target = target;
    this.lookupTimeout = requireNonNull(lookupTimeout, "lookupTimeout");
    this.recordTimeout = requireNonNull(recordTimeout, "recordTimeout");
    // A lookup has tens of milliseconds: it must find the connection open. grpc-java drops an idle
    // one after 30 minutes by default; more than 30 days turns idleness off.
    NettyChannelBuilder builder =
        NettyChannelBuilder.forTarget(target).idleTimeout(31, TimeUnit.DAYS);
    this.channel = (tls == null ? builder.usePlaintext() : builder.sslContext(tls)).build();
    this.stub = AssociationGrpc.newBlockingStub(channel);
    this.sender = new Thread(this::drain, "hopgate-association");
    sender.setDaemon(true);
    sender.start();
  }

  @Override
  public void start(BoundarySignal signal) {
    if (!buffer.offer(signal)) {
      lost.incrementAndGet();
    }
  }

  @Override
  public void complete(BoundarySignal signal) {
    try {
      if (!send(signal) && !buffer.offer(signal)) {
        lost.incrementAndGet();
      }
    } catch (Refused e) {
      lost.incrementAndGet();
    }
  }

  private boolean send(BoundarySignal signal) {
    try {
      stub.withDeadlineAfter(recordTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .record(AssociationService.toWire(signal));
      return true;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        // Refused as not evidence (an expired transition, say): sending it again cannot help.
        throw new Refused(e.getStatus().getDescription());
      }
      return false;
    }
  }

  /** The association refused a signal: it is lost, not retried. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(@org.jspecify.annotations.Nullable String why) {
      super(why, null, false, false);
    }
  }

  private void drain() {
    while (!Thread.currentThread().isInterrupted()) {
      BoundarySignal signal;
      try {
        signal = buffer.take();
      } catch (InterruptedException e) {
        return;
      }
      boolean sent = false;
      for (int attempt = 1; attempt <= ATTEMPTS && !sent; attempt++) {
        try {
          sent = send(signal);
        } catch (Refused e) {
          break;
        }
        if (!sent) {
          try {
            Thread.sleep(100L * attempt);
          } catch (InterruptedException e) {
            return;
          }
        }
      }
      if (!sent) {
        long n = lost.incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
          LOG.log(
              System.Logger.Level.WARNING,
              "association {0} unreachable or refusing: {1} signals lost so far",
              target,
              n);
        }
      }
    }
  }

  /**
   * Opens the connection and runs one lookup, waiting at most {@code bound}: at start, before the
   * port opens, so that the first decision's lookup (which waits only {@code lookupTimeout}) finds
   * the connection and the client path warm. Returns false when the target did not answer; lookups
   * then count their failures until it does.
   */
  public boolean connect(Duration bound) {
    try {
      stub.withDeadlineAfter(bound.toMillis(), TimeUnit.MILLISECONDS)
          .linkage(TxnQuery.newBuilder().setTxn("hopgate-connect").build());
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  @Override
  public List<LinkedHop> linkage(String txn) {
    try {
      TxnLinkage linkage =
          stub.withDeadlineAfter(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS)
              .linkage(TxnQuery.newBuilder().setTxn(txn).build());
      List<LinkedHop> hops = new ArrayList<>();
      linkage.getHopsList().forEach(h -> hops.add(AssociationService.fromWire(h)));
      return hops;
    } catch (RuntimeException e) {
      // Unreachable, refusing, or answering what cannot be read: no extra evidence, never an error.
      lookupsFailed.incrementAndGet();
      return List.of();
    }
  }

  @Override
  public void close() {
    sender.interrupt();
    channel.shutdownNow();
  }
}
