package dev.hopgate.tests.harness;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessDefinitionException;
import dev.hopgate.pdp.process.ProcessDefinitions;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.testing.Eventually;
import dev.hopgate.testing.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;

/**
 * One edge of the mesh, for real: a test CA, a token service key, hopgate as a process, Envoy with
 * downstream mTLS in front of an upstream. Later work adds hops by composing more of these.
 */
public final class EdgeStack implements AutoCloseable {
  public static final String ISSUER = "https://tokens.shop.example";
  public static final String TXN_ISSUER = "https://txn-tokens.shop.example";
  public static final String REGISTRY = "https://registry.shop.example";
  public static final String TRUST_DOMAIN = "shop.example";
  public static final String INVENTORY = "spiffe://shop.example/inventory";
  public static final String OPS_DB = "spiffe://shop.example/ops-db";
  public static final String PLANNER = "spiffe://shop.example/planner";
  public static final String RESERVE = "urn:shop:step:reserve-stock";
  public static final String DROP_DB = "urn:ops:step:drop-production-database";
  public static final String SUPPORT = "spiffe://shop.example/support";
  public static final String APPROVALS = "spiffe://shop.example/approvals";
  public static final String REFUNDS = "spiffe://shop.example/refunds";
  public static final String OPEN_CASE = "urn:shop:step:open-case";
  public static final String APPROVE_REFUND = "urn:shop:step:approve-refund";
  public static final String ISSUE_REFUND = "urn:shop:step:issue-refund";

  /**
   * A component whose manifest performs the approval too, which the refund process binds to {@link
   * #APPROVALS}: it can never approve a refund of that process.
   */
  public static final String BACKOFFICE = "spiffe://shop.example/backoffice";

  /** The identity of the Envoy in front (its client certificate toward hopgate). */
  public static final String ENVOY_IDENTITY = "spiffe://shop.example/envoy/edge";

  /** The identity the test harness presents to hopgate (health checks, direct calls). */
  public static final String HARNESS_IDENTITY = "spiffe://shop.example/tests/harness";

  /** Another hopgate of the mesh: it may use this hopgate's association, and nothing else. */
  public static final String PEER_HOPGATE = "spiffe://shop.example/hopgate/peer";

  /** Prometheus: it may scrape a metrics endpoint that is not on loopback. */
  public static final String SCRAPER = "spiffe://shop.example/prometheus";

  /** An Envoy that fronts the ops database alone. */
  public static final String OPS_ENVOY = "spiffe://shop.example/envoy/ops";

  /** Who hopgate admits besides the edge's Envoy and the harness. */
  public enum Callers {
    DEFAULT,
    /** Also a peer hopgate and an Envoy of the ops database (trust-boundary tests). */
    WITH_PEER_AND_OPS_ENVOY
  }

  /** How Envoy reaches hopgate: mTLS over TCP, or a Unix socket whose peer UIDs hopgate checks. */
  public enum Wiring {
    MTLS,
    UNIX_SOCKET,
    /**
     * mTLS, with Envoy sending request bodies to ext_authz as text (no {@code pack_as_bytes}): the
     * misconfiguration an MCP route must refuse.
     */
    MTLS_TEXT_BODIES
  }

