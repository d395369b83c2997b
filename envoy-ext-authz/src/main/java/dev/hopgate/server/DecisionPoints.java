package dev.hopgate.server;

import dev.hopgate.pdp.DecisionPoint;
import dev.hopgate.pdp.engine.PolicyEngine;
import dev.hopgate.pdp.engine.PolicyLoadException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwksFileKeySource;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.server.config.ConfigLoader;
import dev.hopgate.server.config.HopgateConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.stream.Collectors;

/** Builds a decision point from a configuration: keys, trust sets, the prepared policy. */
final class DecisionPoints {
  private DecisionPoints() {}

  static DecisionPoint build(ConfigLoader.Loaded loaded, Clock clock) throws StartupException {
    HopgateConfig config = loaded.config();
    HopgateConfig.TokenService ts = config.trust().tokenService();
    JwksFileKeySource keys;
    try {
      keys = JwksFileKeySource.load(loaded.path(ts.jwks()), ts.minRefreshInterval(), ts.maxStaleness(), clock);
    } catch (IllegalArgumentException e) {
      throw new StartupException("trust.token_service.jwks: " + e.getMessage(), e);
    }
    TrustSet trust = new TrustSet("token-service", new HashSet<>(ts.issuers()),
        ts.algorithms().stream().map(TrustSet::algorithm).collect(Collectors.toSet()), keys);
    HopTokenVerifier verifier = new HopTokenVerifier(trust, config.clockSkew(), ts.maxTokenLifetime(), clock);

    PolicyEngine engine = switch (config.engine()) {
      case CedarEngine.NAME -> new CedarEngine();
      default -> throw new StartupException("engine: '" + config.engine() + "' is not available");
    };
    Path policies = loaded.path(config.policies().cedar());
    PreparedPolicy policy;
    try {
      policy = engine.prepare(policies);
    } catch (PolicyLoadException e) {
      throw new StartupException("policies.cedar: " + policies + " does not load:\n  "
          + String.join("\n  ", e.problems()), e);
    }
    return new DecisionPoint(verifier, policy, clock, ts.endpoint());
  }
}
