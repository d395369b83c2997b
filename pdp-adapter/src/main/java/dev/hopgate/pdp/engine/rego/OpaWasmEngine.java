package dev.hopgate.pdp.engine.rego;

import com.fasterxml.jackson.databind.JsonNode;
import com.styra.opa.wasm.OpaPolicy;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.engine.EngineDecision;
import dev.hopgate.pdp.engine.EvaluationException;
import dev.hopgate.pdp.engine.PolicyEngine;
import dev.hopgate.pdp.engine.PolicyLoadException;
import dev.hopgate.pdp.engine.PreparedPolicy;
import dev.hopgate.pdp.input.InputDocument;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Rego compiled to WebAssembly ({@code opa build -t wasm -e hopgate/gates/decision}, done by the
 * build) and run in process by opa-java-wasm. A WebAssembly instance evaluates one input at a time,
 * so prepared instances are pooled; a check that cannot borrow one within the time limit is a
 * TIMEOUT, never a wait without end.
 */
public final class OpaWasmEngine implements PolicyEngine {
  public static final String NAME = "opa-wasm";

  private final int poolSize;
  private final Duration borrowTimeout;

  public OpaWasmEngine(int poolSize, Duration borrowTimeout) {
    if (poolSize < 1) {
      throw new IllegalArgumentException("pool size: " + poolSize + " (expected: at least 1)");
    }
    this.poolSize = poolSize;
    this.borrowTimeout = borrowTimeout;
  }

  @Override
  public String name() {
    return NAME;
  }

  /**
   * @param wasm the {@code policy.wasm} built from policies/rego
   */
  @Override
  public PreparedPolicy prepare(Path wasm) throws PolicyLoadException {
    byte[] module;
    try {
      module = Files.readAllBytes(wasm);
    } catch (IOException e) {
      throw new PolicyLoadException(
          "opa-wasm: cannot read "
              + wasm
              + " ("
              + e.getMessage()
              + "); it is built by scripts/opa-policies.sh (mvn install)");
    }
    BlockingQueue<OpaPolicy> pool = new ArrayBlockingQueue<>(poolSize);
    try {
      for (int i = 0; i < poolSize; i++) {
        pool.add(instance(module));
      }
    } catch (RuntimeException e) {
      throw new PolicyLoadException("opa-wasm: " + wasm + " does not load: " + e.getMessage());
    }
    return new Prepared(module, pool, borrowTimeout, Digests.ofBytes(module));
  }

  static OpaPolicy instance(byte[] module) {
    OpaPolicy policy = OpaPolicy.builder().withPolicy(module).build();
    policy.entrypoint(RegoDecisions.ENTRYPOINT);
    return policy;
  }

  private record Prepared(
      byte[] module, BlockingQueue<OpaPolicy> pool, Duration borrowTimeout, String revision)
      implements PreparedPolicy {
    @Override
    public String engine() {
      return NAME;
    }

    @Override
    public EngineDecision evaluate(InputDocument input) throws EvaluationException {
      String json = RegoDecisions.input(input);
      OpaPolicy policy;
      try {
        policy = pool.poll(borrowTimeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw EvaluationException.timedOut(
            "opa-wasm: interrupted while waiting for an instance", e);
      }
      if (policy == null) {
        throw EvaluationException.timedOut(
            "opa-wasm: no instance free within " + borrowTimeout.toMillis() + " ms", null);
      }
      boolean healthy = false;
      try {
        JsonNode results = RegoDecisions.JSON.readTree(policy.evaluate(json));
        healthy = true;
        return RegoDecisions.read(results.path(0).path("result"), NAME);
      } catch (EvaluationException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        throw new EvaluationException("opa-wasm: evaluation failed: " + e.getMessage(), e);
      } finally {
        // An instance that failed mid-evaluation may hold a broken heap: replace it.
        pool.offer(healthy ? policy : instance(module));
      }
    }
  }
}