  /**
   * The route table of the edge: Envoy's routes name none of it (the table alone serves them, for
   * the components the edge's Envoy is bound to), but for one virtual host that names {@code
   * inventory-reserve} for all its routes.
   */
  public static final String ROUTES =
      """
      routes:
        - name: inventory-reserve
          component: "%1$s"
          match: { path_prefix: /inventory/reserve }
          step: "%2$s"
        - name: ops-drop-production-database
          component: "%3$s"
          match: { path_prefix: /ops/drop-production-database }
          step: "%4$s"
        - name: support-open-case
          component: "%5$s"
          match: { path_prefix: /support/open-case }
          step: "%6$s"
        - name: approvals-approve-refund
          component: "%7$s"
          match: { path_prefix: /approvals/approve-refund }
          step: "%8$s"
        - name: backoffice-approve-refund
          component: "%9$s"
          match: { path_prefix: /backoffice/approve-refund }
          step: "%8$s"
        - name: refunds-mcp
          component: "%10$s"
          match: { path_prefix: /refunds/mcp }
          mcp:
            tools: { issue_refund: "%11$s" }
        # The MCP conformance suite's fixtures (McpConformanceIT), every one an allowed step.
        - name: conformance-mcp
          component: "%1$s"
          match: { path_prefix: /conformance/mcp }
          mcp:
            tools:
              test_simple_text: "%2$s"
              test_image_content: "%2$s"
              test_audio_content: "%2$s"
              test_embedded_resource: "%2$s"
              test_multiple_content_types: "%2$s"
              test_tool_with_logging: "%2$s"
              test_error_handling: "%2$s"
              test_tool_with_progress: "%2$s"
              test_sampling: "%2$s"
              test_elicitation: "%2$s"
              test_elicitation_sep1034_defaults: "%2$s"
              test_elicitation_sep1330_enums: "%2$s"
            resources:
              "test://static-text": "%2$s"
              "test://static-binary": "%2$s"
              "test://watched-resource": "%2$s"
              "test://template/123/data": "%2$s"
            prompts:
              test_simple_prompt: "%2$s"
              test_prompt_with_arguments: "%2$s"
              test_prompt_with_embedded_resource: "%2$s"
              test_prompt_with_image: "%2$s"
            methods:
              logging/setLevel: "%2$s"
              completion/complete: "%2$s"
              resources/subscribe: "%2$s"
              resources/unsubscribe: "%2$s"
        - name: support-mcp
          component: "%5$s"
          match: { path_prefix: /support/mcp }
          mcp:
            tools: { open_case: "%6$s" }
        - name: approvals-mcp
          component: "%7$s"
          match: { path_prefix: /approvals/mcp }
          mcp:
            tools: { approve_refund: "%8$s" }
        # The same MCP endpoint at each disclosure level: the longer prefix is the more specific.
        - name: inventory-mcp-minimal
          component: "%1$s"
          match: { path_prefix: /mcp/minimal }
          disclosure: minimal
          mcp:
            tools: { reserve_stock: "%2$s", drop_database: "%4$s" }
            resource_metadata: https://tools.shop.example/.well-known/oauth-protected-resource
        - name: inventory-mcp-undisclosed
          component: "%1$s"
          match: { path_prefix: /mcp/undisclosed }
          disclosure: undisclosed
          mcp:
            tools: { reserve_stock: "%2$s", drop_database: "%4$s" }
            resource_metadata: https://tools.shop.example/.well-known/oauth-protected-resource
        - name: inventory-mcp
          component: "%1$s"
          match: { path_prefix: /mcp }
          mcp:
            tools: { reserve_stock: "%2$s", drop_database: "%4$s" }
            resources: { "inventory://stock/sku-1": "%2$s" }
            protected_resource:
              resource: https://localhost/mcp
              authorization_servers: [https://tokens.shop.example]
              scopes_supported: ["%2$s"]
              resource_name: Inventory tools
      """
          .formatted(
              INVENTORY,
              RESERVE,
              OPS_DB,
              DROP_DB,
              SUPPORT,
              OPEN_CASE,
              APPROVALS,
              APPROVE_REFUND,
              BACKOFFICE,
              REFUNDS,
              ISSUE_REFUND);

  /** The id this hopgate signs transitions and completion records as. */
  public static final String ENFORCEMENT_POINT = "spiffe://shop.example/hopgate";

  private final Path dir;
  private final TestPki pki;
  private final JwsSigning tokenService;
  private final JwsSigning txnTokenService;
  private final Upstream upstream;
  private final HopgateProcess hopgate;
  private final EnvoyProcess envoy;
  private final int listenerPort;

  private EdgeStack(
      Path dir,
      TestPki pki,
      JwsSigning tokenService,
      JwsSigning txnTokenService,
      Upstream upstream,
      HopgateProcess hopgate,
      EnvoyProcess envoy,
      int listenerPort) {
    this.dir = dir;
    this.pki = pki;
    this.tokenService = tokenService;
    this.txnTokenService = txnTokenService;
    this.upstream = upstream;
    this.hopgate = hopgate;
    this.envoy = envoy;
    this.listenerPort = listenerPort;
  }

