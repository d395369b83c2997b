package dev.hopgate.pdp.floor;

import static dev.hopgate.pdp.floor.ChainFixture.AGENT;
import static dev.hopgate.pdp.floor.ChainFixture.CHARGE;
import static dev.hopgate.pdp.floor.ChainFixture.INTENT;
import static dev.hopgate.pdp.floor.ChainFixture.INVENTORY;
import static dev.hopgate.pdp.floor.ChainFixture.NOW;
import static dev.hopgate.pdp.floor.ChainFixture.PAYMENTS;
import static dev.hopgate.pdp.floor.ChainFixture.PLAN;
import static dev.hopgate.pdp.floor.ChainFixture.PLANNER;
import static dev.hopgate.pdp.floor.ChainFixture.RESERVE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.request.HopRequest;
import dev.hopgate.pdp.token.HopToken;
import dev.hopgate.pdp.token.TokenCode;
import dev.hopgate.pdp.token.TokenRejection;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One named test per floor rule, each asserting the specific public code. */
class FloorTest {
  private final ChainFixture f = new ChainFixture();

  // --- what passes ------------------------------------------------------------------------------

  @Test
  void firstHop_fromTheOriginWorkload_withAnEmptyChain() throws Exception {
    VerifiedFacts facts =
        verify(f.request(f.hop(AGENT), f.origin(), List.of(), List.of(), PLANNER), AGENT);

    assertThat(facts.chain()).isEmpty();
    assertThat(facts.authority()).containsExactlyInAnyOrder(PLAN, RESERVE, CHARGE);
    assertThat(facts.manifest().component()).isEqualTo(AGENT);
  }

  @Test
  void thirdHop_withAValidChain_fromTheChainHead() throws Exception {
    VerifiedFacts facts =
        verify(
            f.request(f.hop(PAYMENTS), f.origin(), f.validChain(), List.of(), INVENTORY), PAYMENTS);

    assertThat(facts.chain()).extracting(Transition::component).containsExactly(AGENT, INVENTORY);
    assertThat(facts.authority()).containsExactlyInAnyOrder(RESERVE, CHARGE);
  }

  @Test
  void originTokenReplacedWithNarrowerAuthority_keepsTheChainValidAndNarrowsAtOnce()
      throws Exception {
    String replaced = f.origin(PLANNER, INTENT, Set.of(PLAN, CHARGE));
    VerifiedFacts facts =
        verify(
            f.request(f.hop(PAYMENTS), replaced, f.validChain(), List.of(), INVENTORY), PAYMENTS);

    assertThat(facts.authority()).containsExactly(CHARGE);
  }

  /**
   * Issue 18: the transition minted after a narrowing replacement took the chain head's authority
   * whole, so the step the replacement removed stayed in the chain for the hops after.
   */
  @Test
  void aTransitionMintedAfterANarrowingReplacement_carriesOnlyTheNarrowedAuthority()
      throws Exception {
    // The agent's transition carries RESERVE and CHARGE; the replacement keeps PLAN and CHARGE.
    String replaced = f.origin(PLANNER, INTENT, Set.of(PLAN, CHARGE));
    VerifiedFacts facts =
        verify(
            f.request(f.hop(INVENTORY), replaced, List.of(f.validChain().get(0)), List.of(), AGENT),
            INVENTORY);
    EnforcementPointSigner inventory = // its manifest delegates everything ("*")
        new EnforcementPointSigner(
            ChainFixture.enforcementPoint(INVENTORY),
            f.enforcers.get(INVENTORY),
            java.time.Duration.ofMinutes(1));

    String minted = inventory.transition(facts, INVENTORY, RESERVE, "decision-x", NOW);

    @SuppressWarnings("unchecked")
    List<String> authority =
        (List<String>)
            com.nimbusds.jose.JWSObject.parse(minted).getPayload().toJSONObject().get("authority");
    assertThat(facts.chain().get(0).authority()).contains(RESERVE);
    assertThat(authority).containsExactly(CHARGE);
  }

