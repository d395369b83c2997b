package dev.hopgate.pdp.floor;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.token.FixedKeySource;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeySource;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small mesh with real keys: planner -> agent -> inventory -> payments, a token service, a
 * transaction token service, a manifest registry and one enforcement point per component.
 */
public final class ChainFixture {
  public static final String TRUST_DOMAIN = "shop.example";
  public static final String TOKENS = "https://tokens.shop.example";
  public static final String TXN_TOKENS = "https://txn-tokens.shop.example";
  public static final String REGISTRY = "https://registry.shop.example";
  public static final String PLANNER = "spiffe://shop.example/planner";
  public static final String AGENT = "spiffe://shop.example/agent";
  public static final String INVENTORY = "spiffe://shop.example/inventory";
  public static final String PAYMENTS = "spiffe://shop.example/payments";
  public static final String PLAN = "urn:shop:step:plan-order";
  public static final String RESERVE = "urn:shop:step:reserve-stock";
  public static final String CHARGE = "urn:shop:step:charge-card";
  public static final Map<String, String> INTENT =
      Map.of("process", "urn:shop:process:checkout", "digest", "sha256:" + "ab".repeat(32));
  public static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  public final JwsSigning tokenService = signer("ES256", "ts-1");
  public final JwsSigning txnTokenService = signer("ES256", "tts-1");
  public final JwsSigning registry = signer("EdDSA", "reg-1");
  public final Map<String, JwsSigning> enforcers = new LinkedHashMap<>();
  public final JwsVerifier verifier = new JwsVerifier(16L << 20, Duration.ofHours(1));

  /**
   * The fixture's time: {@link #NOW} for tests; the wall clock's for benchmarks, whose caches
   * expire in real time.
   */
  public final Instant now;

  public final Clock clock;
  public ManifestRegistry manifests;
  public RevocationFeed revocations = RevocationFeed.NONE;
  public final String txn = "txn-7f3c";

  public ChainFixture() {
    this(NOW);
  }

  public ChainFixture(Instant now) {
    this.now = now;
    this.clock = Clock.fixed(now, ZoneOffset.UTC);
    enforcers.put(AGENT, signer("EdDSA", "ep-agent"));
    enforcers.put(INVENTORY, signer("EdDSA", "ep-inventory"));
    enforcers.put(PAYMENTS, signer("ES256", "ep-payments"));
    manifests =
        ManifestRegistry.of(
            List.of(
                manifest(AGENT, List.of(PLAN), List.of(RESERVE, CHARGE)),
                manifest(INVENTORY, List.of(RESERVE), "*"),
                manifest(PAYMENTS, List.of(CHARGE), null)));
  }

  public static JwsSigning signer(String alg, String kid) {
    return JwsSigning.of(JwsSigning.generate(alg, kid));
  }

  public static String enforcementPoint(String component) {
    return component.replace("spiffe://shop.example/", "spiffe://shop.example/hopgate/");
  }

  public dev.hopgate.pdp.manifest.Manifest manifest(
      String component, List<String> performs, Object delegates) {
    return manifest(component, performs, delegates, null);
  }

  /** A manifest signed with {@code exp} (null: none), loaded now. */
  public dev.hopgate.pdp.manifest.Manifest manifest(
      String component, List<String> performs, Object delegates, Instant exp) {
    Map<String, Object> claims = new HashMap<>();
    claims.put("component", component);
    claims.put("performs", performs);
    if (delegates != null) {
      claims.put("delegates", delegates);
    }
    JWK key = enforcers.get(component).key().toPublicJWK();
    claims.put(
        "enforcement",
        List.of(
            Map.of("id", enforcementPoint(component), "keys", new JWKSet(key).toJSONObject(true))));
    claims.put("endpoints", Map.of("issuer", TOKENS + "/token"));
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder().issuer(REGISTRY).issueTime(java.util.Date.from(now));
    if (exp != null) {
      b.expirationTime(java.util.Date.from(exp));
    }
    claims.forEach(b::claim);
    try {
      return ManifestRegistry.parse(
          registry.sign(ManifestRegistry.TYPE, b.build()),
          component,
          registryTrust(),
          verifier,
          now);
    } catch (ManifestRegistry.ManifestException e) {
      throw new IllegalStateException(e);
    }
  }

  public TrustSet registryTrust() {
    return new TrustSet(
        "manifest-registry", Set.of(REGISTRY), TrustSet.DEFAULT_ALGORITHMS, keys(registry));
  }

  /** Whether the floor takes Txn-Tokens without hopgate's tctx (standard_tokens). */
  public boolean standardTxnTokens = true;

  public Floor floor() {
    return floor(verifier);
  }