  /** Starts everything in {@code dir}; on failure, stops what already started. */
  public static EdgeStack start(Path dir) throws IOException {
    return start(dir, "");
  }

  /** The same, its Envoy's upstream (every route's) the server on {@code upstreamPort}. */
  public static EdgeStack startWithUpstream(Path dir, int upstreamPort) throws IOException {
    return start(
        dir,
        "",
        Callers.DEFAULT,
        Wiring.MTLS,
        Duration.ofSeconds(2),
        hopgatePort -> Map.of("UPSTREAM_PORT", Integer.toString(upstreamPort)));
  }

  /** The same, with {@code extraConfig} (YAML) appended to hopgate's configuration. */
  public static EdgeStack start(Path dir, String extraConfig) throws IOException {
    return start(dir, extraConfig, new String[0]);
  }

  /** The same, with extra flags for {@code hopgate serve} (such as {@code --engine opa-wasm}). */
  public static EdgeStack start(Path dir, String extraConfig, String... hopgateArgs)
      throws IOException {
    return start(dir, extraConfig, Callers.DEFAULT, hopgateArgs);
  }

  /** The same, admitting {@code callers}. */
  public static EdgeStack start(
      Path dir, String extraConfig, Callers callers, String... hopgateArgs) throws IOException {
    return start(dir, extraConfig, callers, Wiring.MTLS, hopgateArgs);
  }

  /**
   * The same, wired as {@code wiring}: for {@link Wiring#UNIX_SOCKET}, hopgate and Envoy run as
   * distinct non-root users ({@link OsUsers}) sharing only the socket's directory, and hopgate
   * admits Envoy's UID.
   */
  public static EdgeStack start(
      Path dir, String extraConfig, Callers callers, Wiring wiring, String... hopgateArgs)
      throws IOException {
    return start(dir, extraConfig, callers, wiring, Duration.ofSeconds(2), hopgateArgs);
  }

  /**
   * The same, with Envoy's ext_authz and ext_proc {@code timeout} at {@code checkTimeout} (the
   * deadline Envoy sends hopgate as {@code grpc-timeout}).
   */
  public static EdgeStack start(
      Path dir,
      String extraConfig,
      Callers callers,
      Wiring wiring,
      Duration checkTimeout,
      String... hopgateArgs)
      throws IOException {
    return start(dir, extraConfig, callers, wiring, checkTimeout, port -> Map.of(), hopgateArgs);
  }