  /**
   * Issue 18: a manifest's {@code exp} was checked only when it was loaded, so a manifest that
   * expired afterwards kept vouching for its component (and its enforcement keys) until a reload.
   */
  @Test
  void aManifestThatExpiredAfterItLoaded_isJudgedAtUse() throws Exception {
    Instant soon = NOW.plusSeconds(30);
    f.manifests =
        ManifestRegistry.of(
            List.of(
                f.manifest(AGENT, List.of(PLAN), List.of(RESERVE, CHARGE)),
                f.manifest(INVENTORY, List.of(RESERVE), "*", soon),
                f.manifest(PAYMENTS, List.of(CHARGE), null, soon)));
    Floor floor = f.floor();
    HopRequest request =
        f.request(f.hop(PAYMENTS), f.origin(), f.validChain(), List.of(), INVENTORY);
    HopToken hop = floor.hopToken(request, PAYMENTS);
    floor.verify(hop, request, PAYMENTS, true, f.manifests, NOW, LedgerView.Lookup.NONE);

    assertThatThrownBy(
            () ->
                floor.verify(
                    hop,
                    request,
                    PAYMENTS,
                    true,
                    f.manifests,
                    NOW.plusSeconds(60),
                    LedgerView.Lookup.NONE))
        .isInstanceOf(FloorRejection.class)
        .hasMessageContaining("expired");
    HopRequest fromAgent =
        f.request(f.hop(PAYMENTS), f.origin(), List.of(f.validChain().get(0)), List.of(), AGENT);
    assertThatThrownBy(
            () ->
                floor.verify(
                    floor.hopToken(fromAgent, PAYMENTS),
                    fromAgent,
                    PAYMENTS,
                    true,
                    f.manifests,
                    NOW.plusSeconds(60),
                    LedgerView.Lookup.NONE))
        .isInstanceOfSatisfying(
            FloorRejection.class, e -> assertThat(e.code()).isEqualTo(FloorCode.MANIFEST_EXPIRED));
  }

  // --- Txn-Tokens from a standard transaction token service (draft-10) ------------------------

