package dev.hopgate.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.hopgate.bench.LoadFixture;
import dev.hopgate.tests.harness.Tools;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke test of the load benchmark's peer (tests/bench/peer/policy.rego), evaluated by the real
 * OPA on the benchmark's own request, as opa-envoy-plugin presents it (the CheckRequest as proto
 * JSON): it must allow it, or the benchmark would compare hopgate with a peer that denies, and
 * refuse the same request with a forged hop token or a cut chain, or the peer would not be doing
 * the work it is credited with.
 */
class PeerPolicyIT {
  @TempDir Path dir;

  @Test
  void thePeerAllowsTheBenchmarkRequest_andRefusesAForgedTokenAndACutChain() throws Exception {
    System.setProperty("hopgate.repo.dir", Tools.repo().toString());
    LoadFixture.main(new String[] {dir.toString(), "smoke:1"});
    CheckRequest request;
    try (InputStream in = Files.newInputStream(dir.resolve("requests-smoke.bin"))) {
      request = CheckRequest.parseDelimitedFrom(in);
    }
    assertThat(allows(request)).isTrue();

    String bearer =
        request.getAttributes().getRequest().getHttp().getHeadersOrThrow("authorization");
    String forged =
        bearer.substring(0, bearer.length() - 4) + (bearer.endsWith("AAAA") ? "BBBB" : "AAAA");
    assertThat(allows(withHeader(request, "authorization", forged))).isFalse();

    String chain = request.getAttributes().getRequest().getHttp().getHeadersOrThrow("txn-chain");
    assertThat(allows(withHeader(request, "txn-chain", chain.substring(chain.indexOf('~') + 1))))
        .isFalse();
  }

  private boolean allows(CheckRequest request) throws Exception {
    Path input = dir.resolve("input.json");
    Files.writeString(input, JsonFormat.printer().print(request));
    Process opa =
        new ProcessBuilder(
                List.of(
                    Tools.opa().toString(),
                    "eval",
                    "--format",
                    "raw",
                    "-d",
                    Tools.repo().resolve("tests/bench/peer/policy.rego").toString(),
                    "-d",
                    dir.resolve("peer/data.json").toString(),
                    "-i",
                    input.toString(),
                    "data.hopgate.peer.allow"))
            .redirectErrorStream(true)
            .start();
    assertThat(opa.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(opa.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(opa.exitValue()).as(out).isZero();
    return out.equals("true");
  }

  private static CheckRequest withHeader(CheckRequest request, String name, String value) {
    CheckRequest.Builder b = request.toBuilder();
    b.getAttributesBuilder().getRequestBuilder().getHttpBuilder().putHeaders(name, value);
    return b.build();
  }
}