  /**
   * The same, with Envoy's template variables {@code envoyVariables} (given hopgate's port, once it
   * listens) set over the defaults: {@code HOPGATE_ADDRESS}, or {@code HOPGATE_RETRY} and {@code
   * HOPGATE_FALLBACK} (see edge-mtls.yaml).
   */
  public static EdgeStack start(
      Path dir,
      String extraConfig,
      Callers callers,
      Wiring wiring,
      Duration checkTimeout,
      java.util.function.IntFunction<Map<String, String>> envoyVariables,
      String... hopgateArgs)
      throws IOException {
    TestPki pki = TestPki.create(dir);
    TestPki.Identity edge = pki.server("edge");
    TestPki.Identity hopgateServer = pki.server("hopgate");
    TestPki.Identity envoyClient = pki.workload("envoy-edge", ENVOY_IDENTITY);
    TestPki.Identity harness = pki.workload("harness", HARNESS_IDENTITY);
    JwsSigning tokenService = JwsSigning.of(JwsSigning.generate("ES256", "e2e-token-service"));
    JwsSigning txnTokenService =
        JwsSigning.of(JwsSigning.generate("ES256", "e2e-txn-token-service"));
    JwsSigning registry = JwsSigning.of(JwsSigning.generate("EdDSA", "e2e-registry"));
    JwsSigning enforcement = JwsSigning.of(JwsSigning.generate("EdDSA", "e2e-hopgate"));
    Files.writeString(dir.resolve("hopgate.private.jwk.json"), enforcement.key().toJSONString());
    writeJwks(dir.resolve("token-service.jwks.json"), tokenService);
    // The private halves too, so a token service started by a test can sign for this edge.
    Files.writeString(
        dir.resolve("token-service.private.jwk.json"), tokenService.key().toJSONString());
    Files.writeString(
        dir.resolve("txn-token-service.private.jwk.json"), txnTokenService.key().toJSONString());
    writeJwks(dir.resolve("txn-token-service.jwks.json"), txnTokenService);
    writeJwks(dir.resolve("registry.jwks.json"), registry);
    Path manifests = Files.createDirectories(dir.resolve("manifests"));
    writeManifest(manifests, "inventory", registry, enforcement, INVENTORY, List.of(RESERVE));
    // ops-db delegates everything it was given: the one component here whose transitions carry
    // authority on (NarrowingIT).
    writeManifest(manifests, "ops-db", registry, enforcement, OPS_DB, List.of(DROP_DB), "*");
    // The refund process (policies/processes/refund.process.yaml): a case, a once approval, a
    // budget.
    writeManifest(manifests, "support", registry, enforcement, SUPPORT, List.of(OPEN_CASE));
    writeManifest(
        manifests, "approvals", registry, enforcement, APPROVALS, List.of(APPROVE_REFUND));
    writeManifest(manifests, "refunds", registry, enforcement, REFUNDS, List.of(ISSUE_REFUND));
    writeManifest(
        manifests, "backoffice", registry, enforcement, BACKOFFICE, List.of(APPROVE_REFUND));
    // A manifest signed by a key the registry trust set does not hold: not loaded, named in the
    // log.
    writeManifest(
        manifests,
        "forged",
        JwsSigning.of(JwsSigning.generate("EdDSA", "e2e-registry")),
        enforcement,
        "spiffe://shop.example/forged",
        List.of(RESERVE));

    Files.writeString(Files.createDirectories(dir.resolve("routes")).resolve("edge.yaml"), ROUTES);

    boolean socket = wiring == Wiring.UNIX_SOCKET;
    Path hopgateSocket = dir.resolve("sock").resolve("hopgate.sock");
    if (socket) {
      Files.createDirectories(hopgateSocket.getParent());
      OsUsers.give(dir, OsUsers.HOPGATE_UID, OsUsers.MESH_GID);
      OsUsers.traversable(dir);
    }
    Upstream upstream = Upstream.start();
    HopgateProcess hopgate = null;
    try {
      String config =
          """
          %s
          callers:
          %s
          trust_domain: %s
          enforcement: {id: "spiffe://shop.example/hopgate", key: hopgate.private.jwk.json}
          policies:
            cedar: %s
            rego: %s
            wasm: %s
          processes: %s
          manifests: manifests
          routes: routes
          trust:
            token_service:
              issuers: [%s]
              jwks: token-service.jwks.json
              endpoint: https://tokens.shop.example/token
            txn_token_service:
              issuers: [%s]
              jwks: txn-token-service.jwks.json
              # TxnTokenDraft10IT: Txn-Tokens from a standard service too (off by default).
              standard_tokens: true
            manifest_registry:
              issuers: [%s]
              jwks: registry.jwks.json
          """
                  .formatted(
                      socket ? "" : "tls: {cert: hopgate.pem, key: hopgate.key, client_ca: ca.pem}",
                      socket ? unixCallers() : callers(callers),
                      TRUST_DOMAIN,
                      Tools.repo().resolve("policies/cedar"),
                      Tools.repo().resolve("policies/rego"),
                      Tools.repo().resolve("policies/target/opa/policy.wasm"),
                      Tools.repo().resolve("policies/processes"),
                      ISSUER,
                      TXN_ISSUER,
                      REGISTRY)
              + extraConfig;
      hopgate =
          socket
              ? HopgateProcess.startOnSocket(
                  config,
                  dir,
                  hopgateSocket,
                  OsUsers.runAs(OsUsers.HOPGATE_UID, OsUsers.MESH_GID),
                  hopgateArgs)
              : HopgateProcess.start(config, dir, harness, hopgateArgs);
      int listenerPort = Ports.free();
      Map<String, String> variables =
          new java.util.HashMap<>(
              Map.of(
                  "LISTENER_PORT",
                  Integer.toString(listenerPort),
                  "HOPGATE_ADDRESS",
                  socket
                      ? "{ pipe: { path: \"" + hopgateSocket + "\" } }"
                      : "{ socket_address: { address: 127.0.0.1, port_value: "
                          + hopgate.port()
                          + " } }",
                  "HOPGATE_TRANSPORT",
                  socket ? "" : hopgateTls(envoyClient, pki),
                  "UPSTREAM_PORT",
                  Integer.toString(upstream.port()),
                  "PACK_AS_BYTES",
                  Boolean.toString(wiring != Wiring.MTLS_TEXT_BODIES),
                  "SERVER_CERT",
                  edge.certFile().toString(),
                  "SERVER_KEY",
                  edge.keyFile().toString(),
                  "CA_CERT",
                  pki.caPem().toString(),
                  "ACCESS_LOG",
                  dir.resolve("access.log").toString(),
                  "HOPGATE_TIMEOUT",
                  // A protobuf Duration in JSON: seconds, with a fraction.
                  java.math.BigDecimal.valueOf(checkTimeout.toMillis(), 3).toPlainString() + "s"));
      variables.putAll(envoyVariables.apply(hopgate.port()));
      EnvoyProcess envoy =
          EnvoyProcess.start(
              "/envoy/edge-mtls.yaml",
              variables,
              dir,
              socket
                  ? OsUsers.runAs(OsUsers.ENVOY_UID, OsUsers.ENVOY_UID, OsUsers.MESH_GID)
                  : List.of());
      EdgeStack stack =
          new EdgeStack(
              dir, pki, tokenService, txnTokenService, upstream, hopgate, envoy, listenerPort);
      awaitDecisionThroughEnvoy(
          harness.sslContext(), listenerPort, "/inventory/reserve", stack::logs);
      return stack;
    } catch (RuntimeException e) {
      if (hopgate != null) {
        hopgate.close();
      }
      upstream.close();
      throw e;
    }
  }

