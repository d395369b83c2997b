package dev.hopgate.pdp.engine.cedar;

import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import dev.hopgate.pdp.input.InputDocument;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The one mapping from the input document to a Cedar request (documented in docs/input-document.md):
 * principal {@code Hopgate::Principal::"<origin principal>"}, action
 * {@code Hopgate::Action::"perform"}, resource {@code Hopgate::Step::"<step IRI>"}, and the rest of
 * the document in the context.
 */
final class CedarInputMapping {
  private static final EntityTypeName PRINCIPAL = type("Hopgate::Principal");
  private static final EntityTypeName ACTION = type("Hopgate::Action");
  private static final EntityTypeName STEP = type("Hopgate::Step");
  private static final EntityUID PERFORM = ACTION.of("perform");

  private CedarInputMapping() {}

  static CedarRequest map(InputDocument input) {
    EntityUID principal = PRINCIPAL.of(input.origin().principal());
    EntityUID resource = STEP.of(input.hop().step());

    Map<String, Value> context = new HashMap<>();
    context.put("component", new PrimString(input.hop().component()));
    context.put("method", new PrimString(input.hop().method()));
    context.put("path", new PrimString(input.hop().path()));
    if (input.hop().caller() != null) {
      context.put("caller", new PrimString(input.hop().caller()));
    }
    context.put("txn", new PrimString(input.origin().txn()));
    context.put("now", new PrimLong(input.now().getEpochSecond()));

    Set<Entity> entities = Set.of(new Entity(principal), new Entity(resource), new Entity(PERFORM));
    return new CedarRequest(principal, PERFORM, resource, context, entities);
  }

  private static EntityTypeName type(String name) {
    return EntityTypeName.parse(name).orElseThrow(
        () -> new IllegalStateException("not a Cedar entity type name: " + name));
  }
}
