package dev.hopgate.server.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.manifest.ManifestRegistry;
import dev.hopgate.pdp.token.JwsSigning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hopgate manifest sign}: what a manifest registry does. */
@Command(
    name = "manifest",
    mixinStandardHelpOptions = true,
    description = "Component manifests.",
    subcommands = ManifestCommand.Sign.class)
final class ManifestCommand {
  @Command(
      name = "sign",
      mixinStandardHelpOptions = true,
      description =
          "Sign a manifest (JSON claims) with a registry key; prints the JWS (typ hop-manifest+jwt).")
  static final class Sign implements Callable<Integer> {
    @Option(names = "--key", required = true, description = "The registry's private JWK.")
    Path key;

    @Option(names = "--iss", required = true, description = "The registry's issuer id.")
    String issuer;

    @Parameters(paramLabel = "MANIFEST.json")
    Path manifest;

    @Override
    public Integer call() throws Exception {
      JwsSigning signing;
      JWTClaimsSet claims;
      try {
        signing = JwsSigning.of(JWK.parse(Files.readString(key)));
        claims = JWTClaimsSet.parse(Files.readString(manifest));
      } catch (ParseException | IllegalArgumentException e) {
        throw new CliException(e.getMessage(), 2);
      }
      JWTClaimsSet signed =
          new JWTClaimsSet.Builder(claims)
              .issuer(issuer)
              .issueTime(Date.from(Instant.now()))
              .build();
      System.out.println(signing.sign(ManifestRegistry.TYPE, signed));
      return 0;
    }
  }
}
