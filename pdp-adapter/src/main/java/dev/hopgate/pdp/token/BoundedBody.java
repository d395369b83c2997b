package dev.hopgate.pdp.token;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * A response body read into memory only up to a bound: past it the body is refused and the
 * connection's reading stops, so a server (or whoever stands in for it) cannot make hopgate buffer
 * more than the bound. A declared {@code Content-Length} over the bound is refused unread.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  private final int maxBytes;
  private final CompletableFuture<byte[]> result = new CompletableFuture<>();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final boolean declaredTooLarge;
  private Flow.@Nullable Subscription subscription;

  private BoundedBody(int maxBytes, boolean declaredTooLarge) {
    this.maxBytes = maxBytes;
    this.declaredTooLarge = declaredTooLarge;
  }

  /** A body handler that keeps at most {@code maxBytes}. */
  static HttpResponse.BodyHandler<byte[]> handler(int maxBytes) {
    return info -> {
      long declared = info.headers().firstValueAsLong("content-length").orElse(-1);
      return new BoundedBody(maxBytes, declared > maxBytes);
    };
  }

  static IOException tooLarge(int maxBytes) {
    return new IOException("the body is larger than " + maxBytes + " bytes (its bound); refused");
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (declaredTooLarge) {
      s.cancel();
      result.completeExceptionally(tooLarge(maxBytes));
      return;
    }
    s.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (result.isDone()) {
      return;
    }
    for (ByteBuffer b : buffers) {
      if (bytes.size() + b.remaining() > maxBytes) {
        if (subscription != null) {
          subscription.cancel();
        }
        result.completeExceptionally(tooLarge(maxBytes));
        return;
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      bytes.writeBytes(chunk);
    }
  }

  @Override
  public void onError(Throwable t) {
    result.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    result.complete(bytes.toByteArray());
  }
}
