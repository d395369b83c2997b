package dev.hopgate.server.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.server.config.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hopgate token mint}: tokens for tests and demos, signed with a key file. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Mint tokens for tests and demos.",
    subcommands = TokenCommand.Mint.class)
final class TokenCommand {
  @Command(name = "mint", mixinStandardHelpOptions = true,
      description = "Mint a hop token (typ hop+jwt) and print it.")
  static final class Mint implements Callable<Integer> {
    @Option(names = "--key", required = true, description = "Private signing JWK file.")
    Path key;

    @Option(names = "--iss", required = true, description = "Issuer (the token service).")
    String issuer;

    @Option(names = "--sub", required = true, description = "Origin principal.")
    String subject;

    @Option(names = "--aud", required = true, description = "The component this hop is for.")
    String audience;

    @Option(names = "--txn", description = "Transaction id (default: a new one).")
    String txn;

    @Option(names = "--ttl", defaultValue = "2m", description = "Lifetime (default: ${DEFAULT-VALUE}).")
    String ttl;

    @Option(names = "--once", description = "One-time token.")
    boolean once;

    @Override
    public Integer call() throws Exception {
      JwsSigning signing;
      Duration lifetime;
      try {
        signing = JwsSigning.of(JWK.parse(Files.readString(key)));
        lifetime = Durations.parse(ttl);
      } catch (java.text.ParseException | IllegalArgumentException e) {
        throw new CliException(key + ": " + e.getMessage(), 2);
      }
      Instant now = Instant.now();
      JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
          .issuer(issuer)
          .subject(subject)
          .audience(audience)
          .claim("txn", txn != null ? txn : "txn-" + UUID.randomUUID())
          .jwtID(UUID.randomUUID().toString())
          .issueTime(Date.from(now))
          .expirationTime(Date.from(now.plus(lifetime)));
      if (once) {
        claims.claim("once", true);
      }
      System.out.println(signing.sign(HopTokenVerifier.TYPE, claims.build()));
      return 0;
    }
  }
}
