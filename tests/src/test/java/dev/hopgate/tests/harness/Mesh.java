package dev.hopgate.tests.harness;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpHandler;
import dev.hopgate.association.v1.AssociationGrpc;
import dev.hopgate.association.v1.Hop;
import dev.hopgate.association.v1.TxnQuery;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.testing.TestPki;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * Several edges of one mesh, each a component behind its own Envoy and its own hopgate with its own
 * signing key (independent providers, no shared keys), sharing one CA, token service, transaction
 * token service and manifest registry. A service's upstream handler may call other edges itself.
 */
public final class Mesh implements AutoCloseable {
  public static final String TRUST_DOMAIN = "shop.example";
  public static final String ISSUER = "https://tokens.shop.example";
  public static final String TXN_ISSUER = "https://txn-tokens.shop.example";
  public static final String REGISTRY = "https://registry.shop.example";
  public static final String PLANNER = "spiffe://shop.example/planner";

  /** One component: its route, its step, what its manifest says, and the service behind it. */
  public record EdgeSpec(
      String name,
      String component,
      String route,
      String step,
      List<String> performs,
      Object delegates,
      List<String> expectsCompleted,
      HttpHandler service) {
    public EdgeSpec(
        String name,
        String component,
        String route,
        String step,
        List<String> performs,
        Object delegates,
        HttpHandler service) {
      this(name, component, route, step, performs, delegates, List.of(), service);
    }
  }

  /** A running edge. */
  public record Edge(
      EdgeSpec spec,
      String enforcementId,
      Upstream upstream,
      HopgateProcess hopgate,
      EnvoyProcess envoy,
      int port) {}

  private final TestPki pki;
  private Path root;
  private TokenServiceProcess tokenServiceProcess;
  private JwsSigning identityProvider;
  private TestPki.Identity readiness;
  private final JwsSigning tokenService;
  private final JwsSigning txnTokenService;
  private final Map<String, Edge> edges = new LinkedHashMap<>();

  private Mesh(TestPki pki, JwsSigning tokenService, JwsSigning txnTokenService) {
    this.pki = pki;
    this.tokenService = tokenService;
    this.txnTokenService = txnTokenService;
  }

  public static Mesh start(Path dir, List<EdgeSpec> specs) throws IOException {
    return start(dir, specs, false);
  }

  /**
   * @param sharedAssociation every edge after the first uses the first edge's hopgate as its
   *     association (one completion ledger for the mesh); otherwise each keeps its own
   */
  public static Mesh start(Path dir, List<EdgeSpec> specs, boolean sharedAssociation)
      throws IOException {
    return start(dir, specs, sharedAssociation, "");
  }

  /** The same, {@code extraConfig} (YAML) appended to every edge's hopgate configuration. */
  public static Mesh start(
      Path dir, List<EdgeSpec> specs, boolean sharedAssociation, String extraConfig)
      throws IOException {
    TestPki pki = TestPki.create(dir);
    JwsSigning tokenService = JwsSigning.of(JwsSigning.generate("ES256", "mesh-token-service"));
    JwsSigning txnTokenService =
        JwsSigning.of(JwsSigning.generate("ES256", "mesh-txn-token-service"));
    JwsSigning registry = JwsSigning.of(JwsSigning.generate("EdDSA", "mesh-registry"));
    Files.writeString(
        dir.resolve("token-service.jwks.json"),
        new JWKSet(tokenService.key().toPublicJWK()).toString());
    Files.writeString(
        dir.resolve("txn-token-service.jwks.json"),
        new JWKSet(txnTokenService.key().toPublicJWK()).toString());
    Files.writeString(
        dir.resolve("registry.jwks.json"), new JWKSet(registry.key().toPublicJWK()).toString());
    // The token service (started by startTokenService) signs with these.
    Files.writeString(
        dir.resolve("token-service.private.jwk.json"), tokenService.key().toJSONString());
    Files.writeString(
        dir.resolve("txn-token-service.private.jwk.json"), txnTokenService.key().toJSONString());
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    Map<String, JwsSigning> keys = new HashMap<>();
    for (EdgeSpec spec : specs) {
      JwsSigning key = JwsSigning.of(JwsSigning.generate("EdDSA", "hopgate-" + spec.name()));
      keys.put(spec.name(), key);
      JWTClaimsSet.Builder claims =
          new JWTClaimsSet.Builder()
              .issuer(REGISTRY)
              .issueTime(new Date())
              .claim("component", spec.component())
              .claim("performs", spec.performs())
              .claim(
                  "enforcement",
                  List.of(
                      Map.of(
                          "id",
                          enforcementId(spec),
                          "keys",
                          new JWKSet(key.key().toPublicJWK()).toJSONObject())));
      if (spec.delegates() != null) {
        claims.claim("delegates", spec.delegates());
      }
      if (!spec.expectsCompleted().isEmpty()) {
        claims.claim("expects_completed", spec.expectsCompleted());
      }
      Files.writeString(
          manifests.resolve(spec.name() + ".jws"),
          registry.sign(ManifestRegistry.TYPE, claims.build()));
    }
    Mesh mesh = new Mesh(pki, tokenService, txnTokenService);
    mesh.root = dir;
    try {
      String association = "";
      for (EdgeSpec spec : specs) {
        mesh.startEdge(dir, spec, keys.get(spec.name()), extraConfig + association);
        if (sharedAssociation && association.isEmpty()) {
          // Budgets for a busy CI machine (production: 50 ms and 200 ms): these tests are about
          // what
          // the ledger links, and a lookup that timed out would turn wait into complete_steps.
          association =
              "association: {target: \"127.0.0.1:"
                  + mesh.edges.get(spec.name()).hopgate().port()
                  + "\", lookup_timeout: 1s, record_timeout: 1s}\n";
        }
      }
    } catch (IOException | RuntimeException e) {
      mesh.close();
      throw e;
    }
    return mesh;
  }

