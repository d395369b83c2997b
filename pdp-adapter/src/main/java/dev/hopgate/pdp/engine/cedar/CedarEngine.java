package dev.hopgate.pdp.engine.cedar;

import com.cedarpolicy.AuthorizationEngine;
import com.cedarpolicy.BasicAuthorizationEngine;
import com.cedarpolicy.model.DetailedError;
import com.cedarpolicy.model.Effect;
import com.cedarpolicy.model.ValidationRequest;
import com.cedarpolicy.model.ValidationResponse;
import com.cedarpolicy.model.exception.AuthException;
import com.cedarpolicy.model.exception.CacheException;
import com.cedarpolicy.model.policy.Policy;
import com.cedarpolicy.model.policy.PolicySet;
import com.cedarpolicy.model.schema.Schema;
import dev.hopgate.pdp.engine.PolicyEngine;
import dev.hopgate.pdp.engine.PolicyLoadException;
import dev.hopgate.pdp.engine.PolicySources;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.problem.DisclosureLevel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * Cedar, in process through cedar-java: a directory of {@code *.cedar} policies and one {@code
 * *.cedarschema}, validated against the schema at load and cached natively.
 *
 * <p>Every {@code forbid} must carry {@code @gate} and {@code @code} annotations, since a denial
 * that cannot say which gate failed cannot be repaired; a set without them does not load.
 */
public final class CedarEngine implements PolicyEngine {
  public static final String NAME = "cedar";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PreparedPolicy prepare(Path directory) throws PolicyLoadException {
    Map<Path, String> policyFiles = PolicySources.read(directory, ".cedar");
    Map<Path, String> schemaFiles = PolicySources.read(directory, ".cedarschema");
    if (policyFiles.isEmpty()) {
      throw new PolicyLoadException("policies " + directory + ": no *.cedar file");
    }
    if (schemaFiles.size() != 1) {
      throw new PolicyLoadException(
          "policies "
              + directory
              + ": "
              + schemaFiles.size()
              + " *.cedarschema files (expected: exactly one)");
    }

    List<String> problems = new ArrayList<>();
    Set<Policy> policies = new HashSet<>();
    Map<String, PolicyAnnotations> annotations = new HashMap<>();
    for (Map.Entry<Path, String> file : policyFiles.entrySet()) {
      parse(file.getKey(), file.getValue(), policies, annotations, problems);
    }
    Map.Entry<Path, String> schemaFile = schemaFiles.entrySet().iterator().next();
    @Nullable Schema schema = null;
    try {
      schema = Schema.parse(Schema.JsonOrCedar.Cedar, schemaFile.getValue());
    } catch (AuthException | RuntimeException e) {
      problems.add(schemaFile.getKey() + ": schema does not parse: " + message(e));
    }
    if (!problems.isEmpty()) {
      throw new PolicyLoadException(problems);
    }

    AuthorizationEngine engine = new BasicAuthorizationEngine();
    PolicySet policySet = new PolicySet(policies);
    // A schema that did not parse is a problem, and problems refused the set above.
    validate(engine, Objects.requireNonNull(schema), policySet, schemaFile.getKey());
    try {
      policySet.cache();
    } catch (CacheException e) {
      throw new PolicyLoadException(
          "policies " + directory + ": cannot cache the policy set: " + e.getMessage());
    }
    Map<Path, String> all = new TreeMap<>(policyFiles);
    all.putAll(schemaFiles);
    return new CedarPreparedPolicy(engine, policySet, annotations, PolicySources.revision(all));
  }

  private static void parse(
      Path file,
      String source,
      Set<Policy> policies,
      Map<String, PolicyAnnotations> annotations,
      List<String> problems) {
    PolicySet parsed;
    try {
      parsed = PolicySet.parsePolicies(source);
    } catch (AuthException | RuntimeException e) {
      problems.add(file + ": does not parse: " + message(e));
      return;
    }
    if (!parsed.templates.isEmpty()) {
      problems.add(file + ": holds templates (expected: static policies only)");
    }
    int index = 0;
    for (Policy policy : parsed.policies) {
      index++;
      try {
        Map<String, String> notes = policy.getAnnotations();
        String id = notes.getOrDefault("id", file.getFileName() + "#" + index);
        String where = file + " policy '" + id + "'";
        if (annotations.containsKey(id)) {
          problems.add(where + ": @id is used twice (expected: unique ids)");
          continue;
        }
        boolean forbid = policy.effect() == Effect.FORBID;
        String gate = notes.get("gate");
        String code = notes.get("code");
        if (forbid && (gate == null || code == null)) {
          problems.add(
              where + ": a forbid needs @gate and @code, so its denial can name what failed");
          continue;
        }
        Gate parsedGate = null;
        if (gate != null) {
          try {
            parsedGate = Gate.fromWireName(gate);
          } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
            continue;
          }
        }
        String disclosure = notes.getOrDefault("disclosure", "full");
        if (DisclosureLevel.named(disclosure).isEmpty()) {
          problems.add(
              where
                  + ": @disclosure(\""
                  + disclosure
                  + "\") (expected: full, minimal or undisclosed)");
          continue;
        }
        policies.add(new Policy(policy.getSource(), id));
        annotations.put(
            id,
            new PolicyAnnotations(
                forbid, parsedGate, code, DisclosureLevel.named(disclosure).get()));
      } catch (AuthException e) {
        problems.add(file + " policy #" + index + ": " + message(e));
      }
    }
  }

  private static void validate(
      AuthorizationEngine engine, Schema schema, PolicySet policySet, Path schemaFile)
      throws PolicyLoadException {
    ValidationResponse response;
    try {
      response = engine.validate(new ValidationRequest(schema, policySet));
    } catch (AuthException e) {
      throw new PolicyLoadException(
          "policies: validation against " + schemaFile + " failed: " + message(e));
    }
    if (response.validationPassed()) {
      return;
    }
    List<String> problems = new ArrayList<>();
    response.errors.ifPresent(errors -> errors.forEach(e -> problems.add(describe(e))));
    response.success.ifPresent(
        success ->
            success.validationErrors.forEach(
                e ->
                    problems.add(
                        "policy '"
                            + e.getPolicyId()
                            + "' does not validate against "
                            + schemaFile
                            + ": "
                            + describe(e.getError()))));
    if (problems.isEmpty()) {
      problems.add("policies do not validate against " + schemaFile);
    }
    throw new PolicyLoadException(problems);
  }

  private static String describe(DetailedError error) {
    return error.message + error.help.map(h -> " (" + h + ")").orElse("");
  }

  static String message(Exception e) {
    if (e instanceof AuthException auth && auth.message.isPresent()) {
      return auth.message.get();
    }
    return String.valueOf(e.getMessage());
  }

  /** The annotations hopgate reads from a policy. */
  record PolicyAnnotations(
      boolean forbid, @Nullable Gate gate, @Nullable String code, DisclosureLevel disclosure) {}
}
