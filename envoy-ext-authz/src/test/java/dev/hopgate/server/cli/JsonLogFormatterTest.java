package dev.hopgate.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
  @Test
  void aRecordAboutADecision_carriesItsId() throws Exception {
    LogRecord record = new LogRecord(Level.WARNING, "decision {0}: {1}");
    record.setParameters(
        new Object[] {"01a206db-5d4f-7470-9c78-a77e5eb30375", "opa-server: timeout"});
    record.setLoggerName("dev.hopgate.pdp.DecisionPoint");
    JsonNode line = new ObjectMapper().readTree(new JsonLogFormatter().format(record));

    assertThat(line.get("level").asText()).isEqualTo("WARNING");
    assertThat(line.get("decision_id").asText()).isEqualTo("01a206db-5d4f-7470-9c78-a77e5eb30375");
    assertThat(line.get("msg").asText()).endsWith("opa-server: timeout");
  }

  @Test
  void otherRecords_haveNoDecisionId() throws Exception {
    LogRecord record = new LogRecord(Level.INFO, "hopgate stopped");
    JsonNode line = new ObjectMapper().readTree(new JsonLogFormatter().format(record));
    assertThat(line.has("decision_id")).isFalse();
  }
}