  private void startEdge(Path root, EdgeSpec spec, JwsSigning key, String extraConfig)
      throws IOException {
    Path dir = Files.createDirectories(root.resolve(spec.name()));
    Files.writeString(dir.resolve("hopgate.private.jwk.json"), key.key().toJSONString());
    Files.writeString(
        Files.createDirectories(dir.resolve("routes")).resolve("hop.yaml"),
        """
        routes:
          - name: "%s"
            component: "%s"
            match: { path_prefix: "%s" }
            step: "%s"
        """
            .formatted(spec.name(), spec.component(), spec.route(), spec.step()));
    Upstream upstream = Upstream.start(spec.service());
    HopgateProcess hopgate;
    try {
      hopgate =
          HopgateProcess.start(
              """
          trust_domain: %s
          enforcement: {id: "%s", key: hopgate.private.jwk.json}
          policies: {cedar: %s}
          processes: %s
          manifests: %s
          routes: routes
          trust:
            token_service: {issuers: [%s], jwks: %s}
            txn_token_service: {issuers: [%s], jwks: %s}
            manifest_registry: {issuers: [%s], jwks: %s}
          """
                      .formatted(
                          TRUST_DOMAIN,
                          enforcementId(spec),
                          Tools.repo().resolve("policies/cedar"),
                          Tools.repo().resolve("policies/processes"),
                          root.resolve("manifests"),
                          ISSUER,
                          root.resolve("token-service.jwks.json"),
                          TXN_ISSUER,
                          root.resolve("txn-token-service.jwks.json"),
                          REGISTRY,
                          root.resolve("registry.jwks.json"))
                  + extraConfig,
              dir);
    } catch (RuntimeException e) {
      upstream.close();
      throw e;
    }
    TestPki.Identity server = pki.server("edge-" + spec.name());
    int port = Ports.free();
    EnvoyProcess envoy;
    try {
      envoy =
          EnvoyProcess.start(
              "/envoy/hop-mtls.yaml",
              Map.ofEntries(
                  Map.entry("LISTENER_PORT", Integer.toString(port)),
                  Map.entry("HOPGATE_PORT", Integer.toString(hopgate.port())),
                  Map.entry("UPSTREAM_PORT", Integer.toString(upstream.port())),
                  Map.entry("SERVER_CERT", server.certFile().toString()),
                  Map.entry("SERVER_KEY", server.keyFile().toString()),
                  Map.entry("CA_CERT", pki.caPem().toString()),
                  Map.entry("ACCESS_LOG", dir.resolve("access.log").toString()),
                  Map.entry("ROUTE_PREFIX", spec.route()),
                  Map.entry("ROUTE", spec.name()),
                  Map.entry("COMPONENT", spec.component())),
              dir);
    } catch (RuntimeException e) {
      hopgate.close();
      upstream.close();
      throw e;
    }
    Edge edge = new Edge(spec, enforcementId(spec), upstream, hopgate, envoy, port);
    edges.put(spec.name(), edge);
    EdgeStack.awaitDecisionThroughEnvoy(
        readiness().sslContext(),
        port,
        spec.route(),
        () ->
            "--- hopgate "
                + spec.name()
                + "\n"
                + hopgate.logText()
                + "\n--- envoy "
                + spec.name()
                + "\n"
                + envoy.logText());
  }

