package dev.hopgate.server.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.OctetSequenceKeyGenerator;
import dev.hopgate.pdp.token.JwsSigning;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hopgate keys gen}: a signing key and the JWKS that verifiers trust. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Manage signing keys.",
    subcommands = {KeysCommand.Gen.class, KeysCommand.Secret.class})
final class KeysCommand {
  @Command(
      name = "gen",
      mixinStandardHelpOptions = true,
      description = "Generate a private signing key (JWK) and its public JWKS.")
  static final class Gen implements Callable<Integer> {
    @Option(
        names = "--alg",
        defaultValue = "ES256",
        description = "ES256 or EdDSA (default: ${DEFAULT-VALUE}).")
    String alg;

    @Option(names = "--kid", required = true, description = "Key id, as verifiers will look it up.")
    String kid;

    @Option(
        names = "--private",
        required = true,
        description = "Where to write the private JWK (mode 600).")
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
      System.out.println(
          "private key " + privateFile + ", public JWKS " + jwksFile + " (kid " + kid + ")");
      return 0;
    }
  }

  @Command(
      name = "secret",
      mixinStandardHelpOptions = true,
      description =
          "Add a shared secret (an oct JWK, 256 bits) to the completion keys file of one enforcement "
              + "point's replicas (completion.keys): the new key comes first and signs, the others still verify.")
  static final class Secret implements Callable<Integer> {
    @Option(names = "--kid", required = true, description = "Key id of the new secret.")
    String kid;

    @Option(
        names = "--out",
        required = true,
        description = "The JWK set file (created with mode 600, or prepended to).")
    Path file;

    @Override
    public Integer call() throws Exception {
      List<JWK> keys = new ArrayList<>();
      if (Files.exists(file)) {
        keys.addAll(JWKSet.load(file.toFile()).getKeys());
        if (keys.stream().anyMatch(k -> kid.equals(k.getKeyID()))) {
          throw new CliException(file + " already has a key '" + kid + "'", 2);
        }
      }
      keys.add(0, new OctetSequenceKeyGenerator(256).keyID(kid).generate());
      // Created 0600 with a fresh name (never following a planted link), then moved into place.
      Path dir = file.toAbsolutePath().getParent();
      Path written;
      try {
        written =
            Files.createTempFile(
                dir,
                ".hopgate-keys-",
                ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      } catch (UnsupportedOperationException e) {
        throw new CliException(
            "the file system of " + dir + " has no POSIX permissions: a secret needs mode 600", 1);
      }
      Files.writeString(written, new JWKSet(keys).toString(false) + "\n");
      Files.move(
          written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      System.out.println(
          "secret '"
              + kid
              + "' added to "
              + file
              + " ("
              + keys.size()
              + " keys; '"
              + kid
              + "' signs)");
      return 0;
    }
  }
}
