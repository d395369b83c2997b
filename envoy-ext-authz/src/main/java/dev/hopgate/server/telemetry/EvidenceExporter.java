package dev.hopgate.server.telemetry;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.evidence.DecisionLog;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Ships every decision-log record off the box as an OTLP log record: the record's exact line as the
 * body (the receiver hashes it as {@code hopgate log verify} does), its sequence, hash and previous
 * hash as attributes. One thread sends batches; a failed batch is sent again with exponential
 * backoff while records queue behind it, in a bounded queue: a record that finds it full is dropped
 * and counted. Nothing here ever waits on the Check path: the decision log's writer only queues.
 */
public final class EvidenceExporter implements DecisionLog.Tap, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(EvidenceExporter.class.getName());

  /** The instrumentation scope of the records, by which a receiver tells them from other logs. */
  public static final String SCOPE = "dev.hopgate.decisions";

  public static final AttributeKey<Long> SEQUENCE = AttributeKey.longKey("hopgate.log.sequence");
  public static final AttributeKey<String> HASH = AttributeKey.stringKey("hopgate.log.hash");
  public static final AttributeKey<String> PREV_HASH =
      AttributeKey.stringKey("hopgate.log.prev_hash");
  public static final AttributeKey<String> EVENT_TYPE =
      AttributeKey.stringKey("hopgate.log.event_type");

  /** How the export is tuned: the queue's bound, a batch's size, the backoff's range. */
  public record Settings(
      int queue, int batch, Duration retryInitial, Duration retryMax, Duration drainOnStop) {}

  private final LogRecordExporter exporter;
  private final Resource resource;
  private final InstrumentationScopeInfo scope;
  private final Settings settings;
  private final BlockingQueue<DecisionLog.Written> queue;
  private final Thread sender;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final Object backoff = new Object();
  private volatile boolean open = true;

  /** When a stopping exporter gives up on what is left ({@link System#nanoTime}); set by close. */
  private volatile long stopBy;

  /**
   * @param exporter where the batches go (OTLP/HTTP in hopgate); it must not retry on its own
   * @param resource who sent them (service name, enforcement point)
   */
  public EvidenceExporter(
      LogRecordExporter exporter, Resource resource, String version, Settings settings) {
    this.exporter = requireNonNull(exporter, "exporter");
    this.resource = requireNonNull(resource, "resource");
    this.settings = requireNonNull(settings, "settings");
    this.scope = InstrumentationScopeInfo.builder(SCOPE).setVersion(version).build();
    this.queue = new ArrayBlockingQueue<>(settings.queue());
    this.sender = new Thread(this::send, "hopgate-evidence-export");
    this.sender.setDaemon(true);
    this.sender.start();
  }

  @Override
  public void written(List<DecisionLog.Written> records) {
    for (DecisionLog.Written record : records) {
      if (!open || !queue.offer(record)) {
        dropped.incrementAndGet();
      }
    }
  }

  /** Records the receiver acknowledged. */
  public long sent() {
    return sent.get();
  }

  /** Records never sent: the queue was full, or hopgate stopped before they could be. */
  public long dropped() {
    return dropped.get();
  }

  /** Export attempts that failed (each followed by a retry of the same batch). */
  public long failures() {
    return failures.get();
  }

  /** Records waiting to be sent. */
  public int queued() {
    return queue.size();
  }

  private void send() {
    List<DecisionLog.Written> batch = new ArrayList<>(settings.batch());
    try {
      while ((open || !queue.isEmpty()) && (open || System.nanoTime() - stopBy < 0)) {
        DecisionLog.Written first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, settings.batch() - 1);
        if (!delivered(batch)) {
          break;
        }
        batch.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Stopped with records not delivered: counted, so the metrics say what the receiver lacks.
    dropped.addAndGet(batch.size() + queue.size());
    queue.clear();
  }

  /** Sends one batch until it is taken; false when hopgate stops first (past its drain time). */
  private boolean delivered(List<DecisionLog.Written> batch) throws InterruptedException {
    List<LogRecordData> data = new ArrayList<>(batch.size());
    for (DecisionLog.Written w : batch) {
      data.add(record(w));
    }
    long wait = settings.retryInitial().toMillis();
    while (true) {
      Throwable why = null;
      try {
        CompletableResultCode result = exporter.export(data);
        // A send still running past this is retried: the receiver may then get a record twice,
        // and keeps one (same sequence, same hash).
        result.join(30, TimeUnit.SECONDS);
        if (result.isSuccess()) {
          sent.addAndGet(batch.size());
          return true;
        }
        why = result.getFailureThrowable();
      } catch (RuntimeException e) {
        why = e;
      }
      long n = failures.incrementAndGet();
      if (n == 1 || n % 100 == 0) {
        LOG.log(
            System.Logger.Level.WARNING,
            "decision records not exported ({0} failed attempts so far; retrying in {1} ms):"
                + " {2}",
            n,
            wait,
            why == null ? "the receiver refused them or did not answer" : why.toString());
      }
      synchronized (backoff) {
        if (open) {
          backoff.wait(wait);
        } else {
          long left = TimeUnit.NANOSECONDS.toMillis(stopBy - System.nanoTime());
          if (left <= 0) {
            return false;
          }
          backoff.wait(Math.min(wait, left));
        }
      }
      wait = Math.min(wait * 2, settings.retryMax().toMillis());
    }
  }

  private LogRecordData record(DecisionLog.Written w) {
    AttributesBuilder attributes =
        Attributes.builder()
            .put(SEQUENCE, w.sequence())
            .put(HASH, w.hash())
            .put(PREV_HASH, w.prevHash())
            .put(EVENT_TYPE, w.eventType());
    if (w.txn() != null) {
      attributes.put(CheckSpans.TXN, w.txn());
    }
    long nanos = TimeUnit.SECONDS.toNanos(w.time().getEpochSecond()) + w.time().getNano();
    return new Exported(resource, scope, nanos, attributes.build(), w.line());
  }

  /**
   * Stops taking records and sends what is queued, for at most the drain time; what is left is
   * counted as dropped.
   */
  @Override
  public void close() throws InterruptedException {
    stopBy = System.nanoTime() + settings.drainOnStop().toNanos();
    open = false;
    synchronized (backoff) {
      backoff.notifyAll();
    }
    sender.join(settings.drainOnStop().toMillis() + TimeUnit.SECONDS.toMillis(31));
    exporter.shutdown().join(5, TimeUnit.SECONDS);
  }

  /** One decision record as OTLP log data (immutable; built on the sender's thread). */
  private record Exported(
      Resource resource,
      InstrumentationScopeInfo scope,
      long timeNanos,
      Attributes attributes,
      String line)
      implements LogRecordData {
    @Override
    public Resource getResource() {
      return resource;
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
      return scope;
    }

    @Override
    public long getTimestampEpochNanos() {
      return timeNanos;
    }

    @Override
    public long getObservedTimestampEpochNanos() {
      return timeNanos;
    }

    @Override
    public SpanContext getSpanContext() {
      return SpanContext.getInvalid();
    }

    @Override
    public Severity getSeverity() {
      return Severity.INFO;
    }

    @Override
    public @Nullable String getSeverityText() {
      return "INFO";
    }

    @Override
    @SuppressWarnings("deprecation") // the interface still requires it beside getBodyValue
    public Body getBody() {
      return Body.string(line);
    }

    @Override
    public Value<?> getBodyValue() {
      return Value.of(line);
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public int getTotalAttributeCount() {
      return attributes.size();
    }

    @Override
    public String getEventName() {
      return "hopgate.decision_record";
    }
  }
}
