package dev.hopgate.bench;

import com.google.protobuf.DescriptorProtos;
import com.google.protobuf.Descriptors;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import io.envoyproxy.envoy.service.auth.v3.AttributeContext;
import io.envoyproxy.envoy.service.auth.v3.CheckRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Writes everything the load benchmark (scripts/bench-load.sh) sends and serves: keys, signed
 * manifests, hopgate's configuration, the peer's data, a protoset for ghz, and files of Envoy
 * CheckRequests, each the third hop of one txn (planner -> agent -> inventory -> payments: two
 * transitions, two completion records) with its own one-time hop token, so every request exercises
 * the replay state. Every signature is ES256, the one algorithm both hopgate and OPA's {@code
 * io.jwt} verify (OPA has no EdDSA), so the peer does the same cryptographic work.
 *
 * <p>Usage: {@code LoadFixture DIR NAME:COUNT...} writes {@code DIR/requests-NAME.bin} with COUNT
 * requests (varint-length-delimited, as ghz's {@code --binary-file} reads them).
 */
public final class LoadFixture {
  static final String TOKENS = "https://tokens.shop.example";
  static final String TXN_TOKENS = "https://txn-tokens.shop.example";
  static final String REGISTRY = "https://registry.shop.example";
  static final String TRUST_DOMAIN = "shop.example";
  static final String PLANNER = "spiffe://shop.example/planner";
  static final String AGENT = "spiffe://shop.example/agent";
  static final String INVENTORY = "spiffe://shop.example/inventory";
  static final String PAYMENTS = "spiffe://shop.example/payments";
  static final String PLAN = "urn:shop:step:plan-order";
  static final String RESERVE = "urn:shop:step:reserve-stock";
  static final String CHARGE = "urn:shop:step:charge-card";

  /** Long enough for the whole benchmark: tokens are minted once, before it. */
  static final Duration LIFETIME = Duration.ofMinutes(25);

  private LoadFixture() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createDirectories(Path.of(args[0]));
    Instant now = Instant.now();
    JwsSigning tokenService = JwsSigning.of(JwsSigning.generate("ES256", "bench-ts"));
    JwsSigning txnTokenService = JwsSigning.of(JwsSigning.generate("ES256", "bench-tts"));
    JwsSigning registry = JwsSigning.of(JwsSigning.generate("ES256", "bench-registry"));
    Map<String, JwsSigning> enforcers = new LinkedHashMap<>();
    for (String c : List.of(AGENT, INVENTORY)) {
      enforcers.put(c, JwsSigning.of(JwsSigning.generate("ES256", "bench-ep-" + name(c))));
    }
    // hopgate under test is the payments component's enforcement point; it signs what it mints
    // with EdDSA, as the house spec recommends (nobody in the benchmark verifies those).
    JwsSigning hopgateKey = JwsSigning.of(JwsSigning.generate("EdDSA", "bench-hopgate"));
    enforcers.put(PAYMENTS, hopgateKey);

    Path keys = Files.createDirectories(dir.resolve("keys"));
    Files.writeString(keys.resolve("token-service.jwks.json"), jwks(tokenService));
    Files.writeString(keys.resolve("txn-token-service.jwks.json"), jwks(txnTokenService));
    Files.writeString(keys.resolve("registry.jwks.json"), jwks(registry));
    Files.writeString(keys.resolve("hopgate.private.jwk.json"), hopgateKey.key().toJSONString());

    Map<String, List<String>> performs =
        Map.of(AGENT, List.of(PLAN), INVENTORY, List.of(RESERVE), PAYMENTS, List.of(CHARGE));
    Map<String, Object> delegates = Map.of(AGENT, List.of(RESERVE, CHARGE), INVENTORY, "*");
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    Map<String, Object> peerManifests = new LinkedHashMap<>();
    for (String c : enforcers.keySet()) {
      JWTClaimsSet.Builder claims =
          new JWTClaimsSet.Builder()
              .issuer(REGISTRY)
              .issueTime(Date.from(now))
              .claim("component", c)
              .claim("performs", performs.get(c))
              .claim(
                  "enforcement",
                  List.of(
                      Map.of(
                          "id",
                          endpoint(c),
                          "keys",
                          new JWKSet(enforcers.get(c).key().toPublicJWK()).toJSONObject())))
              .claim("endpoints", Map.of("issuer", TOKENS + "/token"));
      if (delegates.containsKey(c)) {
        claims.claim("delegates", delegates.get(c));
      }
      if (c.equals(PAYMENTS)) {
        claims.claim("expects_completed", List.of(RESERVE));
      }
      Files.writeString(
          manifests.resolve(name(c) + ".jws"),
          registry.sign(ManifestRegistry.TYPE, claims.build()));
      Map<String, Object> peer = new LinkedHashMap<>();
      peer.put("performs", performs.get(c));
      peer.put("delegates", delegates.getOrDefault(c, List.of()));
      peer.put("expects_completed", c.equals(PAYMENTS) ? List.of(RESERVE) : List.of());
      peer.put("endpoint", endpoint(c));
      peer.put("jwks", jwks(enforcers.get(c)));
      peerManifests.put(c, peer);
    }

    // One txn; its origin, chain and completions are the same on every request, as in a real txn
    // where the third hop is called many times. Only the one-time hop token differs.
    String txn = "txn-bench-" + now.getEpochSecond();
    Instant deadline = now.plus(Duration.ofHours(1));
    Set<String> authority = Set.of(PLAN, RESERVE, CHARGE);
    String origin =
        txnTokenService.sign(
            WireTypes.ORIGIN,
            Minting.origin(
                TXN_TOKENS,
                txn,
                "alice@shop.example",
                TRUST_DOMAIN,
                PLANNER,
                deadline,
                null,
                authority,
                now.minusSeconds(1),
                now.plus(LIFETIME)));
    String binding =
        Digests.originBinding(
            txn, "alice@shop.example", TRUST_DOMAIN, PLANNER, deadline.getEpochSecond(), null);
    String t1 =
        enforcers
            .get(AGENT)
            .sign(
                WireTypes.TRANSITION,
                Minting.transition(
                    endpoint(AGENT),
                    txn,
                    1,
                    binding,
                    AGENT,
                    PLAN,
                    Set.of(RESERVE, CHARGE),
                    now.minusSeconds(1),
                    now.plus(LIFETIME),
                    "bench-d1"));
    String t2 =
        enforcers
            .get(INVENTORY)
            .sign(
                WireTypes.TRANSITION,
                Minting.transition(
                    endpoint(INVENTORY),
                    txn,
                    2,
                    Digests.ofJws(t1),
                    INVENTORY,
                    RESERVE,
                    Set.of(RESERVE, CHARGE),
                    now.minusSeconds(1),
                    now.plus(LIFETIME),
                    "bench-d2"));
    String c1 =
        enforcers
            .get(AGENT)
            .sign(
                WireTypes.COMPLETION,
                Minting.completion(
                    endpoint(AGENT),
                    txn,
                    PLAN,
                    AGENT,
                    "bench-d1",
                    now.minusSeconds(1),
                    now.plus(LIFETIME)));
    String c2 =
        enforcers
            .get(INVENTORY)
            .sign(
                WireTypes.COMPLETION,
                Minting.completion(
                    endpoint(INVENTORY),
                    txn,
                    RESERVE,
                    INVENTORY,
                    "bench-d2",
                    now.minusSeconds(1),
                    now.plus(LIFETIME)));

    Map<String, Object> peerData = new LinkedHashMap<>();
    peerData.put("trust_domain", TRUST_DOMAIN);
    peerData.put("token_service", Map.of("issuer", TOKENS, "jwks", jwks(tokenService)));
    peerData.put("txn_token_service", Map.of("issuer", TXN_TOKENS, "jwks", jwks(txnTokenService)));
    peerData.put("manifests", peerManifests);
    Files.writeString(
        Files.createDirectories(dir.resolve("peer")).resolve("data.json"),
        new com.fasterxml.jackson.databind.ObjectMapper()
            .writerWithDefaultPrettyPrinter()
            .writeValueAsString(Map.of("hopgate_peer", peerData)));
    writeProtoset(dir.resolve("check.protoset"));
    Path repo = Path.of(System.getProperty("hopgate.repo.dir", ".")).toAbsolutePath();
    // The routes the benchmark's CheckRequests name (ghz), and Envoy's (envoy-e2e.yaml): their
    // context extensions also carry component and step, as the peer's policy reads them.
    Files.writeString(
        Files.createDirectories(dir.resolve("routes")).resolve("bench.yaml"),
        """
        routes:
          - name: payments-charge
            component: "%s"
            match: { path_prefix: /charge }
            step: "%s"
          - name: inventory-reserve
            component: "%s"
            match: { path_prefix: /inventory/reserve }
            step: "%s"
            require_caller: false   # the benchmark's plain-HTTP listener cannot name the caller
        """
            .formatted(PAYMENTS, CHARGE, INVENTORY, RESERVE));
    // hopgate as the payments component's enforcement point; listen and engine are set per run.
    Files.writeString(
        dir.resolve("hopgate.yaml"),
        """
        listen: 127.0.0.1:9191
        engine: cedar
        trust_domain: %s
        enforcement: {id: "%s", key: keys/hopgate.private.jwk.json}
        policies: {cedar: %s, rego: %s, wasm: %s}
        processes: %s
        manifests: manifests
        routes: routes
        decision_log: {path: decisions.jsonl, trace: minimal, when_full: deny}
        trust:
          token_service: {issuers: [%s], jwks: keys/token-service.jwks.json, max_token_lifetime: 30m}
          txn_token_service: {issuers: [%s], jwks: keys/txn-token-service.jwks.json}
          manifest_registry: {issuers: [%s], jwks: keys/registry.jwks.json}
        """
            .formatted(
                TRUST_DOMAIN,
                endpoint(PAYMENTS),
                repo.resolve("policies/cedar"),
                repo.resolve("policies/rego"),
                repo.resolve("policies/target/opa/policy.wasm"),
                repo.resolve("policies/processes"),
                TOKENS,
                TXN_TOKENS,
                REGISTRY));

    for (String spec : List.of(args).subList(1, args.length)) {
      if (spec.startsWith("e2e-")) {
        // e2e-NAME:COUNT: first hops to inventory through Envoy (no chain), one once token a line,
        // then the origin token, for wrk (tests/bench/wrk-hop.lua).
        String name = spec.substring(0, spec.indexOf(':'));
        int count = Integer.parseInt(spec.substring(spec.indexOf(':') + 1));
        List<String> lines =
            new ArrayList<>(
                IntStream.range(0, count)
                    .parallel()
                    .mapToObj(
                        i ->
                            tokenService.sign(
                                HopTokenVerifier.TYPE,
                                Minting.hop(
                                    TOKENS,
                                    "alice@shop.example",
                                    INVENTORY,
                                    txn,
                                    name + "-" + i + "-" + now.getEpochSecond(),
                                    null,
                                    true,
                                    now.minusSeconds(1),
                                    now.plus(LIFETIME))))
                    .toList());
        Files.writeString(dir.resolve(name + ".origin"), origin + "\n");
        Files.write(dir.resolve(name + ".tokens"), lines);
        continue;
      }
      String[] parts = spec.split(":");
      String name = parts[0];
      int count = Integer.parseInt(parts[1]);
      // NAME:COUNT:reusable: one reusable hop token on every request (what a once token costs).
      String reusable =
          parts.length > 2 && parts[2].equals("reusable")
              ? tokenService.sign(
                  HopTokenVerifier.TYPE,
                  Minting.hop(
                      TOKENS,
                      "alice@shop.example",
                      PAYMENTS,
                      txn,
                      name + "-" + now.getEpochSecond(),
                      null,
                      false,
                      now.minusSeconds(1),
                      now.plus(LIFETIME)))
              : null;
      // ES256 signing is the cost here (~0.3 ms each): both cores.
      List<CheckRequest> requests =
          IntStream.range(0, count)
              .parallel()
              .mapToObj(
                  i -> {
                    String hop =
                        reusable != null
                            ? reusable
                            : tokenService.sign(
                                HopTokenVerifier.TYPE,
                                Minting.hop(
                                    TOKENS,
                                    "alice@shop.example",
                                    PAYMENTS,
                                    txn,
                                    name + "-" + i + "-" + now.getEpochSecond(),
                                    null,
                                    true,
                                    now.minusSeconds(1),
                                    now.plus(LIFETIME)));
                    return check(hop, origin, t1 + "~" + t2, c1 + "~" + c2);
                  })
              .toList();
      try (OutputStream out = Files.newOutputStream(dir.resolve("requests-" + name + ".bin"))) {
        for (CheckRequest r : requests) {
          r.writeDelimitedTo(out);
        }
      }
    }
    System.out.println(
        "load fixture: "
            + dir
            + " (txn "
            + txn
            + ", tokens valid until "
            + now.plus(LIFETIME)
            + ")");
  }

  static CheckRequest check(String hop, String origin, String chain, String completions) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("authorization", "Bearer " + hop);
    headers.put(WireTypes.TXN_TOKEN, origin);
    headers.put(WireTypes.TXN_CHAIN, chain);
    headers.put(WireTypes.TXN_COMPLETIONS, completions);
    return CheckRequest.newBuilder()
        .setAttributes(
            AttributeContext.newBuilder()
                .setSource(AttributeContext.Peer.newBuilder().setPrincipal(INVENTORY))
                .setRequest(
                    AttributeContext.Request.newBuilder()
                        .setHttp(
                            AttributeContext.HttpRequest.newBuilder()
                                .setMethod("POST")
                                .setPath("/charge")
                                .setHost("payments.shop.example")
                                .putAllHeaders(headers)))
                .putContextExtensions("route", "payments-charge")
                .putContextExtensions("component", PAYMENTS)
                .putContextExtensions("step", CHARGE))
        .build();
  }

  /**
   * The CheckRequest's file and its imports, for ghz's {@code --protoset} (no .proto files needed).
   */
  static void writeProtoset(Path file) throws IOException {
    DescriptorProtos.FileDescriptorSet.Builder set =
        DescriptorProtos.FileDescriptorSet.newBuilder();
    Set<String> seen = new HashSet<>();
    List<Descriptors.FileDescriptor> order = new ArrayList<>();
    collect(io.envoyproxy.envoy.service.auth.v3.ExternalAuthProto.getDescriptor(), seen, order);
    order.forEach(f -> set.addFile(f.toProto()));
    Files.write(file, set.build().toByteArray());
  }

  private static void collect(
      Descriptors.FileDescriptor file, Set<String> seen, List<Descriptors.FileDescriptor> out) {
    if (!seen.add(file.getName())) {
      return;
    }
    for (Descriptors.FileDescriptor dep : file.getDependencies()) {
      collect(dep, seen, out);
    }
    out.add(file);
  }

  static String endpoint(String component) {
    return "spiffe://shop.example/hopgate/" + name(component);
  }

  private static String name(String component) {
    return component.substring(component.lastIndexOf('/') + 1);
  }

  private static String jwks(JwsSigning key) {
    return new JWKSet(key.key().toPublicJWK()).toString();
  }
}
