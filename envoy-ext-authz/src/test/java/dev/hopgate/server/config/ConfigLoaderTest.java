package dev.hopgate.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final String MINIMAL =
      """
      trust_domain: shop.example
      enforcement: {id: spiffe://shop.example/hopgate, key: keys/ep.jwk.json}
      policies:
        cedar: policies
      processes: processes
      manifests: manifests
      routes: routes
      trust:
        txn_token_service:
          issuers: [https://txn-tokens.example]
          jwks: keys/txn.json
        manifest_registry:
          issuers: [https://registry.example]
          jwks: keys/registry.json
        token_service:
          issuers: [https://tokens.example]
          jwks: keys/jwks.json
      """;

  @TempDir Path dir;

  @Test
  void load_appliesDefaultsAndResolvesPathsAgainstTheFile() throws Exception {
    ConfigLoader.Loaded loaded = ConfigLoader.load(write(MINIMAL), Map.of());
    HopgateConfig config = loaded.config();

    assertThat(config.listen()).isEqualTo("127.0.0.1:9191");
    assertThat(config.engine()).isEqualTo(Choice.Engine.CEDAR);
    assertThat(config.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.trust().tokenService().algorithms()).containsExactly("ES256", "EdDSA");
    assertThat(config.trust().tokenService().maxTokenLifetime()).isEqualTo(Duration.ofMinutes(5));
    assertThat(loaded.path(config.trust().tokenService().jwks()))
        .isEqualTo(dir.resolve("keys/jwks.json"));
    assertThat(config.trust().txnTokenService().standardTokens())
        .as("plain Txn-Tokens only where the deployment says so")
        .isFalse();
  }

  @Test
  void load_standardTokens_onlyForTheTxnTokenService() throws Exception {
    String taking =
        MINIMAL.replace("jwks: keys/txn.json", "jwks: keys/txn.json\n    standard_tokens: true");
    assertThat(
            ConfigLoader.load(write(taking), Map.of())
                .config()
                .trust()
                .txnTokenService()
                .standardTokens())
        .isTrue();
    String misplaced =
        MINIMAL.replace(
            "jwks: keys/registry.json", "jwks: keys/registry.json\n    standard_tokens: true");
    assertThatThrownBy(() -> ConfigLoader.load(write(misplaced), Map.of()))
        .hasMessageContaining("only txn_token_service takes standard tokens");
  }

  @Test
  void load_overridesWinOverTheFile() throws Exception {
    ConfigLoader.Loaded loaded =
        ConfigLoader.load(
            write("listen: 0.0.0.0:1\n" + MINIMAL),
            Map.of(
                "listen",
                "127.0.0.1:7000",
                "clock_skew",
                "5s",
                "trust.token_service.algorithms",
                "EdDSA, ES256"));
    assertThat(loaded.config().listen()).isEqualTo("127.0.0.1:7000");
    assertThat(loaded.config().clockSkew()).isEqualTo(Duration.ofSeconds(5));
    assertThat(loaded.config().trust().tokenService().algorithms())
        .containsExactly("EdDSA", "ES256");
  }

  @Test
  void load_refusesPlaintextOffLoopback() {
    assertFails(
        "listen: 0.0.0.0:9191\n" + MINIMAL,
        "listen: 0.0.0.0:9191 is not a loopback address and tls is not set");
    assertFails("listen: 10.0.0.7:9191\n" + MINIMAL, "hopgate serves plaintext only on loopback");
  }

  @Test
  void load_acceptsPlaintextOnLoopback_withoutNamedCallers() throws Exception {
    for (String loopback :
        new String[] {"127.0.0.1:9191", "localhost:9191", "[::1]:9191", "127.3.4.5:1"}) {
      assertThat(
              ConfigLoader.load(write("listen: \"" + loopback + "\"\n" + MINIMAL), Map.of())
                  .config()
                  .listenAt())
          .isInstanceOf(Listen.Tcp.class);
    }
    assertFails(
        "callers: {hopgates: [spiffe://shop.example/hopgate/b]}\n" + MINIMAL,
        "plaintext TCP cannot tell callers apart");
  }

  @Test
  void load_withTls_needsEachEnvoyNamedWithItsComponents() throws Exception {
    String tls = "listen: 0.0.0.0:9191\ntls: {cert: c.pem, key: k.pem, client_ca: ca.pem}\n";
    assertFails(tls + MINIMAL, "callers.envoys: with tls, list each Envoy's identity");
    assertFails(
        tls + "callers: {envoys: [{id: spiffe://shop.example/envoy}]}\n" + MINIMAL,
        "has no components");
    assertFails(
        tls
            + "callers: {envoys: [{id: spiffe://shop.example/envoy, uid: 7, components: [c]}]}\n"
            + MINIMAL,
        "not both");
    HopgateConfig config =
        ConfigLoader.load(
                write(
                    tls
                        + "callers: {envoys: [{id: spiffe://shop.example/envoy, components: [spiffe://shop.example/inventory]}]}\n"
                        + MINIMAL),
                Map.of())
            .config();
    assertThat(config.callers().envoys())
        .singleElement()
        .satisfies(
            e -> assertThat(e.components()).containsExactly("spiffe://shop.example/inventory"));
  }

  @Test
  void load_refusesTheReplacedAllowedClients_withWhereToGo() {
    assertFails(
        "tls: {cert: c.pem, key: k.pem, client_ca: ca.pem, allowed_clients: [spiffe://a/b]}\n"
            + MINIMAL,
        "allowed_clients: replaced by callers.envoys");
  }

  @Test
  void load_unixSocket_needsEnvoyUids_andRefusesAbstractNames() throws Exception {
    assertFails(
        "listen: unix:/run/hopgate/hopgate.sock\n" + MINIMAL,
        "a unix listen admits Envoys by their UID");
    assertFails("listen: \"unix:@hopgate\"\n" + MINIMAL, "is an abstract socket name");
    assertFails("listen: unix:run/hopgate.sock\n" + MINIMAL, "expected: unix:/absolute/path");
    assertFails(
        "listen: unix:/run/h.sock\nsocket_mode: \"0666\"\ncallers: {envoys: [{uid: 1337, components: [c]}]}\n"
            + MINIMAL,
        "socket_mode: '0666' (expected: 0600 or 0660");
    assertFails(
        "listen: unix:/run/h.sock\ncallers: {envoys: [{uid: 0, components: [c]}]}\n" + MINIMAL,
        "expected: a non-root UID");
    HopgateConfig config =
        ConfigLoader.load(
                write(
                    "listen: unix:/run/hopgate/hopgate.sock\n"
                        + "callers: {envoys: [{uid: 1337, components: [spiffe://shop.example/inventory]}]}\n"
                        + MINIMAL),
                Map.of())
            .config();
    assertThat(config.listenAt())
        .isEqualTo(new Listen.Unix(java.nio.file.Path.of("/run/hopgate/hopgate.sock")));
    assertThat(config.socketMode()).isEqualTo("0660");
  }

  @Test
  void load_metricsOffLoopback_needMtlsAndScrapers() {
    assertFails(
        "metrics: {listen: 0.0.0.0:9464}\n" + MINIMAL,
        "metrics.listen: 0.0.0.0:9464 is not a loopback address");
  }

  @Test
  void load_associationListener_needsTls() {
    assertFails("association: {listen: 0.0.0.0:9192}\n" + MINIMAL, "association.listen: needs tls");
  }

  @Test
  void load_rejectsAnUnknownFieldByItsPath() {
    assertFails(
        MINIMAL.replace("jwks: keys/jwks.json", "jwkz: keys/jwks.json"),
        "unknown field 'trust.token_service.jwkz'");
  }

  @Test
  void load_refusesAChoiceItDoesNotKnow_namingTheFieldAndTheChoices() {
    assertFails(
        "engine: rust\n" + MINIMAL,
        "engine: 'rust' (expected: cedar, opa-wasm, opa-server or shadow)");
    assertFails(
        MINIMAL + "state: {store: disk}\n", "state.store: 'disk' (expected: memory or redis)");
    assertFails(
        MINIMAL + "decision_log: {when_full: block}\n",
        "decision_log.when_full: 'block' (expected: deny or drop)");
    assertFails(
        "engine: shadow\nshadow: {primary: shadow}\n" + MINIMAL,
        "shadow.primary: 'shadow' (expected: cedar, opa-wasm or opa-server)");
  }

  /** Issue 18: a bad Redis URL was printed whole, its password with it. */
  @Test
  void aBadRedisUrl_isRefused_withoutPrintingItsPassword() {
    for (String url :
        List.of(
            "http://hopgate:s3cr3t-pw@redis:6379",
            "redis://hopgate:s3cr3t-pw@redis:6379/extra",
            "redis://hopgate:s3cr3t-pw@"))
      assertThatThrownBy(
              () ->
                  ConfigLoader.load(
                      write(MINIMAL + "state: {store: redis, redis: '" + url + "'}\n"), Map.of()))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("state.redis")
          .hasMessageNotContaining("s3cr3t-pw");
  }

  @Test
  void rediss_isAccepted_withACaOnlyForTls() {
    assertThatCode(
            () ->
                ConfigLoader.load(
                    write(
                        MINIMAL
                            + "state: {store: redis, redis: 'rediss://hopgate:pw@redis:6380'}\n"),
                    Map.of()))
        .doesNotThrowAnyException();
    assertFails(
        MINIMAL + "state: {store: redis, redis: 'redis://redis:6379', redis_ca: ca.pem}\n",
        "not rediss://");
  }

  @Test
  void load_rejectsClockSkewOutOfRange() {
    assertFails("clock_skew: 10m\n" + MINIMAL, "clock_skew: 10m (expected: 0s..5m)");
  }

  @Test
  void load_rejectsADurationThatIsNotOne() {
    assertFails("clock_skew: soon\n" + MINIMAL, "'soon' is not a duration");
  }

  @Test
  void load_rejectsABadListenAddress() {
    assertFails("listen: localhost\n" + MINIMAL, "listen: 'localhost' (expected: host:port");
    assertFails("listen: 127.0.0.1:70000\n" + MINIMAL, "listen: port 70000 (expected: 0..65535)");
  }

  @Test
  void load_rejectsAnUnknownEngine() {
    assertFails("engine: prolog\n" + MINIMAL, "engine: 'prolog'");
  }

  @Test
  void load_rejectsASymmetricAlgorithm() {
    assertFails(MINIMAL + "    algorithms: [HS256]\n", "trust.token_service.algorithm: HS256");
  }

  @Test
  void load_rejectsMissingSections() {
    assertFails("listen: 127.0.0.1:1\n", "trust_domain: missing");
    assertFails("trust_domain: d\n", "enforcement: missing");
    assertFails("trust_domain: d\nenforcement: {id: e, key: k}\n", "policies: missing");
    assertFails(
        "trust_domain: d\npolicies: {cedar: p}\nprocesses: p\nmanifests: m\nroutes: r\n",
        "enforcement: missing");
    assertFails(
        "trust_domain: d\nenforcement: {id: e, key: k}\npolicies: {cedar: p}\nprocesses: p\nmanifests: m\nroutes: r\n",
        "trust: missing");
    assertFails(
        MINIMAL.replace("issuers: [https://tokens.example]", "issuerz: []"),
        "unknown field 'trust.token_service.issuerz'");
    assertFails(
        MINIMAL.replace("issuers: [https://registry.example]", ""),
        "trust.manifest_registry.issuers: missing");
  }

  @Test
  void load_readsChainBoundsAndRevocations() throws Exception {
    HopgateConfig config =
        ConfigLoader.load(
                write(MINIMAL + "chain: {max_elements: 8}\nrevocation: {txns: [t1]}\n"),
                Map.of("revocation.principals", "mallory,eve"))
            .config();
    assertThat(config.chain().maxElements()).isEqualTo(8);
    assertThat(config.chain().maxBytes()).isEqualTo(16 * 1024);
    assertThat(config.revocation().txns()).containsExactly("t1");
    assertThat(config.revocation().principals()).containsExactly("mallory", "eve");
    assertFails(MINIMAL + "chain: {max_elements: 0}\n", "chain.max_elements: 0 (expected: 1..256)");
  }

  @Test
  void load_rejectsADuplicateKey() {
    assertFails("listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n" + MINIMAL, "Duplicate field 'listen'");
  }

  @Test
  void load_rejectsYamlThatDoesNotParse() {
    assertFails("listen: [unclosed\n", "not valid YAML");
  }

  @Test
  void load_rejectsATopLevelList() {
    assertFails("- a\n- b\n", "the top level is a ARRAY");
  }

  @Test
  void load_rejectsAMissingFile() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("absent.yaml"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("absent.yaml: cannot read");
  }

  private void assertFails(String yaml, String message) {
    assertThatThrownBy(() -> ConfigLoader.load(write(yaml), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(message);
  }

  private Path write(String yaml) throws Exception {
    return Files.writeString(dir.resolve("hopgate.yaml"), yaml);
  }

  /** What make run serves: the example configuration and its route table load as shipped. */
  @Test
  void theExampleConfiguration_andItsRouteTable_load() throws Exception {
    ConfigLoader.Loaded loaded =
        ConfigLoader.load(Path.of("..", "examples", "hopgate.yaml"), Map.of());

    dev.hopgate.pdp.route.RouteTable routes =
        dev.hopgate.pdp.route.RouteFiles.load(loaded.path(loaded.config().routes()));

    assertThat(routes.all())
        .extracting(dev.hopgate.pdp.route.Route::name)
        .containsExactly("inventory-reserve", "ops-drop-production-database");
    assertThat(routes.named("inventory-reserve").orElseThrow().requireCaller()).isFalse();
  }
}
