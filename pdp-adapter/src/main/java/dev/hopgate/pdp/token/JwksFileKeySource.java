package dev.hopgate.pdp.token;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Public keys from a JWKS file, loaded at start (a bad file refuses to start) and reloaded when the
 * loaded keys are older than the maximum staleness (so a removed key stops verifying within it), or
 * when a token names an unknown {@code kid}, at most once per refresh interval so that a flood of
 * forged {@code kid}s cannot turn into a flood of file reads. A reload that fails keeps the last
 * good keys and says so in the log.
 */
public final class JwksFileKeySource implements KeySource {
  private static final System.Logger LOG = System.getLogger(JwksFileKeySource.class.getName());

  private final Path path;
  private final Duration minRefreshInterval;
  private final Duration maxStaleness;
  private final Clock clock;
  private final AtomicReference<KeySet> keys;
  private String loadedContent; // guarded by this
  private volatile Instant lastRefresh;

  private JwksFileKeySource(
      Path path,
      Duration minRefreshInterval,
      Duration maxStaleness,
      Clock clock,
      String content,
      KeySet initial) {
    this.path = path;
    this.minRefreshInterval = minRefreshInterval;
    this.maxStaleness = maxStaleness;
    this.clock = clock;
    this.loadedContent = content;
    this.keys = new AtomicReference<>(initial);
    this.lastRefresh = clock.instant();
  }

  /**
   * Loads a JWKS file.
   *
   * @throws IllegalArgumentException naming the file and what is wrong with it
   */
  public static JwksFileKeySource load(
      Path path, Duration minRefreshInterval, Duration maxStaleness, Clock clock) {
    requireNonNull(path, "path");
    requireNonNull(minRefreshInterval, "minRefreshInterval");
    requireNonNull(maxStaleness, "maxStaleness");
    requireNonNull(clock, "clock");
    String content = read(path);
    return new JwksFileKeySource(
        path, minRefreshInterval, maxStaleness, clock, content, parse(path, content, 1));
  }

  @Override
  public KeySet current() {
    return keys.get();
  }

  @Override
  public Optional<TrustedKey> find(String kid) {
    if (isStale()) {
      refreshIfOlderThan(maxStaleness);
    }
    Optional<TrustedKey> key = keys.get().find(kid);
    if (key.isPresent()) {
      return key;
    }
    refreshIfOlderThan(minRefreshInterval);
    return keys.get().find(kid);
  }

  private boolean isStale() {
    // Read without the lock: a stale read only delays the refresh to the next call.
    return clock.instant().isAfter(lastRefresh.plus(maxStaleness));
  }

  @Override
  public String describe() {
    return path.toString();
  }

  private synchronized void refreshIfOlderThan(Duration age) {
    Instant now = clock.instant();
    if (now.isBefore(lastRefresh.plus(age))) {
      return;
    }
    lastRefresh = now;
    try {
      String content = read(path);
      if (content.equals(loadedContent)) {
        return;
      }
      KeySet next = parse(path, content, keys.get().revision() + 1);
      loadedContent = content;
      keys.set(next);
      LOG.log(
          System.Logger.Level.INFO,
          "reloaded {0}: {1} keys, revision {2}",
          path,
          next.keys().size(),
          next.revision());
    } catch (IllegalArgumentException e) {
      LOG.log(System.Logger.Level.WARNING, "kept the previous keys: {0}", e.getMessage());
    }
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new IllegalArgumentException("jwks " + path + ": cannot read (" + e + ")", e);
    }
  }

  private static KeySet parse(Path path, String content, long revision) {
    return KeySets.parse("jwks " + path, content, revision);
  }
}