  /** The floor over {@code jws} (a verifier with or without its signature cache). */
  public Floor floor(JwsVerifier jws) {
    TrustSet tokens =
        new TrustSet(
            "token-service", Set.of(TOKENS), TrustSet.DEFAULT_ALGORITHMS, keys(tokenService));
    TrustSet txnTokens =
        new TrustSet(
            "txn-token-service",
            Set.of(TXN_TOKENS),
            TrustSet.DEFAULT_ALGORITHMS,
            keys(txnTokenService));
    Duration skew = Duration.ofSeconds(30);
    return new Floor(
        new HopTokenVerifier(tokens, jws, skew, Duration.ofMinutes(5), clock),
        new OriginVerifier(txnTokens, TRUST_DOMAIN, jws, skew, standardTxnTokens),
        new ChainVerifier(jws, TrustSet.DEFAULT_ALGORITHMS, skew),
        new CompletionVerifier(jws, TrustSet.DEFAULT_ALGORITHMS, skew),
        new LedgerEvidence(jws, TrustSet.DEFAULT_ALGORITHMS, skew),
        revocations,
        Floor.Limits.DEFAULT);
  }

  public static KeySource keys(JwsSigning... signers) {
    return FixedKeySource.of(
        "test keys", java.util.Arrays.stream(signers).map(JwsSigning::key).toList());
  }

  // --- artifacts -------------------------------------------------------------------------------

  /** An origin token as the transaction token service issues it. */
  public String origin(String originWorkload, Map<String, String> intent, Set<String> authority) {
    return txnTokenService.sign(
        WireTypes.ORIGIN,
        Minting.origin(
            TXN_TOKENS,
            txn,
            "alice@shop.example",
            TRUST_DOMAIN,
            originWorkload,
            deadline(),
            intent,
            authority,
            now.minusSeconds(5),
            now.plusSeconds(300)));
  }

  public String origin() {
    return origin(PLANNER, INTENT, Set.of(PLAN, RESERVE, CHARGE));
  }

  public Instant deadline() {
    return now.plus(Duration.ofHours(1));
  }

  public String binding(String originWorkload, Map<String, String> intent) {
    return dev.hopgate.pdp.digest.Digests.originBinding(
        txn,
        "alice@shop.example",
        TRUST_DOMAIN,
        originWorkload,
        deadline().getEpochSecond(),
        intent);
  }

  public String hop(String audience, String sub, String hopTxn, Map<String, String> intent) {
    return tokenService.sign(
        HopTokenVerifier.TYPE,
        Minting.hop(
            TOKENS,
            sub,
            audience,
            hopTxn,
            "jti-" + System.nanoTime(),
            intent,
            false,
            now.minusSeconds(5),
            now.plusSeconds(120)));
  }

  /** A one-time hop token ({@code once: true}) for {@code audience}, implicit intent. */
  public String hopOnce(String audience, String jti) {
    return tokenService.sign(
        HopTokenVerifier.TYPE,
        Minting.hop(
            TOKENS,
            "alice@shop.example",
            audience,
            txn,
            jti,
            null,
            true,
            now.minusSeconds(5),
            now.plusSeconds(120)));
  }

  public String hop(String audience) {
    return hop(audience, "alice@shop.example", txn, INTENT);
  }

  public String transition(
      String signedBy,
      String iss,
      String forTxn,
      int position,
      String pred,
      String component,
      String step,
      Set<String> authority,
      Instant exp) {
    return enforcers
        .get(signedBy)
        .sign(
            WireTypes.TRANSITION,
            Minting.transition(
                iss,
                forTxn,
                position,
                pred,
                component,
                step,
                authority,
                now.minusSeconds(1),
                exp,
                "decision-" + position));
  }

  /** The transition hopgate at {@code component} mints after allowing {@code step}. */
  public String transition(
      int position, String pred, String component, String step, Set<String> authority) {
    return transition(
        component,
        enforcementPoint(component),
        txn,
        position,
        pred,
        component,
        step,
        authority,
        now.plusSeconds(600));
  }

  public String completion(String component, String step, String forTxn) {
    return enforcers
        .get(component)
        .sign(
            WireTypes.COMPLETION,
            Minting.completion(
                enforcementPoint(component),
                forTxn,
                step,
                component,
                "decision-c",
                now.minusSeconds(2),
                now.plusSeconds(600)));
  }

  /** The valid two-transition chain a request from inventory to payments carries. */
  public List<String> validChain() {
    String t1 = transition(1, binding(PLANNER, INTENT), AGENT, PLAN, Set.of(RESERVE, CHARGE));
    String t2 =
        transition(
            2,
            dev.hopgate.pdp.digest.Digests.ofJws(t1),
            INVENTORY,
            RESERVE,
            Set.of(RESERVE, CHARGE));
    return List.of(t1, t2);
  }

  public HopRequest request(
      String hopToken,
      String originToken,
      List<String> chain,
      List<String> completions,
      String caller) {
    Map<String, String> headers = new HashMap<>();
    if (hopToken != null) {
      headers.put("authorization", "Bearer " + hopToken);
    }
    if (originToken != null) {
      headers.put(WireTypes.TXN_TOKEN, originToken);
    }
    if (!chain.isEmpty()) {
      headers.put(WireTypes.TXN_CHAIN, String.join("~", chain));
    }
    if (!completions.isEmpty()) {
      headers.put(WireTypes.TXN_COMPLETIONS, String.join("~", completions));
    }
    return new HopRequest(headers, Map.of(), "POST", "/", caller);
  }

  public static List<String> list(String... items) {
    return new ArrayList<>(List.of(items));
  }
}
