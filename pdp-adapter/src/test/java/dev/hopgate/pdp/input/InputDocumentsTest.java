package dev.hopgate.pdp.input;

import static dev.hopgate.pdp.floor.ChainFixture.INVENTORY;
import static dev.hopgate.pdp.floor.ChainFixture.NOW;
import static dev.hopgate.pdp.floor.ChainFixture.PAYMENTS;
import static dev.hopgate.pdp.floor.ChainFixture.RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.floor.VerifiedFacts;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessDefinitions;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The document engines read, built from verified facts, checked against the committed schema. */
class InputDocumentsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonSchema SCHEMA;

  static {
    try {
      SCHEMA =
          JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
              .getSchema(
                  JSON.readTree(Path.of("..", "docs", "input-document.schema.json").toFile()));
    } catch (java.io.IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ChainFixture f = new ChainFixture();

  @Test
  void thirdHopWithDeclaredIntent_conformsToTheSchema() throws Exception {
    VerifiedFacts facts =
        f.floor()
            .verify(
                f.request(
                    f.hop(PAYMENTS),
                    f.origin(),
                    f.validChain(),
                    List.of(f.completion(INVENTORY, RESERVE, f.txn)),
                    INVENTORY),
                PAYMENTS,
                true,
                f.manifests,
                NOW);
    ProcessDefinition checkout =
        ProcessDefinitions.load(Path.of("..", "policies", "processes", "checkout.process.yaml"));
    InputDocument doc =
        InputDocuments.build(
            new InputDocument.Hop(
                PAYMENTS, "urn:shop:step:charge-card", "POST", "/charge", INVENTORY),
            facts,
            checkout,
            NOW);
    JsonNode json = JSON.valueToTree(InputDocuments.toMap(doc));

    assertThat(SCHEMA.validate(json)).isEmpty();
    assertThat(json.at("/intent/prerequisites")).hasSize(2);
    assertThat(json.at("/completed/0/step").asText()).isEqualTo(RESERVE);
    assertThat(json.at("/started")).extracting(JsonNode::asText).containsExactly(ChainFixture.PLAN);
    assertThat(json.at("/authority"))
        .extracting(JsonNode::asText)
        .containsExactly(ChainFixture.CHARGE, RESERVE);
  }

  @Test
  void firstHopWithImplicitIntent_takesTheComponentsPerformsAsIntent() throws Exception {
    VerifiedFacts facts =
        f.floor()
            .verify(
                f.request(
                    f.hop(INVENTORY, "alice@shop.example", f.txn, null),
                    f.origin(ChainFixture.PLANNER, null, java.util.Set.of(RESERVE)),
                    List.of(),
                    List.of(),
                    ChainFixture.PLANNER),
                INVENTORY,
                true,
                f.manifests,
                NOW);
    InputDocument doc =
        InputDocuments.build(
            new InputDocument.Hop(INVENTORY, RESERVE, "POST", "/", null), facts, null, NOW);
    JsonNode json = JSON.valueToTree(InputDocuments.toMap(doc));

    assertThat(SCHEMA.validate(json)).isEmpty();
    assertThat(json.at("/intent/declared").asBoolean()).isFalse();
    assertThat(json.at("/intent/steps")).extracting(JsonNode::asText).containsExactly(RESERVE);
    assertThat(json.at("/hop").has("caller")).isFalse();
  }
}
