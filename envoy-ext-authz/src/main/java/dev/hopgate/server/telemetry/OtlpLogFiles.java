package dev.hopgate.server.telemetry;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Reads back the decision records a receiver kept as OTLP JSON (the OpenTelemetry Collector's file
 * exporter: one {@code ExportLogsServiceRequest} per line) into a decision log, in sequence order,
 * each record's line exactly as hopgate wrote it, so {@code hopgate log verify} checks it as it
 * checks hopgate's own file. A record received twice (a retried batch) is kept once; two different
 * records at one sequence are a conflict, refused.
 */
public final class OtlpLogFiles {
  private static final ObjectMapper JSON = new ObjectMapper();

  static {
    // A batch of 512 records with full input documents is a long line.
    JSON.getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder().maxStringLength(256 * 1024 * 1024).build());
  }

  private OtlpLogFiles() {}

  /** What was read: the records of one enforcement point, by sequence. */
  public record Read(String enforcementPoint, TreeMap<Long, String> records, long duplicates) {
    /** The sequences missing between the first and the last record received. */
    public List<String> gaps() {
      List<String> gaps = new ArrayList<>();
      long expected = 1;
      for (long sequence : records.keySet()) {
        if (sequence > expected) {
          gaps.add(expected == sequence - 1 ? "" + expected : expected + ".." + (sequence - 1));
        }
        expected = sequence + 1;
      }
      return gaps;
    }
  }

  /** A receiver's files that do not read as one enforcement point's records. */
  public static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message);
    }
  }

  /**
   * Reads {@code files}, keeping the records of {@code enforcementPoint} (null: the only one the
   * files hold).
   */
  public static Read read(List<Path> files, @Nullable String enforcementPoint)
      throws IOException, Unreadable {
    Map<String, TreeMap<Long, String>> byPoint = new TreeMap<>();
    long duplicates = 0;
    for (Path file : files) {
      try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        String line;
        int n = 0;
        while ((line = in.readLine()) != null) {
          n++;
          if (line.isBlank()) {
            continue;
          }
          JsonNode request;
          try {
            request = JSON.readTree(line);
          } catch (IOException e) {
            throw new Unreadable(file + " line " + n + ": not OTLP JSON (" + e.getMessage() + ")");
          }
          for (JsonNode resourceLogs : request.path("resourceLogs")) {
            String point = attribute(resourceLogs.path("resource"), "hopgate.enforcement_point");
            for (JsonNode scopeLogs : resourceLogs.path("scopeLogs")) {
              if (!EvidenceExporter.SCOPE.equals(scopeLogs.path("scope").path("name").asText())) {
                continue;
              }
              for (JsonNode record : scopeLogs.path("logRecords")) {
                String sequenceText = attribute(record, EvidenceExporter.SEQUENCE.getKey());
                String body = record.path("body").path("stringValue").asText(null);
                if (point == null || sequenceText == null || body == null) {
                  throw new Unreadable(
                      file
                          + " line "
                          + n
                          + ": a decision record without its enforcement point, sequence or body");
                }
                long sequence;
                try {
                  sequence = Long.parseLong(sequenceText);
                } catch (NumberFormatException e) {
                  throw new Unreadable(file + " line " + n + ": sequence '" + sequenceText + "'");
                }
                checkBody(
                    file,
                    n,
                    point,
                    sequence,
                    attribute(record, EvidenceExporter.HASH.getKey()),
                    body);
                String before =
                    byPoint
                        .computeIfAbsent(point, p -> new TreeMap<>())
                        .putIfAbsent(sequence, body);
                if (before != null) {
                  if (!before.equals(body)) {
                    throw new Unreadable(
                        "two different records of "
                            + point
                            + " at sequence "
                            + sequence
                            + " (a forked or forged log)");
                  }
                  duplicates++;
                }
              }
            }
          }
        }
      }
    }
    if (byPoint.isEmpty()) {
      throw new Unreadable("no hopgate decision records in " + files);
    }
    String point = enforcementPoint;
    if (point == null) {
      if (byPoint.size() > 1) {
        throw new Unreadable(
            "records of "
                + byPoint.size()
                + " enforcement points "
                + byPoint.keySet()
                + ": name one (--enforcement-point); each has its own chain");
      }
      point = byPoint.keySet().iterator().next();
    }
    TreeMap<Long, String> records = byPoint.get(point);
    if (records == null) {
      Set<String> present = new TreeSet<>(byPoint.keySet());
      throw new Unreadable("no records of " + point + " (the files hold " + present + ")");
    }
    return new Read(point, records, duplicates);
  }

  /**
   * A body must be one record line whose sequence and hash are the attributes it travelled with,
   * and a checkpoint must be signed as the enforcement point its resource names: a relabelled or
   * spliced record is refused here, before log verify reads it.
   */
  private static void checkBody(
      Path file, int n, String point, long sequence, @Nullable String hash, String body)
      throws Unreadable {
    String where = file + " line " + n + ", sequence " + sequence + ": ";
    if (body.indexOf('\n') >= 0 || body.indexOf('\r') >= 0) {
      throw new Unreadable(where + "a body of more than one line");
    }
    JsonNode record;
    try {
      record = JSON.readTree(body);
    } catch (IOException e) {
      throw new Unreadable(where + "a body that is not a record");
    }
    if (record == null
        || record.path("sequence").asLong(-1) != sequence
        || hash == null
        || !hash.equals(record.path("hash").asText())) {
      throw new Unreadable(where + "its body is not the record its attributes name");
    }
    if (dev.hopgate.pdp.evidence.Checkpoints.EVENT_TYPE.equals(
        record.path("event_type").asText())) {
      String issuer;
      try {
        issuer =
            com.nimbusds.jwt.SignedJWT.parse(record.path("payload").path("jws").asText())
                .getJWTClaimsSet()
                .getIssuer();
      } catch (java.text.ParseException e) {
        throw new Unreadable(where + "a checkpoint whose signature does not parse");
      }
      if (!point.equals(issuer)) {
        throw new Unreadable(
            where + "a checkpoint signed as " + issuer + " but sent as " + point + " (relabelled)");
      }
    }
  }

  /** An attribute's value as text (OTLP JSON writes an int64 as a string), or null. */
  private static @Nullable String attribute(JsonNode holder, String key) {
    for (JsonNode attribute : holder.path("attributes")) {
      if (key.equals(attribute.path("key").asText())) {
        JsonNode value = attribute.path("value");
        for (String kind : new String[] {"stringValue", "intValue"}) {
          if (value.has(kind)) {
            return value.get(kind).asText();
          }
        }
      }
    }
    return null;
  }
}
