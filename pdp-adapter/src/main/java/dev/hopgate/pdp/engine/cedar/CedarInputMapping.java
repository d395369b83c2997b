package dev.hopgate.pdp.engine.cedar;

import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.value.CedarList;
import com.cedarpolicy.value.EntityTypeName;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.PrimBool;
import com.cedarpolicy.value.PrimLong;
import com.cedarpolicy.value.PrimString;
import com.cedarpolicy.value.Value;
import dev.hopgate.pdp.input.Freshness;
import dev.hopgate.pdp.input.InputDocument;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one mapping from the input document to a Cedar request (docs/input-document.md, "Cedar
 * mapping"): principal {@code Hopgate::Principal::"<origin principal>"}, action {@code
 * Hopgate::Action::"perform"}, resource {@code Hopgate::Step::"<step IRI>"}, and the rest of the
 * document flattened into the context as strings, booleans, longs and sets of strings.
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
    context.put("step", new PrimString(input.hop().step()));
    context.put("method", new PrimString(input.hop().method()));
    context.put("path", new PrimString(input.hop().path()));
    if (input.hop().caller() != null) {
      context.put("caller", new PrimString(input.hop().caller()));
    }
    context.put("txn", new PrimString(input.origin().txn()));
    context.put("origin_workload", new PrimString(input.origin().workload()));
    context.put("now", new PrimLong(input.now()));
    context.put("authority", set(input.authority()));
    context.put("intent_declared", new PrimBool(input.intent().declared()));
    if (input.intent().process() != null) {
      context.put("intent_process", new PrimString(input.intent().process()));
    }
    context.put("intent_steps", set(input.intent().steps()));
    context.put("prerequisites", set(input.intent().prerequisites()));
    context.put("manifest_present", new PrimBool(input.manifest().present()));
    context.put("performs", set(input.manifest().performs()));
    context.put("does_not_perform", set(input.manifest().doesNotPerform()));
    context.put("expects_completed", set(input.manifest().expectsCompleted()));
    List<String> completed = new ArrayList<>();
    input.completed().forEach(c -> completed.add(c.step()));
    context.put("completed", set(completed));
    context.put("started", set(input.started()));
    // Cedar has no quantifiers over records: the windows and spent approvals arrive as sets of
    // steps
    // (Freshness), and the policies decide what they mean for this step's prerequisites.
    context.put("stale", set(Freshness.stale(input)));
    context.put("spent", set(Freshness.spent(input)));
    context.put("usage", new PrimLong(input.usage().count()));
    if (input.usage().max() != null) {
      context.put("budget", new PrimLong(input.usage().max()));
    }
    context.put("chain_length", new PrimLong(input.chain().size()));
    List<String> components = new ArrayList<>();
    input.chain().forEach(l -> components.add(l.component()));
    context.put("chain_components", set(components));

    Set<Entity> entities = Set.of(new Entity(principal), new Entity(resource), new Entity(PERFORM));
    return new CedarRequest(principal, PERFORM, resource, context, entities);
  }

  private static CedarList set(Collection<String> values) {
    List<Value> items = new ArrayList<>();
    for (String v : new LinkedHashSet<>(values)) {
      items.add(new PrimString(v));
    }
    return new CedarList(items);
  }

  private static EntityTypeName type(String name) {
    return EntityTypeName.parse(name)
        .orElseThrow(() -> new IllegalStateException("not a Cedar entity type name: " + name));
  }
}
