package dev.hopgate.pdp.engine.cedar;

import com.cedarpolicy.model.entity.Entity;
import com.cedarpolicy.value.EntityUID;
import com.cedarpolicy.value.Value;
import java.util.Map;
import java.util.Set;

/** A Cedar authorization request with the entities it needs. */
record CedarRequest(
    EntityUID principal,
    EntityUID action,
    EntityUID resource,
    Map<String, Value> context,
    Set<Entity> entities) {}