  /**
   * hopgate's callers: the edge's Envoy for every component behind it, the harness as a hopgate (it
   * asks the association and reflection), and for {@link Callers#WITH_PEER_AND_OPS_ENVOY} a peer
   * hopgate and an Envoy of the ops database alone.
   */
  private static String callers(Callers callers) {
    String envoys =
        "  envoys:\n    - {id: \""
            + ENVOY_IDENTITY
            + "\", components: [\""
            + String.join("\", \"", INVENTORY, OPS_DB, SUPPORT, APPROVALS, REFUNDS, BACKOFFICE)
            + "\"]}\n";
    String hopgates = "  hopgates: [\"" + HARNESS_IDENTITY + "\"";
    if (callers == Callers.WITH_PEER_AND_OPS_ENVOY) {
      envoys += "    - {id: \"" + OPS_ENVOY + "\", components: [\"" + OPS_DB + "\"]}\n";
      hopgates += ", \"" + PEER_HOPGATE + "\"";
    }
    return envoys + hopgates + "]\n  scrapers: [\"" + SCRAPER + "\"]";
  }

  /** Envoy's client certificate toward hopgate, as the hopgate cluster's transport socket. */
  private static String hopgateTls(TestPki.Identity envoyClient, TestPki pki) {
    return String.join(
        "\n",
        "    transport_socket:",
        "      name: envoy.transport_sockets.tls",
        "      typed_config:",
        "        \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
        "        common_tls_context:",
        "          alpn_protocols: [h2]",
        "          tls_certificates:",
        "          - certificate_chain: { filename: \"" + envoyClient.certFile() + "\" }",
        "            private_key: { filename: \"" + envoyClient.keyFile() + "\" }",
        "          validation_context:",
        "            trusted_ca: { filename: \"" + pki.caPem() + "\" }");
  }

  /**
   * On the Unix socket: hopgate admits the Envoy's UID, for every component behind it; the harness
   * is a hopgate for an association listener a test may add.
   */
  private static String unixCallers() {
    return "  envoys:\n    - {uid: "
        + OsUsers.ENVOY_UID
        + ", components: [\""
        + String.join("\", \"", INVENTORY, OPS_DB, SUPPORT, APPROVALS, REFUNDS, BACKOFFICE)
        + "\"]}\n  hopgates: [\""
        + HARNESS_IDENTITY
        + "\"]";
  }

