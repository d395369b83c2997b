package dev.hopgate.server.cli;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.hopgate.pdp.token.FixedKeySource;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.TrustSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The enforcement point's keys a decision log's checkpoints are checked against. */
final class CheckpointKeys {
  private CheckpointKeys() {}

  /**
   * @param file a JWK (private keys are read as their public half) or a JWKS
   * @throws IOException when it cannot be read or is neither
   */
  static KeyResolver read(Path file) throws IOException {
    String text = Files.readString(file);
    List<JWK> keys = new java.util.ArrayList<>();
    try {
      Map<String, Object> json = JSONObjectUtils.parse(text);
      List<JWK> read =
          json.get("keys") instanceof List<?>
              ? JWKSet.parse(json).getKeys()
              : List.of(JWK.parse(json));
      for (JWK jwk : read) {
        JWK publicKey = jwk.toPublicJWK();
        if (publicKey == null) {
          // A symmetric key would make every holder of the log a possible signer.
          throw new IOException(file + ": key '" + jwk.getKeyID() + "' is not a public key pair");
        }
        keys.add(publicKey);
      }
    } catch (ParseException e) {
      throw new IOException(file + ": not a JWK or JWKS (" + e.getMessage() + ")", e);
    }
    return KeyResolver.of(
        new TrustSet(
            "the enforcement point's keys",
            Set.of("checkpoints"),
            TrustSet.DEFAULT_ALGORITHMS,
            FixedKeySource.of(file.toString(), keys)));
  }
}
