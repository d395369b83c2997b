package dev.hopgate.pdp.evidence;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.jspecify.annotations.Nullable;

/**
 * The last record of a decision log, read from its end (a log of gigabytes is not read whole to
 * continue it), after a crash's leftovers are set aside: a last line without its newline was cut
 * mid-write, so it is moved to {@code <log>.partial-<millis>} and the log truncated to its last
 * whole record, rather than refusing to start or running the next record into it.
 */
final class LastRecord {
  private static final System.Logger LOG = System.getLogger(LastRecord.class.getName());
  private static final int CHUNK = 64 * 1024;

  private LastRecord() {}

  /** The last whole line of {@code file} that is not blank, or null when it holds none. */
  static @Nullable String recover(Path file) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      long end = lastNewline(channel, size) + 1;
      if (end < size) {
        Path aside =
            file.resolveSibling(file.getFileName() + ".partial-" + System.currentTimeMillis());
        ByteBuffer fragment = ByteBuffer.allocate((int) Math.min(size - end, 16L << 20));
        channel.read(fragment, end);
        Files.write(aside, java.util.Arrays.copyOf(fragment.array(), fragment.position()));
        channel.truncate(end);
        channel.force(true);
        LOG.log(
            System.Logger.Level.WARNING,
            "decision log {0}: its last {1} bytes were not a whole record (a write cut off by a"
                + " crash); moved to {2}, the log continues from its last whole record",
            file,
            size - end,
            aside);
      }
      while (end > 0) {
        long start = lastNewline(channel, end - 1) + 1;
        String line = read(channel, start, end - 1 - start).strip();
        if (!line.isEmpty()) {
          return line;
        }
        end = start;
      }
      return null;
    }
  }

  /** The position of the last newline before {@code limit}, or -1. */
  private static long lastNewline(FileChannel channel, long limit) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    long to = limit;
    while (to > 0) {
      long from = Math.max(0, to - CHUNK);
      buffer.clear().limit((int) (to - from));
      channel.read(buffer, from);
      for (int i = buffer.position() - 1; i >= 0; i--) {
        if (buffer.get(i) == '\n') {
          return from + i;
        }
      }
      to = from;
    }
    return -1;
  }

  private static String read(FileChannel channel, long start, long length) throws IOException {
    if (length > (64L << 20)) {
      throw new IOException("its last record is over 64 MiB");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
    long at = start;
    while (at < start + length) {
      buffer.clear().limit((int) Math.min(CHUNK, start + length - at));
      int n = channel.read(buffer, at);
      if (n <= 0) {
        break;
      }
      out.write(buffer.array(), 0, n);
      at += n;
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
