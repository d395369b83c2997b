package dev.hopgate.server.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hopgate.pdp.conformance.ConformanceRunner;
import dev.hopgate.pdp.conformance.Corpus;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PolicyEngine;
import dev.hopgate.pdp.engine.PolicyLoadException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.gate.Disclosure;
import dev.hopgate.pdp.gate.Violation;
import dev.hopgate.pdp.input.InputDocument;
import dev.hopgate.pdp.input.InputDocuments;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.repair.RepairAssembler;
import dev.hopgate.pdp.route.RouteTable;
import dev.hopgate.pdp.snapshot.PolicySnapshot;
import dev.hopgate.server.EngineRegistry;
import dev.hopgate.server.config.HopgateConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hopgate eval} and {@code hopgate conformance}: what policy authors run. */
final class PolicyCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PolicyCommands() {}

  /** Where each engine's policies are, relative to the repository by default. */
  static final class Engines {
    @Option(
        names = "--cedar",
        defaultValue = "policies/cedar",
        description = "Cedar policies (default: ${DEFAULT-VALUE}).")
    Path cedar;

    @Option(
        names = "--rego",
        defaultValue = "policies/rego",
        description = "Rego policies (default: ${DEFAULT-VALUE}).")
    Path rego;

    @Option(
        names = "--wasm",
        defaultValue = "policies/target/opa/policy.wasm",
        description = "Compiled Rego (default: ${DEFAULT-VALUE}).")
    Path wasm;

    @Option(
        names = "--opa-url",
        defaultValue = "http://127.0.0.1:8181",
        description = "OPA server for opa-server (default: ${DEFAULT-VALUE}).")
    URI opaUrl;

    @Option(
        names = "--processes",
        defaultValue = "policies/processes",
        description = "Process definitions (default: ${DEFAULT-VALUE}).")
    Path processes;

    /** The engine named {@code name}, its policies prepared from these options. */
    PreparedPolicy prepare(String name) throws CliException {
      EngineRegistry.Registration registration;
      try {
        registration = EngineRegistry.named(name);
      } catch (IllegalArgumentException e) {
        throw new CliException("engine: " + e.getMessage(), 2);
      }
      HopgateConfig.Policies sources =
          new HopgateConfig.Policies(cedar.toString(), rego.toString(), wasm.toString());
      PolicyEngine engine =
          registration.create(
              new EngineRegistry.Settings(
                  1, Duration.ofSeconds(10), opaUrl.toString(), Duration.ofSeconds(10)));
      try {
        return engine.prepare(Path.of(requireNonNull(registration.sourcesIn(sources))));
      } catch (PolicyLoadException ex) {
        throw new CliException(name + ": " + String.join("\n  ", ex.problems()), 1);
      }
    }

    ProcessRegistry processRegistry() throws CliException {
      try {
        return ProcessRegistry.load(processes);
      } catch (Exception ex) {
        throw new CliException("processes: " + ex.getMessage(), 1);
      }
    }
  }

  @Command(
      name = "eval",
      mixinStandardHelpOptions = true,
      description =
          "Evaluate an input document (JSON, docs/input-document.schema.json) and print the decision.")
  static final class Eval implements Callable<Integer> {
    @Option(
        names = "--engine",
        defaultValue = "cedar",
        description = "cedar, opa-wasm or opa-server.")
    String engine;

    @picocli.CommandLine.Mixin Engines engines;

    @Parameters(paramLabel = "INPUT.json")
    Path input;

    @Override
    public Integer call() throws Exception {
      InputDocument doc;
      try {
        doc = InputDocuments.fromJson(JSON.readTree(input.toFile()));
      } catch (IllegalArgumentException | IOException e) {
        throw new CliException(input + ": " + e.getMessage(), 2);
      }
      PreparedPolicy policy = engines.prepare(engine);
      EngineDecision decision;
      try {
        decision = policy.evaluate(doc);
      } catch (EvaluationException e) {
        throw new CliException(engine + " could not decide: " + e.getMessage(), 1);
      }
      List<Violation> shown = Disclosure.apply(decision.violations());
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("engine", policy.engine());
      out.put("revision", policy.revision());
      out.put("allow", decision.allow());
      List<Map<String, Object>> violations = new ArrayList<>();
      for (Violation v : shown) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("gate", v.gate().wireName());
        m.put("code", v.code());
        m.putAll(v.details());
        violations.add(m);
      }
      out.put("violations", violations);
      if (!decision.allow()) {
        out.put(
            "repair",
            RepairAssembler.assemble(
                shown,
                doc,
                new PolicySnapshot(
                    policy,
                    ManifestRegistry.of(List.of()),
                    engines.processRegistry(),
                    RouteTable.EMPTY)));
      }
      System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
      return 0;
    }
  }

  @Command(
      name = "conformance",
      mixinStandardHelpOptions = true,
      description =
          "Run a conformance corpus on engines; exit 1 at the first disagreement or wrong answer.")
  static final class Conformance implements Callable<Integer> {
    @Option(
        names = "--engines",
        split = ",",
        defaultValue = "cedar,opa-wasm",
        description =
            "Engines to compare (default: ${DEFAULT-VALUE}; add opa-server with --opa-url).")
    List<String> engineNames;

    @picocli.CommandLine.Mixin Engines engines;

    @Parameters(paramLabel = "DIR", defaultValue = "tests/conformance")
    Path dir;

    @Override
    public Integer call() throws Exception {
      Corpus corpus = Corpus.load(dir, engines.processRegistry());
      List<PreparedPolicy> prepared = new ArrayList<>();
      for (String name : engineNames) {
        prepared.add(engines.prepare(name));
      }
      int failed = 0;
      for (Corpus.Case c : corpus.cases()) {
        ConformanceRunner.CaseResult result = ConformanceRunner.run(c, corpus, prepared);
        if (!result.passed()) {
          failed++;
          System.out.println("FAIL " + c.file() + ": " + c.note());
          result.failures().forEach(f -> System.out.println("     " + f));
        }
      }
      System.out.println(
          corpus.cases().size() - failed + " passed, " + failed + " failed on " + engineNames);
      return failed == 0 ? 0 : 1;
    }
  }
}
