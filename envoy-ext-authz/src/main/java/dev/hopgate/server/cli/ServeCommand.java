package dev.hopgate.server.cli;

import dev.hopgate.server.HopgateServer;
import dev.hopgate.server.StartupException;
import dev.hopgate.server.config.ConfigException;
import dev.hopgate.server.config.ConfigLoader;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hopgate serve}: loads the configuration, then serves until SIGTERM or SIGINT, when it
 * drains in-flight checks. Flags override environment variables, which override the file.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = "Serve Envoy's ext_authz Check (gRPC) until stopped.")
final class ServeCommand implements Callable<Integer> {
  private static volatile boolean serving;

  @Option(
      names = "--config",
      defaultValue = "${env:HOPGATE_CONFIG}",
      required = true,
      description = "Configuration file (YAML). Env: HOPGATE_CONFIG.")
  Path config;

  @Option(
      names = "--listen",
      defaultValue = "${env:HOPGATE_LISTEN}",
      description = "host:port for gRPC. Env: HOPGATE_LISTEN.")
  String listen;

  @Option(
      names = "--engine",
      defaultValue = "${env:HOPGATE_ENGINE}",
      description = "Policy engine: cedar, opa-wasm, opa-server or shadow. Env: HOPGATE_ENGINE.")
  String engine;

  @Option(
      names = "--clock-skew",
      defaultValue = "${env:HOPGATE_CLOCK_SKEW}",
      description = "Clock skew tolerance, as in 30s. Env: HOPGATE_CLOCK_SKEW.")
  String clockSkew;

  @Option(
      names = "--policies",
      defaultValue = "${env:HOPGATE_POLICIES}",
      description = "Cedar policy directory. Env: HOPGATE_POLICIES.")
  String policies;

  @Option(
      names = "--token-jwks",
      defaultValue = "${env:HOPGATE_TOKEN_JWKS}",
      description = "JWKS file of the token service. Env: HOPGATE_TOKEN_JWKS.")
  String tokenJwks;

  @Option(
      names = "--set",
      description = "Override any field: --set trust.token_service.max_staleness=30s")
  Map<String, String> set = new LinkedHashMap<>();

  static boolean isServing() {
    return serving;
  }

  /** A long-running command: main must not exit when call() returns control to it. */
  static void markServing() {
    serving = true;
  }

  @Override
  public Integer call() throws Exception {
    Map<String, String> overrides = new LinkedHashMap<>();
    put(overrides, "listen", listen);
    put(overrides, "engine", engine);
    put(overrides, "clock_skew", clockSkew);
    put(overrides, "policies.cedar", policies);
    put(overrides, "trust.token_service.jwks", tokenJwks);
    overrides.putAll(set);

    HopgateServer server;
    try {
      server = HopgateServer.start(ConfigLoader.load(config, overrides), Clock.systemUTC());
    } catch (ConfigException e) {
      throw new CliException(e.getMessage(), 2);
    } catch (StartupException e) {
      throw new CliException(e.getMessage(), 1);
    }
    serving = true;
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "hopgate-shutdown"));
    server.awaitTermination();
    return 0;
  }

  private static void put(Map<String, String> overrides, String key, String value) {
    if (value != null && !value.isEmpty()) {
      overrides.put(key, value);
    }
  }
}
