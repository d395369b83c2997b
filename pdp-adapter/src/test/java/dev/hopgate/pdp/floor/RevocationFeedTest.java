package dev.hopgate.pdp.floor;

import static dev.hopgate.pdp.floor.ChainFixture.AGENT;
import static dev.hopgate.pdp.floor.ChainFixture.NOW;
import static dev.hopgate.pdp.floor.ChainFixture.PLANNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevocationFeedTest {
  @TempDir Path dir;
  private final ChainFixture f = new ChainFixture();
  private final MutableClock clock = new MutableClock(NOW);
  private RefreshingRevocationFeed feed;

  @AfterEach
  void tearDown() {
    if (feed != null) {
      feed.close();
    }
  }

  @Test
  void signedFile_revokesItsTxnsAndPrincipals() throws Exception {
    Path file = write(f.txnTokenService, Set.of("mallory@shop.example"), Set.of(f.txn));
    feed = start(file);

    assertThat(feed.isRevoked("alice@shop.example", f.txn)).isTrue();
    assertThat(feed.isRevoked("mallory@shop.example", "txn-other")).isTrue();
    assertThat(feed.isRevoked("alice@shop.example", "txn-other")).isFalse();
  }

  @Test
  void revokedTxnInTheFile_deniesThroughTheFloor() throws Exception {
    f.revocations = start(write(f.txnTokenService, Set.of(), Set.of(f.txn)));
    assertThatThrownBy(
            () ->
                f.floor()
                    .verify(
                        f.request(f.hop(AGENT), f.origin(), List.of(), List.of(), PLANNER),
                        AGENT,
                        true,
                        f.manifests,
                        NOW))
        .isInstanceOfSatisfying(
            FloorRejection.class, e -> assertThat(e.code()).isEqualTo(FloorCode.REVOKED));
  }

  @Test
  void fileSignedByAnUntrustedKey_refusesToStart() throws Exception {
    Path file = write(ChainFixture.signer("ES256", "tts-1"), Set.of(), Set.of());
    assertThatThrownBy(() -> start(file)).hasMessageContaining("does not verify");
  }

  @Test
  void feedOlderThanItsMaximumStaleness_refusesEveryCheck() throws Exception {
    Path file = write(f.txnTokenService, Set.of(), Set.of());
    feed = start(file);
    Files.writeString(file, "garbage");
    clock.advance(Duration.ofSeconds(61));
    try {
      feed.refresh();
    } catch (Exception expected) {
      // The source is broken now; the snapshot stays what it was.
    }
    assertThatThrownBy(() -> feed.isRevoked("alice@shop.example", f.txn))
        .isInstanceOfSatisfying(
            FloorRejection.class,
            e -> assertThat(e.code()).isEqualTo(FloorCode.REVOCATION_UNAVAILABLE));
  }

  private RefreshingRevocationFeed start(Path file) throws Exception {
    TrustSet signers =
        new TrustSet(
            "txn-token-service",
            Set.of(ChainFixture.TXN_TOKENS),
            TrustSet.DEFAULT_ALGORITHMS,
            ChainFixture.keys(f.txnTokenService));
    feed =
        RefreshingRevocationFeed.start(
            new RefreshingRevocationFeed.Revocations(Set.of(), Set.of()),
            List.of(new SignedRevocationFile(file, signers, f.verifier, clock)),
            Duration.ofSeconds(60),
            clock);
    return feed;
  }

  private Path write(JwsSigning signer, Set<String> principals, Set<String> txns) throws Exception {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ChainFixture.TXN_TOKENS)
            .claim("principals", List.copyOf(principals))
            .claim("txns", List.copyOf(txns))
            .issueTime(Date.from(NOW))
            .expirationTime(Date.from(NOW.plus(Duration.ofHours(1))))
            .build();
    return Files.writeString(
        dir.resolve("revoked.jws"), signer.sign(SignedRevocationFile.TYPE, claims));
  }
}