  /** A Txn-Token with the draft's claims only (no hopgate tctx), signed by the trusted service. */
  private String standardTxnToken(java.util.function.Consumer<Map<String, Object>> edit) {
    Map<String, Object> claims = new java.util.LinkedHashMap<>();
    claims.put("txn", f.txn);
    claims.put("sub", "alice@shop.example");
    claims.put("aud", ChainFixture.TRUST_DOMAIN);
    claims.put("iat", NOW.minusSeconds(5).getEpochSecond());
    claims.put("exp", NOW.plusSeconds(300).getEpochSecond());
    claims.put("scope", PLAN + " openid " + PLAN);
    claims.put("req_wl", PLANNER);
    claims.put("tctx", Map.of("action", "BUY", "ticker", "MSFT"));
    claims.put("rctx", Map.of("req_ip", "69.151.72.123", "authn", "face"));
    edit.accept(claims);
    try {
      return f.txnTokenService.sign(WireTypes.ORIGIN, com.nimbusds.jwt.JWTClaimsSet.parse(claims));
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A first hop to the agent, implicit intent, carrying {@code origin}. */
  private HopRequest firstHop(String origin) {
    return f.request(
        f.hop(AGENT, "alice@shop.example", f.txn, null), origin, List.of(), List.of(), PLANNER);
  }

  @Test
  void aDraft10TxnTokenWithoutHopgatesTctx_isAnImplicitIntentFromReqWlWithItsScopeAsAuthority()
      throws Exception {
    String origin = standardTxnToken(c -> {});
    VerifiedFacts facts = verify(firstHop(origin), AGENT);

    OriginToken token = facts.origin();
    assertThat(token.originWorkload()).isEqualTo(PLANNER);
    assertThat(token.intent()).isNull();
    assertThat(token.deadline()).isEqualTo(NOW.plusSeconds(300));
    assertThat(token.authority()).containsExactlyInAnyOrder(PLAN, "openid");
    assertThat(facts.authority()).containsExactlyInAnyOrder(PLAN, "openid");
    assertThat(token.claimed().scope()).containsExactly(PLAN, "openid");
    assertThat(token.claimed().requester()).isEqualTo(PLANNER);
    assertThat(token.claimed().context()).containsEntry("ticker", "MSFT");
    assertThat(token.claimed().requestContext()).containsEntry("authn", "face");
  }

  @Test
  void aDraft10TxnTokenWithoutHopgatesTctx_isRefusedUnlessTheDeploymentTakesStandardTokens() {
    String origin = standardTxnToken(c -> {});
    f.standardTxnTokens = false;

    assertThatThrownBy(() -> verify(firstHop(origin), AGENT))
        .isInstanceOfSatisfying(
            FloorRejection.class, e -> assertThat(e.code()).isEqualTo(FloorCode.ORIGIN_INVALID))
        .hasMessageContaining("standard_tokens");
  }

  @Test
  void aDraft10TxnToken_withoutIss_isTheOneIssuerOfItsTrustSet() throws Exception {
    String origin = standardTxnToken(c -> c.remove("iss"));

    assertThat(verify(firstHop(origin), AGENT).origin().txn()).isEqualTo(f.txn);
    String foreignIssuer = standardTxnToken(c -> c.put("iss", "https://elsewhere.example"));
    assertFloor(firstHop(foreignIssuer), AGENT, FloorCode.ORIGIN_INVALID);
  }

  @Test
  void aTxnTokenWithoutTheDraftsRequiredScopeOrReqWl_isOriginInvalid() {
    for (String claim : List.of("scope", "req_wl")) {
      String origin = standardTxnToken(c -> c.remove(claim));
      assertThatThrownBy(() -> verify(firstHop(origin), AGENT))
          .isInstanceOfSatisfying(
              FloorRejection.class, e -> assertThat(e.code()).isEqualTo(FloorCode.ORIGIN_INVALID))
          .hasMessageContaining("'" + claim + "'");
    }
  }

  @Test
  void aTctxWithSomeOfHopgatesMembersButNoOriginWl_isRefusedNotHalfRead() {
    String origin =
        standardTxnToken(c -> c.put("tctx", Map.of("authority", List.of(PLAN, RESERVE, CHARGE))));

    assertFloor(firstHop(origin), AGENT, FloorCode.ORIGIN_INVALID);
  }

  // --- identity ---------------------------------------------------------------------------------

  @Test
  void missingOriginToken_isOriginMissing() {
    assertFloor(
        f.request(f.hop(AGENT), null, List.of(), List.of(), PLANNER),
        AGENT,
        FloorCode.ORIGIN_MISSING);
  }

  @Test
  void originTokenSignedByAnotherKey_isOriginInvalid() {
    String forged =
        ChainFixture.signer("ES256", "tts-1")
            .sign(
                WireTypes.ORIGIN,
                Minting.origin(
                    ChainFixture.TXN_TOKENS,
                    f.txn,
                    "alice@shop.example",
                    ChainFixture.TRUST_DOMAIN,
                    PLANNER,
                    f.deadline(),
                    INTENT,
                    Set.of(PLAN),
                    NOW,
                    NOW.plusSeconds(60)));
    assertFloor(
        f.request(f.hop(AGENT), forged, List.of(), List.of(), PLANNER),
        AGENT,
        FloorCode.ORIGIN_INVALID);
  }

  @Test
  void originTokenSentTwice_isOriginInvalid() {
    HopRequest request =
        f.request(f.hop(AGENT), f.origin() + "," + f.origin(), List.of(), List.of(), PLANNER);
    assertFloor(request, AGENT, FloorCode.ORIGIN_INVALID);
  }

  @Test
  void hopTokenForAnotherPrincipal_isOriginMismatch() {
    String hop = f.hop(AGENT, "mallory@shop.example", f.txn, INTENT);
    assertFloor(
        f.request(hop, f.origin(), List.of(), List.of(), PLANNER),
        AGENT,
        FloorCode.ORIGIN_MISMATCH);
  }

  @Test
  void hopTokenForAnotherTxn_isOriginMismatch() {
    String hop = f.hop(AGENT, "alice@shop.example", "txn-other", INTENT);
    assertFloor(
        f.request(hop, f.origin(), List.of(), List.of(), PLANNER),
        AGENT,
        FloorCode.ORIGIN_MISMATCH);
  }

  @Test
  void hopTokenWithAnotherIntent_isOriginMismatch() {
    String hop = f.hop(AGENT, "alice@shop.example", f.txn, null);
    assertFloor(
        f.request(hop, f.origin(), List.of(), List.of(), PLANNER),
        AGENT,
        FloorCode.ORIGIN_MISMATCH);
  }

  @Test
  void wrongAudience_isTokenAudience() {
    assertThatThrownBy(
            () ->
                verify(
                    f.request(f.hop(PAYMENTS), f.origin(), List.of(), List.of(), PLANNER), AGENT))
        .isInstanceOfSatisfying(
            TokenRejection.class, e -> assertThat(e.code()).isEqualTo(TokenCode.TOKEN_AUDIENCE));
  }

  @Test
  void revokedTxn_isRevoked() {
    f.revocations = RevocationFeed.of(Set.of(), Set.of(f.txn));
    assertFloor(
        f.request(f.hop(AGENT), f.origin(), List.of(), List.of(), PLANNER),
        AGENT,
        FloorCode.REVOKED);
  }

  @Test
  void revokedPrincipal_isRevoked() {
    f.revocations = RevocationFeed.of(Set.of("alice@shop.example"), Set.of());
    assertFloor(
        f.request(f.hop(AGENT), f.origin(), List.of(), List.of(), PLANNER),
        AGENT,
        FloorCode.REVOKED);
  }

  // --- caller continuity ------------------------------------------------------------------------

  @Test
  void emptyChainFromAWorkloadOtherThanTheOrigin_isChainCaller() {
    // A service shortens the chain to nothing to pose as the planner.
    assertFloor(
        f.request(f.hop(PAYMENTS), f.origin(), List.of(), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_CALLER);
  }

  @Test
  void chainPresentedByACallerThatIsNotItsHead_isChainCaller() {
    assertFloor(
        f.request(f.hop(PAYMENTS), f.origin(), f.validChain(), List.of(), AGENT),
        PAYMENTS,
        FloorCode.CHAIN_CALLER);
  }

  @Test
  void droppedTransitionsPresentedByAnEarlierHopsCaller_isChainCaller() {
    // Inventory drops its own transition so the chain ends at the agent, then calls as itself.
    List<String> shortened = f.validChain().subList(0, 1);
    assertFloor(
        f.request(f.hop(PAYMENTS), f.origin(), shortened, List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_CALLER);
  }

  @Test
  void noCallerIdentityOnARouteThatRequiresIt_isChainCaller() {
    assertFloor(
        f.request(f.hop(AGENT), f.origin(), List.of(), List.of(), null),
        AGENT,
        FloorCode.CHAIN_CALLER);
  }

  @Test
  void routeWithoutCallerIdentity_acceptsOnlyAnEmptyChain() throws Exception {
    assertThat(
            f.floor()
                .verify(
                    f.request(f.hop(AGENT), f.origin(), List.of(), List.of(), null),
                    AGENT,
                    false,
                    f.manifests,
                    NOW)
                .chain())
        .isEmpty();
    assertThatThrownBy(
            () ->
                f.floor()
                    .verify(
                        f.request(f.hop(PAYMENTS), f.origin(), f.validChain(), List.of(), null),
                        PAYMENTS,
                        false,
                        f.manifests,
                        NOW))
        .isInstanceOfSatisfying(
            FloorRejection.class, e -> assertThat(e.code()).isEqualTo(FloorCode.CHAIN_CALLER));
  }

  // --- provenance -------------------------------------------------------------------------------

  @Test
  void transitionSplicedFromAnotherTxn_isChainBroken() {
    List<String> chain = f.validChain();
    String foreign =
        f.transition(
            INVENTORY,
            ChainFixture.enforcementPoint(INVENTORY),
            "txn-other",
            2,
            Digests.ofJws(chain.get(0)),
            INVENTORY,
            RESERVE,
            Set.of(RESERVE, CHARGE),
            NOW.plusSeconds(600));
    assertFloor(
        f.request(
            f.hop(PAYMENTS), f.origin(), List.of(chain.get(0), foreign), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_BROKEN);
  }

  @Test
  void brokenPred_isChainBroken() {
    String t1 = f.validChain().get(0);
    String t2 =
        f.transition(
            2, Digests.ofJws("somebody.else's.transition"), INVENTORY, RESERVE, Set.of(RESERVE));
    assertFloor(
        f.request(f.hop(PAYMENTS), f.origin(), List.of(t1, t2), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_BROKEN);
  }

  @Test
  void positionGap_isChainBroken() {
    String t1 = f.validChain().get(0);
    String t3 = f.transition(3, Digests.ofJws(t1), INVENTORY, RESERVE, Set.of(RESERVE));
    assertFloor(
        f.request(f.hop(PAYMENTS), f.origin(), List.of(t1, t3), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_BROKEN);
  }

  @Test
  void reorderedChain_isChainBroken() {
    List<String> chain = f.validChain();
    assertFloor(
        f.request(
            f.hop(PAYMENTS), f.origin(), List.of(chain.get(1), chain.get(0)), List.of(), AGENT),
        PAYMENTS,
        FloorCode.CHAIN_BROKEN);
  }

  @Test
  void tamperedTransition_isChainBroken() {
    List<String> chain = f.validChain();
    String[] parts = chain.get(1).split("\\.");
    String payload =
        com.nimbusds.jose.util.Base64URL.encode(
                com.nimbusds.jose.util.Base64URL.from(parts[1])
                    .decodeToString()
                    .replace(
                        "reserve-stock\"]",
                        "reserve-stock\",\"urn:ops:step:drop-production-database\"]"))
            .toString();
    String tampered = parts[0] + "." + payload + "." + parts[2];
    assertFloor(
        f.request(
            f.hop(PAYMENTS), f.origin(), List.of(chain.get(0), tampered), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_BROKEN);
  }

  @Test
  void originReplacedWithAnotherOriginWorkload_breaksTheChain() {
    String replaced =
        f.origin("spiffe://shop.example/impostor", INTENT, Set.of(PLAN, RESERVE, CHARGE));
    assertFloor(
        f.request(f.hop(PAYMENTS), replaced, f.validChain(), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_BROKEN);
  }

  @Test
  void originReplacedWithAnotherIntent_breaksTheChain() {
    Map<String, String> other =
        Map.of("process", "urn:shop:process:refund", "digest", "sha256:" + "cd".repeat(32));
    String replaced = f.origin(PLANNER, other, Set.of(PLAN, RESERVE, CHARGE));
    String hop = f.hop(PAYMENTS, "alice@shop.example", f.txn, other);
    assertFloor(
        f.request(hop, replaced, f.validChain(), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_BROKEN);
  }

  @Test
  void transitionSignedByAKeyNotInTheComponentsManifest_isChainSigner() {
    // The agent's enforcement point signs a transition claiming to be the inventory's.
    String t1 = f.validChain().get(0);
    String t2 =
        f.transition(
            AGENT,
            ChainFixture.enforcementPoint(INVENTORY),
            f.txn,
            2,
            Digests.ofJws(t1),
            INVENTORY,
            RESERVE,
            Set.of(RESERVE),
            NOW.plusSeconds(600));
    assertFloor(
        f.request(f.hop(PAYMENTS), f.origin(), List.of(t1, t2), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_SIGNER);
  }

  @Test
  void transitionForAStepTheComponentDoesNotPerform_isChainSigner() {
    String t1 = f.transition(1, f.binding(PLANNER, INTENT), AGENT, CHARGE, Set.of());
    assertFloor(
        f.request(f.hop(INVENTORY), f.origin(), List.of(t1), List.of(), AGENT),
        INVENTORY,
        FloorCode.CHAIN_SIGNER);
  }

  @Test
  void transitionForAComponentWithoutManifest_isChainSigner() {
    f.enforcers.put("spiffe://shop.example/ghost", ChainFixture.signer("EdDSA", "ep-ghost"));
    String t1 =
        f.transition(
            "spiffe://shop.example/ghost",
            "spiffe://shop.example/hopgate/ghost",
            f.txn,
            1,
            f.binding(PLANNER, INTENT),
            "spiffe://shop.example/ghost",
            PLAN,
            Set.of(),
            NOW.plusSeconds(600));
    assertFloor(
        f.request(
            f.hop(INVENTORY), f.origin(), List.of(t1), List.of(), "spiffe://shop.example/ghost"),
        INVENTORY,
        FloorCode.CHAIN_SIGNER);
  }

  @Test
  void transitionIssuedInTheNameOfAnotherEnforcementPoint_isChainSigner() {
    String t1 =
        f.transition(
            AGENT,
            "spiffe://shop.example/hopgate/someone-else",
            f.txn,
            1,
            f.binding(PLANNER, INTENT),
            AGENT,
            PLAN,
            Set.of(),
            NOW.plusSeconds(600));
    assertFloor(
        f.request(f.hop(INVENTORY), f.origin(), List.of(t1), List.of(), AGENT),
        INVENTORY,
        FloorCode.CHAIN_SIGNER);
  }

  // --- continuity -------------------------------------------------------------------------------

  @Test
  void widenedAuthority_isChainWidened() {
    String t1 = f.transition(1, f.binding(PLANNER, INTENT), AGENT, PLAN, Set.of(RESERVE));
    String t2 = f.transition(2, Digests.ofJws(t1), INVENTORY, RESERVE, Set.of(RESERVE, CHARGE));
    assertFloor(
        f.request(f.hop(PAYMENTS), f.origin(), List.of(t1, t2), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_WIDENED);
  }

  @Test
  void authorityBeyondTheManifestsDelegates_isChainWidened() {
    String t1 =
        f.transition(1, f.binding(PLANNER, INTENT), AGENT, PLAN, Set.of(RESERVE, CHARGE, PLAN));
    assertFloor(
        f.request(f.hop(INVENTORY), f.origin(), List.of(t1), List.of(), AGENT),
        INVENTORY,
        FloorCode.CHAIN_WIDENED);
  }

  @Test
  void manifestWithoutDelegates_delegatesNothing() throws Exception {
    List<String> chain = f.validChain();
    String t3 = f.transition(3, Digests.ofJws(chain.get(1)), PAYMENTS, CHARGE, Set.of(CHARGE));
    assertFloor(
        f.request(
            f.hop(INVENTORY),
            f.origin(),
            List.of(chain.get(0), chain.get(1), t3),
            List.of(),
            PAYMENTS),
        INVENTORY,
        FloorCode.CHAIN_WIDENED);

    String honest = f.transition(3, Digests.ofJws(chain.get(1)), PAYMENTS, CHARGE, Set.of());
    VerifiedFacts facts =
        verify(
            f.request(
                f.hop(INVENTORY),
                f.origin(),
                List.of(chain.get(0), chain.get(1), honest),
                List.of(),
                PAYMENTS),
            INVENTORY);
    assertThat(facts.authority()).isEmpty();
  }

  @Test
  void expExtendedByAHop_isChainWidened() {
    String t1 =
        f.transition(
            AGENT,
            ChainFixture.enforcementPoint(AGENT),
            f.txn,
            1,
            f.binding(PLANNER, INTENT),
            AGENT,
            PLAN,
            Set.of(RESERVE, CHARGE),
            NOW.plusSeconds(300));
    String t2 =
        f.transition(
            INVENTORY,
            ChainFixture.enforcementPoint(INVENTORY),
            f.txn,
            2,
            Digests.ofJws(t1),
            INVENTORY,
            RESERVE,
            Set.of(RESERVE),
            NOW.plusSeconds(900));
    assertFloor(
        f.request(f.hop(PAYMENTS), f.origin(), List.of(t1, t2), List.of(), INVENTORY),
        PAYMENTS,
        FloorCode.CHAIN_WIDENED);
  }

  @Test
  void expiredTransition_isChainExpired() {
    String t1 =
        f.transition(
            AGENT,
            ChainFixture.enforcementPoint(AGENT),
            f.txn,
            1,
            f.binding(PLANNER, INTENT),
            AGENT,
            PLAN,
            Set.of(RESERVE),
            NOW.minusSeconds(60));
    assertFloor(
        f.request(f.hop(INVENTORY), f.origin(), List.of(t1), List.of(), AGENT),
        INVENTORY,
        FloorCode.CHAIN_EXPIRED);
  }

  /** Before: a transition with nbf an hour ahead was accepted (nbf was never read). */
  @Test
  void aTransitionNotValidYet_isChainNotYetValid() {
    com.nimbusds.jwt.JWTClaimsSet claims =
        new com.nimbusds.jwt.JWTClaimsSet.Builder(
                dev.hopgate.pdp.wire.Minting.transition(
                    ChainFixture.enforcementPoint(AGENT),
                    f.txn,
                    1,
                    f.binding(PLANNER, INTENT),
                    AGENT,
                    PLAN,
                    Set.of(RESERVE),
                    NOW.minusSeconds(1),
                    NOW.plusSeconds(600),
                    "decision-1"))
            .notBeforeTime(java.util.Date.from(NOW.plusSeconds(3600)))
            .build();
    String t1 = f.enforcers.get(AGENT).sign(dev.hopgate.pdp.wire.WireTypes.TRANSITION, claims);
    assertFloor(
        f.request(f.hop(INVENTORY), f.origin(), List.of(t1), List.of(), AGENT),
        INVENTORY,
        FloorCode.CHAIN_NOT_YET_VALID);
  }

  // --- shape and bounds -------------------------------------------------------------------------

  @Test
  void commaJoinedTxnChain_isChainMalformed() {
    List<String> chain = f.validChain();
    HopRequest request =
        withHeader(
            f.request(f.hop(PAYMENTS), f.origin(), List.of(), List.of(), INVENTORY),
            WireTypes.TXN_CHAIN,
            chain.get(0) + "~" + chain.get(1) + "," + chain.get(0));
    assertFloor(request, PAYMENTS, FloorCode.CHAIN_MALFORMED);
  }

  @Test
  void emptyChainElement_isChainMalformed() {
    HopRequest request =
        withHeader(
            f.request(f.hop(PAYMENTS), f.origin(), List.of(), List.of(), INVENTORY),
            WireTypes.TXN_CHAIN,
            f.validChain().get(0) + "~~");
    assertFloor(request, PAYMENTS, FloorCode.CHAIN_MALFORMED);
  }

  @Test
  void truncatedTransition_isChainMalformed() {
    String t1 = f.validChain().get(0);
    HopRequest request =
        withHeader(
            f.request(f.hop(INVENTORY), f.origin(), List.of(), List.of(), AGENT),
            WireTypes.TXN_CHAIN,
            t1.substring(0, t1.indexOf('.') + 5));
    assertFloor(request, INVENTORY, FloorCode.CHAIN_MALFORMED);
  }

  @Test
  void oversizeTxnChain_isChainTooLarge() {
    HopRequest request =
        withHeader(
            f.request(f.hop(PAYMENTS), f.origin(), List.of(), List.of(), INVENTORY),
            WireTypes.TXN_CHAIN,
            "a.b.c~".repeat(4000));
    assertFloor(request, PAYMENTS, FloorCode.CHAIN_TOO_LARGE);
  }

  @Test
  void tooManyTransitions_isChainTooLarge() {
    HopRequest request =
        withHeader(
            f.request(f.hop(PAYMENTS), f.origin(), List.of(), List.of(), INVENTORY),
            WireTypes.TXN_CHAIN,
            String.join("~", java.util.Collections.nCopies(33, "a.b.c")));
    assertFloor(request, PAYMENTS, FloorCode.CHAIN_TOO_LARGE);
  }

  // --- completions ------------------------------------------------------------------------------

  @Test
  void completions_verifiedOnesCountAndTheOthersAreIgnoredAndCounted() throws Exception {
    String good = f.completion(INVENTORY, RESERVE, f.txn);
    String otherTxn = f.completion(INVENTORY, RESERVE, "txn-other");
    String notPerformed = f.completion(INVENTORY, CHARGE, f.txn);
    String forgedSigner =
        f.enforcers
            .get(AGENT)
            .sign(
                WireTypes.COMPLETION,
                Minting.completion(
                    ChainFixture.enforcementPoint(INVENTORY),
                    f.txn,
                    RESERVE,
                    INVENTORY,
                    "d",
                    NOW,
                    NOW.plusSeconds(60)));
    VerifiedFacts facts =
        verify(
            f.request(
                f.hop(PAYMENTS),
                f.origin(),
                f.validChain(),
                List.of(good, otherTxn, notPerformed, forgedSigner),
                INVENTORY),
            PAYMENTS);

    assertThat(facts.completions().completed())
        .extracting(Completion::step)
        .containsExactly(RESERVE);
    assertThat(facts.completions().ignored())
        .hasSize(3)
        .anySatisfy(m -> assertThat(m).contains("another txn"))
        .anySatisfy(m -> assertThat(m).contains("does not perform"))
        .anySatisfy(
            m ->
                assertThat(m)
                    .contains("which the enforcement points of " + INVENTORY + " does not hold"));
  }

  // --- helpers ----------------------------------------------------------------------------------

  @Test
  void
      completionsFromTheLedger_areVerifiedLikeCarriedOnes_andItsRunningStepsOnlyWithTheirTransition()
          throws Exception {
    String good = f.completion(INVENTORY, RESERVE, f.txn);
    String forged =
        f.enforcers
            .get(AGENT)
            .sign(
                WireTypes.COMPLETION,
                Minting.completion(
                    ChainFixture.enforcementPoint(INVENTORY),
                    f.txn,
                    RESERVE,
                    INVENTORY,
                    "d",
                    NOW,
                    NOW.plusSeconds(60)));
    String charging = f.transition(3, "pred", PAYMENTS, CHARGE, Set.of(CHARGE));
    String forgedTransition =
        f.transition(
            AGENT,
            ChainFixture.enforcementPoint(INVENTORY),
            f.txn,
            2,
            "pred",
            INVENTORY,
            RESERVE,
            Set.of(RESERVE),
            NOW.plusSeconds(600));
    List<LinkedHop> running =
        List.of(
            new LinkedHop(
                "decision-3",
                PAYMENTS,
                CHARGE,
                ChainFixture.enforcementPoint(PAYMENTS),
                NOW,
                null,
                charging,
                null),
            // Signed by another component's enforcement point: not evidence.
            new LinkedHop(
                "decision-2",
                INVENTORY,
                RESERVE,
                ChainFixture.enforcementPoint(INVENTORY),
                NOW,
                null,
                forgedTransition,
                null),
            // A real transition offered for another hop: not evidence of this one.
            new LinkedHop(
                "decision-9",
                PAYMENTS,
                CHARGE,
                ChainFixture.enforcementPoint(PAYMENTS),
                NOW,
                null,
                charging,
                null));
    Floor floor = f.floor();
    dev.hopgate.pdp.floor.LedgerView.Lookup ledger =
        txn ->
            txn.equals(f.txn)
                ? new dev.hopgate.pdp.floor.LedgerView(List.of(good, forged), running)
                : dev.hopgate.pdp.floor.LedgerView.EMPTY;
    HopRequest request =
        f.request(f.hop(PAYMENTS), f.origin(), f.validChain(), List.of(), INVENTORY);
    VerifiedFacts facts =
        floor.verify(
            floor.hopToken(request, PAYMENTS), request, PAYMENTS, true, f.manifests, NOW, ledger);

    assertThat(facts.completions().completed())
        .extracting(Completion::step)
        .containsExactly(RESERVE);
    assertThat(facts.completions().ignored()).hasSize(1);
    assertThat(floor.ignoredCompletions()).isEqualTo(1);
    assertThat(facts.runningElsewhere()).containsExactly(CHARGE);
  }

  @Test
  void aLedgerThatFailsToAnswer_addsNothing_andFailsNoRequest() throws Exception {
    Floor floor = f.floor();
    HopRequest request =
        f.request(f.hop(PAYMENTS), f.origin(), f.validChain(), List.of(), INVENTORY);
    VerifiedFacts facts =
        floor.verify(
            floor.hopToken(request, PAYMENTS),
            request,
            PAYMENTS,
            true,
            f.manifests,
            NOW,
            txn -> {
              throw new java.time.DateTimeException("a time no clock can hold");
            });
    assertThat(facts.completions().completed()).isEmpty();
    assertThat(facts.runningElsewhere()).isEmpty();
  }

  private VerifiedFacts verify(HopRequest request, String component) throws Exception {
    return f.floor().verify(request, component, true, f.manifests, NOW);
  }

  private void assertFloor(HopRequest request, String component, FloorCode code) {
    assertThatThrownBy(() -> verify(request, component))
        .isInstanceOfSatisfying(
            FloorRejection.class, e -> assertThat(e.code()).as(e.getMessage()).isEqualTo(code));
  }

  private static HopRequest withHeader(HopRequest request, String name, String value) {
    Map<String, String> headers = new HashMap<>(request.headers());
    headers.put(name, value);
    return new HopRequest(
        headers,
        request.contextExtensions(),
        request.method(),
        request.path(),
        request.sourcePrincipal());
  }
}
