package dev.hopgate.pdp.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.hopgate.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HopTokenVerifierTest {
  private static final String ISSUER = "https://tokens.shop.example";
  private static final String COMPONENT = "spiffe://shop.example/inventory";
  private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

  @TempDir Path dir;
  private Path jwks;
  private JwsSigning es256;
  private JwsSigning eddsa;
  private MutableClock clock;
  private HopTokenVerifier verifier;

  @BeforeEach
  void setUp() throws Exception {
    es256 = JwsSigning.of(JwsSigning.generate("ES256", "ts-es256"));
    eddsa = JwsSigning.of(JwsSigning.generate("EdDSA", "ts-ed25519"));
    jwks = dir.resolve("jwks.json");
    writeJwks(es256.key(), eddsa.key());
    clock = new MutableClock(NOW);
    JwksFileKeySource keys =
        JwksFileKeySource.load(jwks, Duration.ofSeconds(1), Duration.ofSeconds(60), clock);
    TrustSet trust =
        new TrustSet("token-service", Set.of(ISSUER), TrustSet.DEFAULT_ALGORITHMS, keys);
    verifier = new HopTokenVerifier(trust, Duration.ofSeconds(30), Duration.ofMinutes(5), clock);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ES256", "EdDSA"})
  void verify_acceptsAValidToken(String alg) throws Exception {
    JwsSigning signer = alg.equals("ES256") ? es256 : eddsa;
    HopToken token =
        verifier.verify(bearer(signer.sign(HopTokenVerifier.TYPE, claims().build())), COMPONENT);

    assertThat(token.subject()).isEqualTo("alice@shop.example");
    assertThat(token.audience()).isEqualTo(COMPONENT);
    assertThat(token.txn()).isEqualTo("txn-1");
    assertThat(token.once()).isFalse();
    assertThat(token.keyId()).isEqualTo(signer.key().getKeyID());
  }

  @Test
  void verify_acceptsLowerCaseSchemeAndOneElementAudienceArray() throws Exception {
    String token = es256.sign(HopTokenVerifier.TYPE, claims().audience(List.of(COMPONENT)).build());
    assertThat(verifier.verify("bearer " + token, COMPONENT).audience()).isEqualTo(COMPONENT);
  }

  @Test
  void verify_rejectsMissingHeader() {
    assertRejected(null, TokenCode.TOKEN_MISSING);
    assertRejected("", TokenCode.TOKEN_MISSING);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Basic YWxpY2U6cHc=",
        "Bearer",
        "Bearer  two spaces",
        "Bearer a.b.c, Bearer d.e.f",
        "Bearer not-a-jws",
        "Bearer a.b",
        "Bearer a.b.c.d.e"
      })
  void verify_rejectsMalformedCredentials(String header) {
    assertRejected(header, TokenCode.TOKEN_MALFORMED);
  }

  @Test
  void verify_rejectsOversizeHeaderBeforeParsing() {
    assertRejected("Bearer " + "a".repeat(20_000), TokenCode.TOKEN_MALFORMED);
  }

  @Test
  void verify_rejectsAlgNone() {
    String header =
        Base64URL.encode("{\"alg\":\"none\",\"typ\":\"hop+jwt\",\"kid\":\"ts-es256\"}").toString();
    String payload = Base64URL.encode(claims().build().toString()).toString();
    assertRejected(bearer(header + "." + payload + "."), TokenCode.TOKEN_ALGORITHM);
  }

  @Test
  void verify_rejectsHs256SignedWithThePublicKeyAsSecret() throws Exception {
    byte[] secret = es256.key().toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256)
                .type(HopTokenVerifier.TYPE)
                .keyID("ts-es256")
                .build(),
            claims().build());
    jwt.sign(new MACSigner(secret));
    assertRejected(bearer(jwt.serialize()), TokenCode.TOKEN_ALGORITHM);
  }

  @Test
  void verify_rejectsAlgorithmThatDoesNotFitTheKey() {
    // An EdDSA signature presented under the kid of the ES256 key.
    JwsSigning impostor = JwsSigning.of(JwsSigning.generate("EdDSA", "ts-es256"));
    assertRejected(
        bearer(impostor.sign(HopTokenVerifier.TYPE, claims().build())), TokenCode.TOKEN_ALGORITHM);
  }

  @Test
  void verify_rejectsUnknownKid() {
    JwsSigning stranger = JwsSigning.of(JwsSigning.generate("ES256", "someone-else"));
    assertRejected(
        bearer(stranger.sign(HopTokenVerifier.TYPE, claims().build())),
        TokenCode.TOKEN_UNKNOWN_KEY);
  }

  @Test
  void verify_rejectsSignatureByAnotherKeyUnderATrustedKid() {
    JwsSigning forger = JwsSigning.of(JwsSigning.generate("ES256", "ts-es256"));
    assertRejected(
        bearer(forger.sign(HopTokenVerifier.TYPE, claims().build())), TokenCode.TOKEN_SIGNATURE);
  }

  @Test
  void verify_rejectsTamperedPayload() {
    String[] parts = es256.sign(HopTokenVerifier.TYPE, claims().build()).split("\\.");
    String forged =
        Base64URL.encode(claims().subject("mallory@shop.example").build().toString()).toString();
    assertRejected(bearer(parts[0] + "." + forged + "." + parts[2]), TokenCode.TOKEN_SIGNATURE);
  }

  @Test
  void verify_rejectsEmptySignature() {
    String[] parts = eddsa.sign(HopTokenVerifier.TYPE, claims().build()).split("\\.");
    assertRejected(bearer(parts[0] + "." + parts[1] + "."), TokenCode.TOKEN_SIGNATURE);
  }

  @Test
  void verify_rejectsKeyRemovedFromTheJwks() throws Exception {
    String token = es256.sign(HopTokenVerifier.TYPE, claims().build());
    assertThat(verifier.verify(bearer(token), COMPONENT).keyId()).isEqualTo("ts-es256");
    writeJwks(eddsa.key());
    clock.advance(Duration.ofSeconds(61));
    assertRejected(bearer(token), TokenCode.TOKEN_UNKNOWN_KEY);
  }

  @Test
  void verify_findsAKeyAddedToTheJwksAfterStart() throws Exception {
    JwsSigning rotated = JwsSigning.of(JwsSigning.generate("ES256", "ts-rotated"));
    writeJwks(es256.key(), eddsa.key(), rotated.key());
    clock.advance(Duration.ofSeconds(2));
    assertThat(
            verifier
                .verify(bearer(rotated.sign(HopTokenVerifier.TYPE, claims().build())), COMPONENT)
                .keyId())
        .isEqualTo("ts-rotated");
  }

  @Test
  void verify_keepsTheLastGoodKeysWhenTheJwksBreaks() throws Exception {
    String token = es256.sign(HopTokenVerifier.TYPE, claims().build());
    Files.writeString(jwks, "{not json");
    clock.advance(Duration.ofSeconds(61));
    assertThat(verifier.verify(bearer(token), COMPONENT).keyId()).isEqualTo("ts-es256");
  }

  @Test
  void load_rejectsPrivateKeysInATrustSet() throws Exception {
    Files.writeString(jwks, new JWKSet(es256.key()).toString(false));
    assertThatThrownBy(
            () ->
                JwksFileKeySource.load(jwks, Duration.ofSeconds(1), Duration.ofSeconds(60), clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ts-es256")
        .hasMessageContaining("private key material");
  }

  @Test
  void verify_rejectsWrongType() {
    assertRejected(
        bearer(es256.sign(new JOSEObjectType("txntoken+jwt"), claims().build())),
        TokenCode.TOKEN_MALFORMED);
    assertRejected(
        bearer(es256.sign(JOSEObjectType.JWT, claims().build())), TokenCode.TOKEN_MALFORMED);
  }

  @Test
  void verify_rejectsMissingKid() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).type(HopTokenVerifier.TYPE).build(),
            claims().build());
    jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(es256.key().toECKey()));
    assertRejected(bearer(jwt.serialize()), TokenCode.TOKEN_MALFORMED);
  }

  /**
   * Before: a crit extension was refused, but as token_signature (Nimbus's verify returned false),
   * sending the caller to re-check keys that were fine.
   */
  @Test
  void verify_rejectsACriticalExtension_asItsOwnCode() throws Exception {
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(HopTokenVerifier.TYPE)
                .keyID("ts-es256")
                .customParam("exp-ext", 1)
                .criticalParams(java.util.Set.of("exp-ext"))
                .build(),
            claims().build());
    jwt.sign(new com.nimbusds.jose.crypto.ECDSASigner(es256.key().toECKey()));
    assertRejected(bearer(jwt.serialize()), TokenCode.TOKEN_CRITICAL);
  }

  @Test
  void verify_rejectsExpiredTokenBeyondTheSkew() {
    String token =
        sign(
            c ->
                c.issueTime(Date.from(NOW.minusSeconds(200)))
                    .expirationTime(Date.from(NOW.minusSeconds(31))));
    assertRejected(bearer(token), TokenCode.TOKEN_EXPIRED);
  }

  @Test
  void verify_acceptsExpiryWithinTheSkew() throws Exception {
    String token =
        sign(
            c ->
                c.issueTime(Date.from(NOW.minusSeconds(200)))
                    .expirationTime(Date.from(NOW.minusSeconds(29))));
    assertThat(verifier.verify(bearer(token), COMPONENT).txn()).isEqualTo("txn-1");
  }

  @Test
  void verify_rejectsTokenIssuedInTheFuture() {
    String token =
        sign(
            c ->
                c.issueTime(Date.from(NOW.plusSeconds(60)))
                    .expirationTime(Date.from(NOW.plusSeconds(120))));
    assertRejected(bearer(token), TokenCode.TOKEN_NOT_YET_VALID);
  }

  @Test
  void verify_rejectsATokenNotValidYet_pastTheSkew() {
    String early = sign(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(31))));
    String withinSkew = sign(c -> c.notBeforeTime(Date.from(NOW.plusSeconds(30))));

    assertRejected(bearer(early), TokenCode.TOKEN_NOT_YET_VALID);
    assertThatCode(() -> verifier.verify(bearer(withinSkew), COMPONENT)).doesNotThrowAnyException();
  }

  @Test
  void verify_rejectsLifetimeOverTheCap() {
    String token =
        sign(
            c ->
                c.issueTime(Date.from(NOW))
                    .expirationTime(Date.from(NOW.plus(Duration.ofHours(1)))));
    assertRejected(bearer(token), TokenCode.TOKEN_MALFORMED);
  }

  @Test
  void verify_rejectsWrongAudience() {
    assertRejected(
        bearer(sign(c -> c.audience("spiffe://shop.example/payments"))), TokenCode.TOKEN_AUDIENCE);
  }

  @Test
  void verify_rejectsTwoAudiences() {
    assertRejected(
        bearer(sign(c -> c.audience(List.of(COMPONENT, "spiffe://shop.example/payments")))),
        TokenCode.TOKEN_AUDIENCE);
  }

  @Test
  void verify_rejectsIssuerOutsideTheTrustSet() {
    assertRejected(
        bearer(sign(c -> c.issuer("https://evil.example"))), TokenCode.TOKEN_UNKNOWN_KEY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"sub", "txn", "jti", "iss", "iat", "exp"})
  void verify_rejectsMissingRequiredClaim(String claim) {
    assertRejected(bearer(sign(c -> c.claim(claim, null))), TokenCode.TOKEN_MALFORMED);
  }

  @Test
  void verify_rejectsNonBooleanOnce() {
    assertRejected(bearer(sign(c -> c.claim("once", "yes"))), TokenCode.TOKEN_MALFORMED);
  }

  @Test
  void verify_readsOnceAndIntent() throws Exception {
    Map<String, Object> intent =
        Map.of("process", "urn:shop:process:checkout", "digest", "sha256:00");
    HopToken token =
        verifier.verify(
            bearer(sign(c -> c.claim("once", true).claim("intent", intent))), COMPONENT);
    assertThat(token.once()).isTrue();
    assertThat(token.intent()).isEqualTo(intent);
  }

  @Test
  void rejectionMessages_neverContainTheToken() {
    String token = sign(c -> c.audience("spiffe://shop.example/payments"));
    assertThatThrownBy(() -> verifier.verify(bearer(token), COMPONENT))
        .isInstanceOf(TokenRejection.class)
        .message()
        .doesNotContain(token)
        .doesNotContain(token.split("\\.")[2]);
  }

  private String sign(UnaryOperator<JWTClaimsSet.Builder> edit) {
    return es256.sign(HopTokenVerifier.TYPE, edit.apply(claims()).build());
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .subject("alice@shop.example")
        .audience(COMPONENT)
        .claim("txn", "txn-1")
        .jwtID("jti-1")
        .issueTime(Date.from(NOW.minusSeconds(10)))
        .expirationTime(Date.from(NOW.plusSeconds(120)));
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  private void assertRejected(String header, TokenCode code) {
    assertThatThrownBy(() -> verifier.verify(header, COMPONENT))
        .isInstanceOfSatisfying(TokenRejection.class, r -> assertThat(r.code()).isEqualTo(code));
  }

  private void writeJwks(JWK... keys) throws Exception {
    List<JWK> publicKeys = java.util.Arrays.stream(keys).map(JWK::toPublicJWK).toList();
    Files.writeString(jwks, new JWKSet(publicKeys).toString(false));
  }

  @Test
  void bearerToken_isOneB64tokenAfterACaseInsensitiveScheme() {
    assertThat(HopTokenVerifier.bearerToken("Bearer a.b.c")).isEqualTo("a.b.c");
    assertThat(HopTokenVerifier.bearerToken("bEaReR a-b_c~d+e/f==")).isEqualTo("a-b_c~d+e/f==");
    for (String bad :
        java.util.List.of(
            "Bearer ",
            "Bearer",
            "Basic a.b.c",
            "Bearer a b",
            "Bearer a.b.c,x",
            "Bearer ==",
            "Bearer a=b",
            "Bearer  a",
            "Bearera.b.c")) {
      assertThat(HopTokenVerifier.bearerToken(bad)).as(bad).isNull();
    }
  }

  @Test
  void aOnceToken_isNotKeptInTheVerifiedSignatureCache_aReusableOneIs() throws Exception {
    JwsVerifier jws = new JwsVerifier(1 << 20, Duration.ofHours(1));
    HopTokenVerifier cached =
        new HopTokenVerifier(
            new TrustSet(
                "token-service",
                Set.of(ISSUER),
                TrustSet.DEFAULT_ALGORITHMS,
                JwksFileKeySource.load(jwks, Duration.ofSeconds(1), Duration.ofSeconds(60), clock)),
            jws,
            Duration.ofSeconds(30),
            Duration.ofMinutes(5),
            clock);
    cached.verify(bearer(sign(c -> c.claim("once", true))), COMPONENT);
    assertThat(jws.cachedSignatures()).isZero();
    cached.verify(bearer(sign(c -> c)), COMPONENT);
    assertThat(jws.cachedSignatures()).isEqualTo(1);
  }
}