  /** The edge's route table file ({@link #ROUTES}): a test may rewrite it, hopgate reloads. */
  /** The port of Envoy's listener (https, downstream mTLS). */
  public int listenerPort() {
    return listenerPort;
  }

  public Path routeTable() {
    return dir.resolve("routes").resolve("edge.yaml");
  }

  public TestPki pki() {
    return pki;
  }

  public Upstream upstream() {
    return upstream;
  }

  public HopgateProcess hopgate() {
    return hopgate;
  }

  public EnvoyProcess envoy() {
    return envoy;
  }

  /** hopgate's hash-chained decision log. */
  public Path decisionLog() {
    return dir.resolve("decisions.jsonl");
  }

  public String accessLog() {
    try {
      return Files.readString(dir.resolve("access.log"));
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The credentials of a first hop to {@code component}: an origin token and a hop token of one
   * txn.
   */
  public Map<String, String> credentials(String component) {
    return credentials(component, c -> c);
  }

  /** The same, the hop token's claims edited by {@code editHop}. */
  public Map<String, String> credentials(
      String component, UnaryOperator<JWTClaimsSet.Builder> editHop) {
    return credentials(component, null, editHop);
  }

  /**
   * The credentials of a first hop to {@code component} in a txn that declares {@code process} (a
   * file under policies/processes) as its intent, or an implicit intent when null.
   */
  public Map<String, String> credentials(
      String component, String process, UnaryOperator<JWTClaimsSet.Builder> editHop) {
    return credentials(
        component, process, "txn-" + UUID.randomUUID(), Set.of(RESERVE, DROP_DB), editHop);
  }

  /**
   * The credentials of a hop to {@code component} in txn {@code txn} (a planner calling several
   * components of one txn), declaring {@code process} and granting {@code authority}.
   */
  public Map<String, String> credentials(
      String component,
      String process,
      String txn,
      Set<String> authority,
      UnaryOperator<JWTClaimsSet.Builder> editHop) {
    Map<String, String> intent = null;
    if (process != null) {
      try {
        ProcessDefinition d =
            ProcessDefinitions.load(Tools.repo().resolve("policies/processes").resolve(process));
        intent = Map.of("process", d.iri(), "digest", d.digest());
      } catch (ProcessDefinitionException e) {
        throw new IllegalStateException(e);
      }
    }
    Instant now = Instant.now();
    String origin =
        txnTokenService.sign(
            WireTypes.ORIGIN,
            Minting.origin(
                TXN_ISSUER,
                txn,
                "alice@shop.example",
                TRUST_DOMAIN,
                PLANNER,
                now.plus(Duration.ofHours(1)),
                intent,
                authority,
                now,
                now.plus(Duration.ofMinutes(5))));
    JWTClaimsSet hop =
        Minting.hop(
            ISSUER,
            "alice@shop.example",
            component,
            txn,
            UUID.randomUUID().toString(),
            intent,
            false,
            now,
            now.plus(Duration.ofMinutes(2)));
    String hopToken =
        tokenService.sign(
            HopTokenVerifier.TYPE, editHop.apply(new JWTClaimsSet.Builder(hop)).build());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Txn-Token", origin);
    headers.put("Authorization", "Bearer " + hopToken);
    return headers;
  }

  /**
   * GET {@code path} through Envoy as the workload presenting {@code tls}, with {@code headers}.
   */
  public HttpResponse<String> get(SSLContext tls, String path, Map<String, String> headers)
      throws IOException {
    return send(tls, request(path, headers).GET());
  }

  /**
   * GET {@code path} through Envoy by its address (authority 127.0.0.1:port, not localhost): the
   * virtual host Envoy picks by the authority the client chose.
   */
  public HttpResponse<String> getByAddress(SSLContext tls, String path, Map<String, String> headers)
      throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + listenerPort + path))
            .timeout(Duration.ofSeconds(10));
    headers.forEach(request::header);
    return send(tls, request.GET());
  }

  /** POST {@code body} as JSON to {@code path} through Envoy, as an MCP client does. */
  public HttpResponse<String> post(
      SSLContext tls, String path, Map<String, String> headers, String body) throws IOException {
    return send(
        tls,
        request(path, headers)
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /**
   * POST these exact bytes as JSON to {@code path} through Envoy (a body that may not be UTF-8).
   */
  public HttpResponse<String> post(
      SSLContext tls, String path, Map<String, String> headers, byte[] body) throws IOException {
    return post(tls, path, headers, body, "application/json");
  }

  /** POST these exact bytes to {@code path} through Envoy, as {@code contentType}. */
  public HttpResponse<String> post(
      SSLContext tls, String path, Map<String, String> headers, byte[] body, String contentType)
      throws IOException {
    return send(
        tls,
        request(path, headers)
            .header("content-type", contentType)
            .header("accept", "application/json, text/event-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private HttpRequest.Builder request(String path, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("https://localhost:" + listenerPort + path))
            .timeout(Duration.ofSeconds(10));
    headers.forEach(request::header);
    return request;
  }

  /**
   * Waits until a request through the Envoy on {@code port} is answered by hopgate itself (its
   * decision id in the response; a request without credentials is denied), not by Envoy alone (a
   * 403 for a Check that timed out or found no connection): only then is a stack ready for a test's
   * first request. An open port is not enough: the first Check also opens Envoy's TLS connection to
   * hopgate and runs code the JIT has not seen.
   */
  static void awaitDecisionThroughEnvoy(
      SSLContext tls, int port, String path, Supplier<String> logs) {
    try {
      Eventually.within(
          Duration.ofSeconds(60),
          "a Check through Envoy on port " + port + " answered by hopgate",
          () ->
              send(
                      tls,
                      HttpRequest.newBuilder(URI.create("https://localhost:" + port + path))
                          .timeout(Duration.ofSeconds(10))
                          .GET())
                  .headers()
                  .firstValue("hopgate-decision-id")
                  .isPresent());
    } catch (AssertionError e) {
      throw new IllegalStateException(e.getMessage() + "\n" + logs.get(), e);
    }
  }

  /**
   * Sends {@code request} over HTTP/1.1 with the workload's TLS identity (also used by {@link
   * Mesh}).
   */
  static HttpResponse<String> send(SSLContext tls, HttpRequest.Builder request) throws IOException {
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(tls)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      envoy.close();
    } finally {
      try {
        hopgate.close();
      } finally {
        upstream.close();
      }
    }
  }

  private static void writeJwks(Path file, JwsSigning key) throws IOException {
    Files.writeString(file, new JWKSet(key.key().toPublicJWK()).toString());
  }

  /** A manifest as the registry signs it; every component here is enforced by the one hopgate. */
  private static void writeManifest(
      Path dir,
      String name,
      JwsSigning registry,
      JwsSigning enforcement,
      String component,
      List<String> performs)
      throws IOException {
    writeManifest(dir, name, registry, enforcement, component, performs, null);
  }

  private static void writeManifest(
      Path dir,
      String name,
      JwsSigning registry,
      JwsSigning enforcement,
      String component,
      List<String> performs,
      Object delegates)
      throws IOException {
    JWTClaimsSet.Builder builder = new JWTClaimsSet.Builder();
    if (delegates != null) {
      builder.claim("delegates", delegates);
    }
    JWTClaimsSet claims =
        builder
            .issuer(REGISTRY)
            .issueTime(new Date())
            .claim("component", component)
            .claim("performs", performs)
            .claim(
                "enforcement",
                List.of(
                    Map.of(
                        "id",
                        "spiffe://shop.example/hopgate",
                        "keys",
                        new JWKSet(enforcement.key().toPublicJWK()).toJSONObject())))
            .claim("endpoints", Map.of("issuer", "https://tokens.shop.example/token"))
            .build();
    Files.writeString(dir.resolve(name + ".jws"), registry.sign(ManifestRegistry.TYPE, claims));
  }

  /** Fails with every process's log, so a red test says what happened. */
  public String logs() {
    return "--- hopgate log\n"
        + hopgate.logText()
        + "\n--- envoy log (tail)\n"
        + tail(envoy.logText(), 40)
        + "\n--- access log\n"
        + accessLog();
  }

  private static String tail(String text, int lines) {
    String[] all = text.split("\n");
    return String.join(
        "\n", java.util.Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
  }
}
