package dev.hopgate.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;

/**
 * One JSON object per log line ({@code HOPGATE_LOG_FORMAT=json}): time, level, logger, message, and
 * the decision id when the record is about a decision (hopgate's messages about a decision start
 * with {@code decision <id>}), so a collector can join logs, decision records and access logs.
 */
final class JsonLogFormatter extends Formatter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DECISION =
      Pattern.compile("^decision ([0-9a-f-]{36})\\b.*", Pattern.DOTALL);

  @Override
  public String format(LogRecord record) {
    String message = formatMessage(record);
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("ts", Instant.ofEpochMilli(record.getMillis()).toString());
    line.put("level", record.getLevel().getName());
    line.put("logger", record.getLoggerName());
    line.put("msg", message);
    var m = DECISION.matcher(message);
    if (m.matches()) {
      line.put("decision_id", m.group(1));
    }
    if (record.getThrown() != null) {
      line.put("error", record.getThrown().toString());
    }
    try {
      return JSON.writeValueAsString(line) + System.lineSeparator();
    } catch (JsonProcessingException e) {
      return "{\"msg\":\"unloggable record\"}" + System.lineSeparator();
    }
  }
}
