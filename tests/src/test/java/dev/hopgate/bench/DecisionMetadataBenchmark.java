package dev.hopgate.bench;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.hopgate.server.grpc.DecisionAuthenticator;
import dev.hopgate.server.grpc.DecisionMetadata;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the ext_proc authenticator adds: sealing an ALLOW's dynamic metadata in the Check response,
 * and reading it back (verify, age) in ext_proc, for the metadata of a typical HTTP hop. Compare
 * with {@link DecisionBenchmark}, the decision it is added to.
 *
 * <p>Run: {@code make bench-micro BENCH=DecisionMetadata}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecisionMetadataBenchmark {
  private DecisionMetadata metadata;
  private Struct allow;
  private Struct sealed;

  @Setup
  public void setUp() {
    metadata =
        new DecisionMetadata(
            DecisionAuthenticator.generated(),
            Clock.systemUTC(),
            Duration.ofMinutes(5),
            Duration.ofSeconds(30));
    allow =
        Struct.newBuilder()
            .putFields("decision_id", string("01a2069b-0828-7496-b3bc-bf8dc0c29bb5"))
            .putFields("outcome", string("ALLOW"))
            .putFields("txn", string("txn-7f3c2a1e-9c1d-4f33-8b0e-5b2d9a41c0de"))
            .putFields(
                "policy_revision",
                string("sha256:0ba9507a13f793c103e794ab5603b70f3d3b7dd948d4d90e98a2870eb80a79ca"))
            .putFields("component", string("spiffe://shop.example/inventory"))
            .putFields("step", string("urn:shop:step:reserve-stock"))
            .putFields("deadline", string("1796160951"))
            .build();
    Struct.Builder b = allow.toBuilder();
    metadata.seal(b);
    sealed = b.build();
  }

  @Benchmark
  public Struct seal() {
    Struct.Builder b = allow.toBuilder();
    metadata.seal(b);
    return b.build();
  }

  @Benchmark
  public DecisionMetadata.Read read() {
    return metadata.read(sealed);
  }

  private static Value string(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
