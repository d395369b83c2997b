package dev.hopgate.server.config;

import static java.util.Objects.requireNonNullElse;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How ext_proc knows a decision was this enforcement point's: every ALLOW carries an authenticator
 * (HMAC-SHA256) over the metadata ext_proc reads, under a key of {@code keys} (a JWK set of {@code
 * oct} keys: the first signs, every one verifies, so a key can be rotated); a tuple older than
 * {@code max_age} mints nothing. Without {@code keys}, a key is generated at start: right for one
 * hopgate, wrong for replicas (each would refuse the others' tuples).
 */
public record Completion(@Nullable String keys, @JsonProperty("max_age") Duration maxAge) {
  public Completion(@Nullable String keys, @JsonProperty("max_age") @Nullable Duration maxAge) {
    this.keys = keys;
    // At least the longest route timeout: a response takes that long to come back (Envoy's route
    // default is 15 s; a streamed MCP tool call can take minutes).
    this.maxAge =
        Durations.within(
            "max_age",
            requireNonNullElse(maxAge, Duration.ofMinutes(5)),
            Duration.ofSeconds(1),
            Duration.ofDays(1));
  }
}
