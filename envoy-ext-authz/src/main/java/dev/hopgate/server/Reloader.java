package dev.hopgate.server;

import static java.util.Objects.requireNonNull;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Reloads policies, process definitions and manifests when their files change (and on SIGHUP): the
 * new set is loaded, compiled and validated completely, then swapped in atomically. A set that does
 * not load is rejected with its problems in the log, and the previous one keeps serving. Changes
 * arriving together (an editor's save, a deploy copying files) are folded into one reload.
 */
final class Reloader implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Reloader.class.getName());
  private static final long QUIET_MILLIS = 300;

  private final AtomicReference<DecisionPoint> current;
  private final DecisionPoints.Snapshots snapshots;
  private final WatchService watcher;
  private final Thread thread;

  Reloader(
      AtomicReference<DecisionPoint> current,
      DecisionPoints.Snapshots snapshots,
      Collection<Path> watched)
      throws IOException {
    this.current = requireNonNull(current, "current");
    this.snapshots = requireNonNull(snapshots, "snapshots");
    this.watcher = FileSystems.getDefault().newWatchService();
    for (Path dir : watched) {
      if (Files.isDirectory(dir)) {
        try (Stream<Path> tree = Files.walk(dir)) {
          for (Path d : tree.filter(Files::isDirectory).toList()) {
            d.register(
                watcher,
                StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
          }
        }
      }
    }
    this.thread = new Thread(this::watch, "hopgate-reloader");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  /** Loads everything again and swaps it in if it loads; returns whether it did. */
  synchronized boolean reload(String why) {
    PolicySnapshot next;
    try {
      next = snapshots.load();
    } catch (StartupException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.ERROR,
          "reload ({0}) rejected, revision {1} keeps serving: {2}",
          why,
          current.get().snapshot().revision(),
          e.getMessage());
      return false;
    }
    DecisionPoint previous = current.get();
    current.set(previous.withSnapshot(next));
    LOG.log(
        System.Logger.Level.INFO,
        "reloaded ({0}): serving revision {1} (policy {2}), was {3}",
        why,
        next.revision(),
        next.policy().revision(),
        previous.snapshot().revision());
    return true;
  }

  private void watch() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        drain(key);
        // Fold a burst of changes into one reload.
        WatchKey more;
        while ((more = watcher.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
          drain(more);
        }
        reload("files changed");
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // Closing.
    }
  }

  private static void drain(WatchKey key) {
    key.pollEvents();
    key.reset();
  }

  @Override
  public void close() throws IOException {
    thread.interrupt();
    watcher.close();
  }
}
