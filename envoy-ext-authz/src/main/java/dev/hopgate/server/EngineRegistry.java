package dev.hopgate.server;

import dev.hopgate.pdp.engine.PolicyEngine;
import dev.hopgate.pdp.engine.cedar.CedarEngine;
import dev.hopgate.pdp.engine.rego.OpaServerEngine;
import dev.hopgate.pdp.engine.rego.OpaWasmEngine;
import dev.hopgate.server.config.Choice;
import dev.hopgate.server.config.HopgateConfig;
import java.net.URI;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The policy engines this build runs, by their configuration name: where each finds its policy
 * sources and how it is made. The server and the policy commands both prepare engines from here.
 */
public final class EngineRegistry {
  private EngineRegistry() {}

  /** What engines need besides their sources. */
  public record Settings(
      int wasmPoolSize, Duration wasmTimeout, String opaUrl, Duration opaTimeout) {
    public static Settings of(HopgateConfig config) {
      return new Settings(
          config.opaWasm().poolSize(),
          config.opaWasm().timeout(),
          config.opaServer().url(),
          config.opaServer().timeout());
    }
  }

  /**
   * One engine.
   *
   * @param sourcesField the configuration field naming its policy sources
   */
  public record Registration(
      String sourcesField,
      Function<HopgateConfig.Policies, @Nullable String> sources,
      Function<Settings, PolicyEngine> factory) {
    /** Where its policy sources are, or null when the configuration does not say. */
    public @Nullable String sourcesIn(HopgateConfig.Policies policies) {
      return sources.apply(policies);
    }

    public PolicyEngine create(Settings settings) {
      return factory.apply(settings);
    }
  }

  private static final Map<Choice.Engine, Registration> ENGINES =
      new EnumMap<>(
          Map.of(
              Choice.Engine.CEDAR,
              new Registration(
                  "policies.cedar", HopgateConfig.Policies::cedar, s -> new CedarEngine()),
              Choice.Engine.OPA_WASM,
              new Registration(
                  "policies.wasm",
                  HopgateConfig.Policies::wasm,
                  s -> new OpaWasmEngine(s.wasmPoolSize(), s.wasmTimeout())),
              Choice.Engine.OPA_SERVER,
              new Registration(
                  "policies.rego",
                  HopgateConfig.Policies::rego,
                  s -> new OpaServerEngine(URI.create(s.opaUrl()), s.opaTimeout()))));

  /**
   * @throws IllegalArgumentException for {@code shadow}, which pairs two engines and is none
   */
  public static Registration of(Choice.Engine engine) {
    Registration registration = ENGINES.get(engine);
    if (registration == null) {
      throw new IllegalArgumentException(
          "'"
              + engine.wireName()
              + "' is not an engine (expected: "
              + Choice.names(engines())
              + ")");
    }
    return registration;
  }

  /**
   * The engine called {@code name} (as {@code engine:} and {@code --engine} name it).
   *
   * @throws IllegalArgumentException naming the engines there are
   */
  public static Registration named(String name) {
    for (Choice.Engine engine : engines()) {
      if (engine.wireName().equals(name)) {
        return of(engine);
      }
    }
    throw new IllegalArgumentException(
        "'" + name + "' (expected: " + Choice.names(engines()) + ")");
  }

  /** The engines that decide on their own (every choice but {@code shadow}). */
  public static List<Choice.Engine> engines() {
    return List.copyOf(ENGINES.keySet());
  }
}
