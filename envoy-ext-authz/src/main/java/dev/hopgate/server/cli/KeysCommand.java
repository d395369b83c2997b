package dev.hopgate.server.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.hopgate.pdp.token.JwsSigning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hopgate keys gen}: a signing key and the JWKS that verifiers trust. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Manage signing keys.",
    subcommands = KeysCommand.Gen.class)
final class KeysCommand {
  @Command(name = "gen", mixinStandardHelpOptions = true,
      description = "Generate a private signing key (JWK) and its public JWKS.")
  static final class Gen implements Callable<Integer> {
    @Option(names = "--alg", defaultValue = "ES256", description = "ES256 or EdDSA (default: ${DEFAULT-VALUE}).")
    String alg;

    @Option(names = "--kid", required = true, description = "Key id, as verifiers will look it up.")
    String kid;

    @Option(names = "--private", required = true, description = "Where to write the private JWK (mode 600).")
    Path privateFile;

    @Option(names = "--jwks", required = true, description = "Where to write the public JWKS.")
    Path jwksFile;

    @Override
    public Integer call() throws Exception {
      JWK key;
      try {
        key = JwsSigning.generate(alg, kid);
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage(), 2);
      }
      if (Files.exists(privateFile)) {
        throw new CliException(privateFile + " exists; refusing to overwrite a private key", 2);
      }
      Files.writeString(privateFile, key.toJSONString() + "\n");
      try {
        Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the operator protects the file.
      }
      Files.writeString(jwksFile, new JWKSet(key.toPublicJWK()).toString(false) + "\n");
      System.out.println("private key " + privateFile + ", public JWKS " + jwksFile + " (kid " + kid + ")");
      return 0;
    }
  }
}
