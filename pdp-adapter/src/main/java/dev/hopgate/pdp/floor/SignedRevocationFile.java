package dev.hopgate.pdp.floor;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEObjectType;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.token.VerifiedJws;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * A revocation list as a signed file: a compact JWS ({@code typ: hop-revocation+jwt}) whose claims
 * are {@code principals} and {@code txns}, signed by a key of the given trust set (normally the
 * transaction token service's) and unexpired. An unsigned or expired list is an error, never empty.
 */
public final class SignedRevocationFile implements RefreshingRevocationFeed.Source {
  public static final JOSEObjectType TYPE = new JOSEObjectType("hop-revocation+jwt");

  private final Path file;
  private final TrustSet signers;
  private final JwsVerifier verifier;
  private final Clock clock;

  public SignedRevocationFile(Path file, TrustSet signers, JwsVerifier verifier, Clock clock) {
    this.file = requireNonNull(file, "file");
    this.signers = requireNonNull(signers, "signers");
    this.verifier = requireNonNull(verifier, "verifier");
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public RefreshingRevocationFeed.Revocations read() throws Exception {
    VerifiedJws jws =
        verifier.verify(
            Files.readString(file).strip(),
            TYPE,
            signers.algorithms(),
            KeyResolver.of(signers),
            "The revocation list " + file.getFileName());
    if (!signers.issuers().contains(jws.claims().getIssuer())) {
      throw new IllegalArgumentException(
          "revocation list "
              + file
              + ": issuer "
              + jws.claims().getIssuer()
              + " is not an issuer of "
              + signers.name());
    }
    if (jws.claims().getExpirationTime() == null
        || jws.claims().getExpirationTime().toInstant().isBefore(clock.instant())) {
      throw new IllegalArgumentException("revocation list " + file + ": expired or without exp");
    }
    Map<String, Object> claims = jws.claims().getClaims();
    return new RefreshingRevocationFeed.Revocations(
        Claims.strings(claims, "principals", "The revocation list", false),
        Claims.strings(claims, "txns", "The revocation list", false));
  }

  @Override
  public String describe() {
    return file.toString();
  }
}
