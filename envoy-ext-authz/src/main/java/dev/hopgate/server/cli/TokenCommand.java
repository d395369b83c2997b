package dev.hopgate.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessDefinitionException;
import dev.hopgate.pdp.process.ProcessDefinitions;
import dev.hopgate.pdp.token.JwsRejection;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.TrustedKey;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import dev.hopgate.server.config.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hopgate token}: mint every artifact for tests and demos, and inspect any of them. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Mint and inspect tokens.",
    subcommands = {TokenCommand.Mint.class, TokenCommand.Inspect.class})
final class TokenCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The signing key and lifetime every mint takes. */
  static final class Signing {
    @Option(names = "--key", required = true, description = "Private signing JWK file.")
    Path key;

    @Option(
        names = "--ttl",
        defaultValue = "2m",
        description = "Lifetime (default: ${DEFAULT-VALUE}).")
    String ttl;

    JwsSigning signer() throws CliException {
      try {
        return JwsSigning.of(JWK.parse(Files.readString(key)));
      } catch (IOException | ParseException | IllegalArgumentException e) {
        throw new CliException(key + ": " + e.getMessage(), 2);
      }
    }

    Duration lifetime() throws CliException {
      try {
        return Durations.parse(ttl);
      } catch (IllegalArgumentException e) {
        throw new CliException("--ttl: " + e.getMessage(), 2);
      }
    }
  }

  @Command(
      name = "mint",
      mixinStandardHelpOptions = true,
      description = "Mint an artifact and print it.",
      subcommands = {
        Mint.Hop.class,
        Mint.Origin.class,
        Mint.Transition.class,
        Mint.Completion.class,
        Mint.FromJson.class
      })
  static final class Mint {
    @Command(
        name = "hop",
        mixinStandardHelpOptions = true,
        description = "A hop token (typ hop+jwt).")
    static final class Hop implements Callable<Integer> {
      @Mixin Signing signing;

      @Option(names = "--iss", required = true)
      String issuer;

      @Option(names = "--sub", required = true, description = "Origin principal.")
      String subject;

      @Option(names = "--aud", required = true, description = "The component of this hop.")
      String audience;

      @Option(names = "--txn", description = "Transaction id (default: a new one).")
      String txn;

      @Option(names = "--process", description = "Process definition file: declares its intent.")
      Path process;

      @Option(names = "--once", description = "One-time token.")
      boolean once;

      @Override
      public Integer call() throws Exception {
        Instant now = Instant.now();
        System.out.println(
            signing
                .signer()
                .sign(
                    WireTypes.HOP,
                    Minting.hop(
                        issuer,
                        subject,
                        audience,
                        txn != null ? txn : "txn-" + UUID.randomUUID(),
                        UUID.randomUUID().toString(),
                        intent(process),
                        once,
                        now,
                        now.plus(signing.lifetime()))));
        return 0;
      }
    }

    @Command(
        name = "origin",
        mixinStandardHelpOptions = true,
        description = "An origin token (Txn-Token, typ txntoken+jwt).")
    static final class Origin implements Callable<Integer> {
      @Mixin Signing signing;

      @Option(names = "--iss", required = true)
      String issuer;

      @Option(names = "--sub", required = true, description = "Origin principal.")
      String subject;

      @Option(names = "--aud", required = true, description = "Trust domain.")
      String audience;

      @Option(names = "--txn", required = true)
      String txn;

      @Option(
          names = "--origin-wl",
          required = true,
          description = "SPIFFE id of the workload that starts the txn.")
      String originWorkload;

      @Option(
          names = "--deadline",
          defaultValue = "1h",
          description = "The txn's deadline, from now.")
      String deadline;

      @Option(
          names = "--deadline-epoch",
          description = "The deadline as epoch seconds (a replacement keeps it).")
      Long deadlineEpoch;

      @Option(names = "--process", description = "Process definition file: declares its intent.")
      Path process;

      @Option(
          names = "--authority",
          split = ",",
          description = "Step IRIs the originator may cause.")
      List<String> authority = List.of();

      @Override
      public Integer call() throws Exception {
        Instant now = Instant.now();
        Instant end =
            deadlineEpoch != null
                ? Instant.ofEpochSecond(deadlineEpoch)
                : now.plus(Durations.parse(deadline));
        System.out.println(
            signing
                .signer()
                .sign(
                    WireTypes.ORIGIN,
                    Minting.origin(
                        issuer,
                        txn,
                        subject,
                        audience,
                        originWorkload,
                        end,
                        intent(process),
                        new LinkedHashSet<>(authority),
                        now,
                        now.plus(signing.lifetime()))));
        return 0;
      }
    }

    @Command(
        name = "transition",
        mixinStandardHelpOptions = true,
        description = "A hop transition (Txn-Chain element, typ hop-transition+jwt).")
    static final class Transition implements Callable<Integer> {
      @Mixin Signing signing;

      @Option(names = "--iss", required = true, description = "Enforcement point id.")
      String issuer;

      @Option(names = "--txn", required = true)
      String txn;

      @Option(names = "--position", required = true)
      int position;

      @Option(
          names = "--pred",
          required = true,
          description = "Origin binding, or the previous transition's digest.")
      String pred;

      @Option(names = "--component", required = true)
      String component;

      @Option(names = "--step", required = true)
      String step;

      @Option(names = "--authority", split = ",")
      List<String> authority = List.of();

      @Option(names = "--decision", defaultValue = "cli")
      String decision;

      @Override
      public Integer call() throws Exception {
        Instant now = Instant.now();
        System.out.println(
            signing
                .signer()
                .sign(
                    WireTypes.TRANSITION,
                    Minting.transition(
                        issuer,
                        txn,
                        position,
                        pred,
                        component,
                        step,
                        new LinkedHashSet<>(authority),
                        now,
                        now.plus(signing.lifetime()),
                        decision)));
        return 0;
      }
    }

    @Command(
        name = "completion",
        mixinStandardHelpOptions = true,
        description = "A completion record (typ hop-completion+jwt).")
    static final class Completion implements Callable<Integer> {
      @Mixin Signing signing;

      @Option(names = "--iss", required = true, description = "Enforcement point id.")
      String issuer;

      @Option(names = "--txn", required = true)
      String txn;

      @Option(names = "--step", required = true)
      String step;

      @Option(names = "--component", required = true)
      String component;

      @Option(names = "--decision", defaultValue = "cli")
      String decision;

      @Override
      public Integer call() throws Exception {
        Instant now = Instant.now();
        System.out.println(
            signing
                .signer()
                .sign(
                    WireTypes.COMPLETION,
                    Minting.completion(
                        issuer,
                        txn,
                        step,
                        component,
                        decision,
                        now,
                        now.plus(signing.lifetime()))));
        return 0;
      }
    }

    @Command(
        name = "json",
        mixinStandardHelpOptions = true,
        description = "Any artifact from a JSON file of claims (iat and exp added when absent).")
    static final class FromJson implements Callable<Integer> {
      @Mixin Signing signing;

      @Option(
          names = "--typ",
          required = true,
          description = "hop+jwt, txntoken+jwt, hop-transition+jwt, ...")
      String typ;

      @Parameters(paramLabel = "CLAIMS.json")
      Path claimsFile;

      @Override
      public Integer call() throws Exception {
        JWTClaimsSet claims;
        try {
          claims = JWTClaimsSet.parse(Files.readString(claimsFile));
        } catch (ParseException e) {
          throw new CliException(
              claimsFile + ": not a JSON object of claims (" + e.getMessage() + ")", 2);
        }
        Instant now = Instant.now();
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder(claims);
        if (claims.getIssueTime() == null) {
          b.issueTime(Date.from(now));
        }
        if (claims.getExpirationTime() == null) {
          b.expirationTime(Date.from(now.plus(signing.lifetime())));
        }
        System.out.println(signing.signer().sign(new JOSEObjectType(typ), b.build()));
        return 0;
      }
    }

    static @Nullable Map<String, String> intent(@Nullable Path process) throws CliException {
      if (process == null) {
        return null;
      }
      try {
        ProcessDefinition d = ProcessDefinitions.load(process);
        return Map.of("process", d.iri(), "digest", d.digest());
      } catch (ProcessDefinitionException e) {
        throw new CliException(e.getMessage(), 2);
      }
    }
  }

  @Command(
      name = "inspect",
      mixinStandardHelpOptions = true,
      description = "Decode a token, and with --jwks verify it, saying exactly what is wrong.")
  static final class Inspect implements Callable<Integer> {
    @Parameters(
        paramLabel = "TOKEN",
        description = "A compact JWS, or - to read it from standard input.")
    String token;

    @Option(names = "--jwks", description = "JWKS file of the keys that should have signed it.")
    Path jwks;

    @Override
    public Integer call() throws Exception {
      String compact = (token.equals("-") ? new String(System.in.readAllBytes()) : token).strip();
      if (compact.regionMatches(true, 0, "Bearer ", 0, 7)) {
        compact = compact.substring(7).strip();
      }
      JWSObject jws;
      try {
        int dot = compact.indexOf('.');
        com.nimbusds.jose.Header header =
            com.nimbusds.jose.Header.parse(
                com.nimbusds.jose.util.Base64URL.from(
                    dot < 0 ? compact : compact.substring(0, dot)));
        if (com.nimbusds.jose.Algorithm.NONE.equals(header.getAlgorithm())) {
          throw new CliException(
              "refused: alg none (an unsigned token); hopgate accepts no unsigned token", 1);
        }
        jws = JWSObject.parse(compact);
      } catch (ParseException e) {
        throw new CliException("not a compact JWS: " + e.getMessage(), 1);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("header", jws.getHeader().toJSONObject());
      Map<String, Object> payload = jws.getPayload().toJSONObject();
      out.put("claims", payload);
      out.put("digest", Digests.ofJws(compact));
      if (payload != null) {
        Map<String, Object> times = new LinkedHashMap<>();
        for (String t : List.of("iat", "nbf", "exp")) {
          if (payload.get(t) instanceof Number n) {
            times.put(t, Instant.ofEpochSecond(n.longValue()).toString());
          }
        }
        out.put("times", times);
      }
      int code = 0;
      if (jwks != null) {
        out.put("verification", verify(compact, jws.getHeader().getType()));
        code = "verified".equals(out.get("verification")) ? 0 : 1;
      }
      System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(out));
      return code;
    }

    private String verify(String compact, JOSEObjectType type) throws Exception {
      JWKSet set = JWKSet.parse(Files.readString(jwks));
      Map<String, TrustedKey> keys = new LinkedHashMap<>();
      for (JWK k : set.getKeys()) {
        TrustedKey key = TrustedKey.of(k.toPublicJWK());
        keys.put(key.keyId(), key);
      }
      KeyResolver resolver =
          new KeyResolver() {
            @Override
            public String scope() {
              return jwks.toString();
            }

            @Override
            public Optional<TrustedKey> find(String kid) {
              return Optional.ofNullable(keys.get(kid));
            }

            @Override
            public long revision() {
              return 1;
            }
          };
      try {
        new JwsVerifier(0, Duration.ofSeconds(1))
            .verify(
                compact,
                type == null ? new JOSEObjectType("none") : type,
                Set.of(
                    JWSAlgorithm.ES256,
                    JWSAlgorithm.EdDSA,
                    JWSAlgorithm.Ed25519,
                    JWSAlgorithm.RS256,
                    JWSAlgorithm.PS256),
                resolver,
                "The token");
      } catch (JwsRejection e) {
        return e.problem().name().toLowerCase(java.util.Locale.ROOT) + ": " + e.getMessage();
      }
      return "verified";
    }
  }
}