  /**
   * The identity of the readiness probe: a workload no policy names, so its Check is a plain deny.
   */
  private TestPki.Identity readiness() {
    if (readiness == null) {
      readiness = pki.workload("readiness", "spiffe://shop.example/tests/readiness");
    }
    return readiness;
  }

  /**
   * Starts the token service (hopgate token-service) for this mesh: callers authenticate by mTLS, a
   * demo identity provider's JWT is the subject token.
   */
  public void startTokenService() throws IOException {
    identityProvider = JwsSigning.of(JwsSigning.generate("ES256", "demo-idp"));
    Files.writeString(
        root.resolve("idp.jwks.json"), new JWKSet(identityProvider.key().toPublicJWK()).toString());
    tokenServiceProcess = TokenServiceProcess.start(root, pki, TRUST_DOMAIN, TXN_ISSUER, ISSUER);
  }

  /**
   * An identity token for {@code principal} from the demo identity provider (what a login gives).
   */
  public String identityToken(String principal) {
    Instant now = Instant.now();
    return identityProvider.sign(
        com.nimbusds.jose.JOSEObjectType.JWT,
        new JWTClaimsSet.Builder()
            .issuer("https://idp.shop.example")
            .subject(principal)
            .audience("hopgate")
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(600)))
            .build());
  }

  /** RFC 8693 token exchange at the token service, as the workload presenting {@code tls}. */
  public HttpResponse<String> exchange(SSLContext tls, Map<String, String> form)
      throws IOException {
    return tokenServiceProcess.exchange(tls, form);
  }

  /** Each hopgate's hash-chained decision log. */
  public List<Path> decisionLogs() {
    List<Path> logs = new ArrayList<>();
    edges.values().forEach(e -> logs.add(e.hopgate().log().resolveSibling("decisions.jsonl")));
    return logs;
  }

  /** Where each process of the mesh writes its log. */
  public List<Path> logs() {
    List<Path> logs = new ArrayList<>();
    edges.values().forEach(e -> logs.add(e.hopgate().log()));
    if (tokenServiceProcess != null) {
      logs.add(tokenServiceProcess.log());
    }
    return logs;
  }

  public static String enforcementId(EdgeSpec spec) {
    return "spiffe://shop.example/hopgate/" + spec.name();
  }

  public TestPki pki() {
    return pki;
  }

  public Edge edge(String name) {
    return edges.get(name);
  }

  /** An origin token for a new txn started by the planner, with {@code authority}. */
  public String originToken(String txn, Set<String> authority) {
    Instant now = Instant.now();
    return txnTokenService.sign(
        WireTypes.ORIGIN,
        Minting.origin(
            TXN_ISSUER,
            txn,
            "alice@shop.example",
            TRUST_DOMAIN,
            PLANNER,
            now.plus(Duration.ofHours(1)),
            null,
            authority,
            now,
            now.plus(Duration.ofMinutes(5))));
  }

  /** A hop token to {@code component} for {@code txn}, as the token service would exchange it. */
  public String hopToken(String component, String txn) {
    Instant now = Instant.now();
    return tokenService.sign(
        HopTokenVerifier.TYPE,
        Minting.hop(
            ISSUER,
            "alice@shop.example",
            component,
            txn,
            UUID.randomUUID().toString(),
            null,
            false,
            now,
            now.plus(Duration.ofMinutes(2))));
  }

  /** GET {@code path} on {@code edge} as the workload presenting {@code tls}. */
  public HttpResponse<String> get(
      SSLContext tls, Edge edge, String path, Map<String, String> headers) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("https://localhost:" + edge.port() + path))
            .timeout(Duration.ofSeconds(10))
            .GET();
    headers.forEach(request::header);
    return EdgeStack.send(tls, request);
  }

  /** The hops of {@code txn} as the association that {@code edge}'s hopgate serves links them. */
  public List<Hop> linkage(String edge, String txn) {
    ManagedChannel channel = edges.get(edge).hopgate().channel();
    try {
      return AssociationGrpc.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .linkage(TxnQuery.newBuilder().setTxn(txn).build())
          .getHopsList();
    } finally {
      channel.shutdownNow();
    }
  }

  public String logText() {
    StringBuilder out = new StringBuilder();
    edges.forEach(
        (name, e) ->
            out.append("--- hopgate ").append(name).append('\n').append(e.hopgate().logText()));
    return out.toString();
  }

  @Override
  public void close() {
    if (tokenServiceProcess != null) {
      tokenServiceProcess.close();
    }
    List<Edge> all = new ArrayList<>(edges.values());
    for (Edge e : all) {
      e.envoy().close();
      e.hopgate().close();
      e.upstream().close();
    }
  }
}
