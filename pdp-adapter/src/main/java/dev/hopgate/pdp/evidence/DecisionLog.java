package dev.hopgate.pdp.evidence;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The hash-chained decision log: one JSON line per decision, appended by one writer thread so the
 * Check path never waits on the disk. The queue is bounded (records queued and places reserved for
 * records to come, {@link #reserve}); when it is full, {@link #offer} returns false and the caller
 * applies the configured choice (deny new checks by default: evidence is the point; or drop,
 * counted). A log that already exists is continued: its last record's sequence and hash are read at
 * start.
 */
public final class DecisionLog implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(DecisionLog.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads one record and nothing after it: two records run together are not one. */
  static final ObjectMapper STRICT =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private record Entry(String eventType, @Nullable String txn, Map<String, Object> payload) {}

  private final Path file;
  private final Clock clock;
  private final BlockingQueue<Entry> queue;

  /**
   * Places in the queue, taken by a record queued or a reservation not yet committed: a decision
   * that must spend reserves its record first, so a full log refuses it before anything is spent.
   */
  private final Semaphore places;

  private final Thread writer;
  private final Tap tap;

  /** Written since the last flush, for the tap (the writer's thread only). */
  private final List<Written> unTapped = new ArrayList<>();

  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private volatile boolean open = true;
  private long sequence;
  private String prevHash;
  private final @Nullable Checkpoints checkpoints;
  private final Fsync fsync;
  private int sinceCheckpoint;

  /**
   * Told of the records the writer wrote, once they are flushed (and forced, as {@code fsync}
   * says), in order, on the writer's thread: it must only queue them (an exporter), never wait.
   */
  public interface Tap {
    Tap NONE = records -> {};

    void written(List<Written> records);
  }

  /**
   * One record as written: its place in the chain and its exact line (without the newline), which a
   * receiver hashes as {@code hopgate log verify} does.
   */
  public record Written(
      long sequence,
      String hash,
      String prevHash,
      String eventType,
      @Nullable String txn,
      Instant time,
      String line) {}

  /** When the writer forces what it wrote to the disk ({@code decision_log.fsync}). */
  public enum Fsync {
    /**
     * After every batch of records: nothing written is lost to a crash (records still queued are),
     * at a disk wait each.
     */
    BATCH,
    /** After each checkpoint: a crash loses at most the records since the last one. */
    CHECKPOINT,
    /** Never: the operating system writes when it chooses. */
    NEVER
  }

  private DecisionLog(
      Path file,
      Clock clock,
      int capacity,
      long sequence,
      String prevHash,
      @Nullable Checkpoints checkpoints,
      Fsync fsync,
      Tap tap) {
    this.file = file;
    this.tap = tap;
    this.clock = clock;
    this.checkpoints = checkpoints;
    this.fsync = fsync;
    this.queue = new LinkedBlockingQueue<>();
    this.places = new Semaphore(capacity);
    this.sequence = sequence;
    this.prevHash = prevHash;
    this.writer = new Thread(this::write, "hopgate-decision-log");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /**
   * Opens (or continues) the log at {@code file}.
   *
   * @throws IOException when the file cannot be read or created, or its last record is not a record
   */
  public static DecisionLog open(Path file, int capacity, Clock clock) throws IOException {
    return open(file, capacity, clock, null, Fsync.NEVER);
  }

  /**
   * The same, signing {@code checkpoints} (or none, when null) and forcing writes to the disk as
   * {@code fsync} says.
   */
  public static DecisionLog open(
      Path file, int capacity, Clock clock, @Nullable Checkpoints checkpoints, Fsync fsync)
      throws IOException {
    return open(file, capacity, clock, checkpoints, fsync, Tap.NONE);
  }

  /** The same, telling {@code tap} of every record written (an exporter). */
  public static DecisionLog open(
      Path file, int capacity, Clock clock, @Nullable Checkpoints checkpoints, Fsync fsync, Tap tap)
      throws IOException {
    requireNonNull(file, "file");
    requireNonNull(tap, "tap");
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    long sequence = 0;
    String prev = DecisionRecords.GENESIS;
    if (Files.exists(file)) {
      String last = LastRecord.recover(file);
      if (last != null) {
        JsonNode record;
        try {
          record = STRICT.readTree(last);
        } catch (IOException e) {
          throw new IOException(
              "its last record is not JSON ("
                  + e.getMessage()
                  + "); hopgate continues only a log"
                  + " that ends with a whole record",
              e);
        }
        sequence = record.path("sequence").asLong();
        prev = record.path("hash").asText();
      }
    }
    return new DecisionLog(file, clock, capacity, sequence, prev, checkpoints, fsync, tap);
  }

  /** Queues a record; false when the queue is full (the caller denies or counts a drop). */
  public boolean offer(String eventType, @Nullable String txn, Map<String, Object> payload) {
    return open && places.tryAcquire() && queue.add(new Entry(eventType, txn, payload));
  }

  /** A place held in the queue for one record, queued by {@link #commit} (exactly once). */
  public static final class Place {
    private final AtomicBoolean used = new AtomicBoolean();

    private Place() {}
  }

  /** Holds a place for a record to come, or null when the queue is full or the log closed. */
  public @Nullable Place reserve() {
    return open && places.tryAcquire() ? new Place() : null;
  }

  /**
   * Queues a record in a place reserved before; false when the log can no longer write (the place
   * is given back).
   */
  public boolean commit(
      Place place, String eventType, @Nullable String txn, Map<String, Object> payload) {
    if (!place.used.compareAndSet(false, true)) {
      throw new IllegalStateException("a reserved place is committed once");
    }
    if (!open) {
      places.release();
      return false;
    }
    return queue.add(new Entry(eventType, txn, payload));
  }

  /** Gives back a place reserved before and never committed. */
  public void release(Place place) {
    if (place.used.compareAndSet(false, true)) {
      places.release();
    }
  }

  /** Counts a record that was not written because the queue was full. */
  public void countDropped() {
    dropped.incrementAndGet();
  }

  public long dropped() {
    return dropped.get();
  }

  public long written() {
    return written.get();
  }

  public int queueDepth() {
    return queue.size();
  }

  public Path file() {
    return file;
  }

  private void write() {
    try (FileChannel channel =
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Writer out =
            new BufferedWriter(
                new OutputStreamWriter(
                    Channels.newOutputStream(channel), StandardCharsets.UTF_8))) {
      List<Entry> batch = new ArrayList<>();
      while (open || !queue.isEmpty()) {
        Entry first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, 511);
        places.release(batch.size());
        boolean checkpointed = false;
        for (Entry e : batch) {
          append(out, e.eventType(), e.txn(), e.payload());
          if (checkpoints != null && ++sinceCheckpoint >= checkpoints.every()) {
            checkpoint(out, false);
            checkpointed = true;
          }
        }
        out.flush();
        if (fsync == Fsync.BATCH || (checkpointed && fsync == Fsync.CHECKPOINT)) {
          channel.force(false);
        }
        written.addAndGet(batch.size());
        batch.clear();
        tapped();
      }
      if (checkpoints != null) {
        // Closing: the last record says the log ends here, so a tail cut later is told apart.
        checkpoint(out, true);
        out.flush();
        if (fsync != Fsync.NEVER) {
          channel.force(false);
        }
        tapped();
        // Said outside the log, where a cut back to this run's close cannot reach.
        LOG.log(
            System.Logger.Level.INFO,
            "decision log {0} closed at sequence {1,number,#}, head {2} (log verify"
                + " --expect-sequence {1,number,#})",
            file,
            sequence,
            prevHash);
      }
    } catch (IOException | RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "decision log " + file + " cannot be written", e);
      open = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      open = false;
    }
    // What the writer never took is lost: counted, so the metrics say so.
    dropped.addAndGet(queue.size());
  }

  private void append(
      Writer out, String eventType, @Nullable String txn, Map<String, Object> payload)
      throws IOException {
    Instant time = clock.instant();
    Map<String, Object> record =
        DecisionRecords.record(++sequence, time, eventType, txn, payload, prevHash);
    String previous = prevHash;
    prevHash = java.util.Objects.requireNonNull((String) record.get("hash"));
    String line = JSON.writeValueAsString(record);
    out.write(line);
    out.write('\n');
    if (tap != Tap.NONE) {
      unTapped.add(new Written(sequence, prevHash, previous, eventType, txn, time, line));
    }
  }

  /** Tells the tap of what was just flushed; a tap that throws loses only its own copy. */
  private void tapped() {
    if (unTapped.isEmpty()) {
      return;
    }
    List<Written> flushed = List.copyOf(unTapped);
    unTapped.clear();
    try {
      tap.written(flushed);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "decision log tap failed: {0}", e.toString());
    }
  }

  private void checkpoint(Writer out, boolean closing) throws IOException {
    Checkpoints signer = java.util.Objects.requireNonNull(checkpoints);
    append(
        out,
        Checkpoints.EVENT_TYPE,
        null,
        signer.payload(sequence, prevHash, closing, clock.instant()));
    sinceCheckpoint = 0;
  }

  /** Whether records can still be written (false after a write failure: then checks are denied). */
  public boolean healthy() {
    return open;
  }

  /** Writes what is queued, then closes. */
  @Override
  public void close() throws InterruptedException {
    open = false;
    writer.join(TimeUnit.SECONDS.toMillis(10));
  }
}
