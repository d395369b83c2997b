package dev.hopgate.bench;

import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.SignedJWT;
import dev.hopgate.pdp.floor.ChainFixture;
import dev.hopgate.pdp.token.FixedKeySource;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The crypto hot path: verifying a transition-sized JWS (cold: every call verifies; cached: the
 * verified-signature cache answers; jdk: Nimbus with the JDK's EC provider, the baseline the house
 * spec measured) and signing one (what hopgate does on every ALLOW).
 *
 * <p>Run: {@code make bench-micro} (or, after {@code mvn -pl tests test-compile}: {@code java -cp
 * <test classpath> org.openjdk.jmh.Main CryptoBenchmark}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CryptoBenchmark {
  @Param({"ES256", "EdDSA"})
  public String alg;

  private JwsSigning signing;
  private String jws;
  private JwsVerifier uncached;
  private JwsVerifier cached;
  private KeyResolver keys;
  private ECDSAVerifier jdkVerifier;

  @Setup
  public void setUp() throws Exception {
    signing = JwsSigning.of(JwsSigning.generate(alg, "bench"));
    keys =
        KeyResolver.of(
            new TrustSet(
                "bench",
                Set.of("bench"),
                TrustSet.DEFAULT_ALGORITHMS,
                FixedKeySource.of("bench", List.of(signing.key()))));
    jws = transition();
    uncached = new JwsVerifier(0, Duration.ofMinutes(1));
    cached = new JwsVerifier(16L << 20, Duration.ofHours(1));
    cached.verify(jws, WireTypes.TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "bench");
    if (alg.equals("ES256")) {
      jdkVerifier = new ECDSAVerifier((ECKey) signing.key().toPublicJWK());
    }
  }

  private String transition() {
    Instant now = Instant.now();
    return signing.sign(
        WireTypes.TRANSITION,
        Minting.transition(
            "spiffe://shop.example/hopgate",
            "txn-7f3c",
            2,
            "sha256:" + "ab".repeat(32),
            ChainFixture.INVENTORY,
            ChainFixture.RESERVE,
            Set.of(ChainFixture.RESERVE, ChainFixture.CHARGE),
            now,
            now.plusSeconds(3600),
            "01a206db-5d4f-7470"));
  }

  @Benchmark
  public Object verifyCold() throws Exception {
    return uncached.verify(jws, WireTypes.TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "bench");
  }

  @Benchmark
  public Object verifyCached() throws Exception {
    return cached.verify(jws, WireTypes.TRANSITION, TrustSet.DEFAULT_ALGORITHMS, keys, "bench");
  }

  /** ES256 only: Nimbus's own Ed25519 verifier needs Tink, which hopgate does not ship. */
  @Benchmark
  public boolean verifyNimbusJdkBaseline() throws Exception {
    return jdkVerifier != null && SignedJWT.parse(jws).verify(jdkVerifier);
  }

  @Benchmark
  public String signTransition() {
    return transition();
  }
}
