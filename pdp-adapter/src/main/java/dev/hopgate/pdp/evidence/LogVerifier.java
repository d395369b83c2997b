package dev.hopgate.pdp.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Verifies a decision log: every record's hash, every {@code prev_hash} link, sequences rising by
 * one. Reports the first record where the chain breaks and how, so an altered, removed, reordered
 * or truncated record is found at its sequence number.
 */
public final class LogVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param firstBadSequence the sequence number at which the chain breaks, or null when intact
   * @param problem what is wrong there, or null
   */
  public record Result(
      long records,
      @Nullable Long firstBadSequence,
      @Nullable Integer line,
      @Nullable String problem) {
    public boolean intact() {
      return problem == null;
    }
  }

  private LogVerifier() {}

  public static Result verify(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    String prev = DecisionRecords.GENESIS;
    long expected = 1;
    long count = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (IOException e) {
        return new Result(
            count, expected, i + 1, "line " + (i + 1) + " is not JSON (truncated or edited)");
      }
      long sequence = node.path("sequence").asLong(-1);
      if (sequence != expected) {
        boolean later = false;
        for (String rest : lines.subList(i + 1, lines.size())) {
          later |= rest.contains("\"sequence\":" + expected + ",");
        }
        String how =
            later || sequence < expected
                ? "record " + expected + " is out of order (reordered)"
                : "record " + expected + " is missing (removed)";
        return new Result(count, expected, i + 1, how);
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> record = JSON.convertValue(node, Map.class);
      if (!prev.equals(node.path("prev_hash").asText())) {
        return new Result(
            count,
            sequence,
            i + 1,
            "record " + sequence + " does not link to the record before it");
      }
      if (!DecisionRecords.hash(record).equals(node.path("hash").asText())) {
        return new Result(
            count,
            sequence,
            i + 1,
            "record " + sequence + " was altered (its hash does not match)");
      }
      prev = node.path("hash").asText();
      expected++;
      count++;
    }
    return new Result(count, null, null, null);
  }
}
