package dev.hopgate.server.cli;

import com.nimbusds.jose.jwk.JWK;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.token.FixedKeySource;
import dev.hopgate.pdp.token.JwksFileKeySource;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.server.config.ConfigException;
import dev.hopgate.server.config.ConfigLoader;
import dev.hopgate.tokens.TokenExchange;
import dev.hopgate.tokens.TokenServiceConfig;
import dev.hopgate.tokens.TokenServiceServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hopgate token-service}: the minimal transaction token service, its own keys and port. */
@Command(
    name = "token-service",
    mixinStandardHelpOptions = true,
    description = "Serve RFC 8693 token exchange for origin (Txn-Token) and hop tokens over mTLS.")
final class TokenServiceCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, description = "Token service configuration (YAML).")
  Path config;

  @Override
  public Integer call() throws Exception {
    ConfigLoader.Typed<TokenServiceConfig> loaded;
    try {
      loaded = ConfigLoader.load(config, Map.of(), TokenServiceConfig.class);
    } catch (ConfigException e) {
      throw new CliException(e.getMessage(), 2);
    }
    TokenServiceConfig c = loaded.config();
    Clock clock = Clock.systemUTC();
    JwsSigning txn = signer(loaded.path(c.txnKey()), "txn_key");
    JwsSigning hop = signer(loaded.path(c.hopKey()), "hop_key");
    TrustSet idp;
    try {
      idp =
          new TrustSet(
              "identity-provider",
              new HashSet<>(c.identity().issuers()),
              TrustSet.DEFAULT_ALGORITHMS,
              JwksFileKeySource.load(
                  loaded.path(c.identity().jwks()),
                  Duration.ofSeconds(5),
                  Duration.ofMinutes(1),
                  clock));
    } catch (IllegalArgumentException e) {
      throw new CliException("identity.jwks: " + e.getMessage(), 1);
    }
    TrustSet own =
        new TrustSet(
            "txn-token-service",
            Set.of(c.txnIssuer()),
            TrustSet.DEFAULT_ALGORITHMS,
            FixedKeySource.of("own key", java.util.List.of(txn.key())));
    TokenExchange exchange =
        new TokenExchange(
            new TokenExchange.Settings(
                c.trustDomain(),
                c.txnIssuer(),
                c.hopIssuer(),
                c.txnLifetime(),
                c.originTokenTtl(),
                c.hopTokenTtl(),
                c.identity().clientIds(),
                c.oneTime()),
            txn,
            hop,
            idp,
            own,
            ProcessRegistry.load(loaded.path(c.processes())));
    int colon = c.listen().lastIndexOf(':');
    TokenServiceServer server;
    try {
      server =
          TokenServiceServer.start(
              new InetSocketAddress(
                  c.listen().substring(0, colon),
                  Integer.parseInt(c.listen().substring(colon + 1))),
              tlsContext(loaded, c),
              exchange,
              clock);
    } catch (IOException | GeneralSecurityException e) {
      throw new CliException("token service: " + e.getMessage(), 1);
    }
    System.getLogger("hopgate.tokens")
        .log(
            System.Logger.Level.INFO,
            "token service on {0}:{1,number,#}",
            c.listen().substring(0, colon),
            server.port());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "token-service-shutdown"));
    ServeCommand.markServing();
    stopped.await();
    return 0;
  }

  private static SSLContext tlsContext(
      ConfigLoader.Typed<TokenServiceConfig> loaded, TokenServiceConfig c)
      throws IOException, GeneralSecurityException {
    return TokenServiceServer.tls(
        loaded.path(c.tls().cert()), loaded.path(c.tls().key()), loaded.path(c.tls().clientCa()));
  }

  private static JwsSigning signer(Path file, String field) throws CliException {
    try {
      return JwsSigning.of(JWK.parse(Files.readString(file)));
    } catch (IOException | ParseException | IllegalArgumentException e) {
      throw new CliException(field + ": " + file + ": " + e.getMessage(), 2);
    }
  }
}
