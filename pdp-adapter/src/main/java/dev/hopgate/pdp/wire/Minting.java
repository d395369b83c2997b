package dev.hopgate.pdp.wire;

import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * The claims of every artifact, exactly as the wire formats define them (docs/wire-formats.md):
 * what hopgate signs (transitions, completions) and what the token service signs (origin and hop
 * tokens), for the CLI's {@code token mint} and for tests.
 */
public final class Minting {
  private Minting() {}

  public static JWTClaimsSet origin(
      String iss,
      String txn,
      String sub,
      String aud,
      String originWorkload,
      Instant deadline,
      @Nullable Map<String, String> intent,
      Set<String> authority,
      Instant iat,
      Instant exp) {
    Map<String, Object> tctx = new LinkedHashMap<>();
    tctx.put("origin_wl", originWorkload);
    tctx.put("deadline", deadline.getEpochSecond());
    if (intent != null) {
      tctx.put("intent", Map.copyOf(intent));
    }
    tctx.put("authority", sorted(authority));
    return new JWTClaimsSet.Builder()
        .issuer(iss)
        .claim("txn", txn)
        .subject(sub)
        .audience(aud)
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(exp))
        .claim("req_wl", originWorkload)
        // Required of every Txn-Token (draft-ietf-oauth-transaction-tokens-10): the authority is
        // the scope of the txn; hopgate reads tctx.authority, a standard reader the scope.
        .claim("scope", String.join(" ", sorted(authority)))
        .claim("tctx", tctx)
        .build();
  }

  public static JWTClaimsSet hop(
      String iss,
      String sub,
      String audience,
      String txn,
      String jti,
      @Nullable Map<String, String> intent,
      boolean once,
      Instant iat,
      Instant exp) {
    JWTClaimsSet.Builder b =
        new JWTClaimsSet.Builder()
            .issuer(iss)
            .subject(sub)
            .audience(audience)
            .claim("txn", txn)
            .jwtID(jti)
            .issueTime(Date.from(iat))
            .expirationTime(Date.from(exp));
    if (intent != null) {
      b.claim("intent", Map.copyOf(intent));
    }
    if (once) {
      b.claim("once", true);
    }
    return b.build();
  }

  /** The hop token claim naming (by digest) the origin token it was issued from. */
  public static final String ORIGIN_TOKEN = "origin_token";

  /**
   * {@code hop} bound to the origin token it is issued from: hopgate then refuses it beside any
   * other origin token of the txn (an older, broader one replaced since).
   */
  public static JWTClaimsSet boundToOrigin(JWTClaimsSet hop, String originTokenDigest) {
    return new JWTClaimsSet.Builder(hop).claim(ORIGIN_TOKEN, originTokenDigest).build();
  }

  public static JWTClaimsSet transition(
      String iss,
      String txn,
      int position,
      String pred,
      String component,
      String step,
      Set<String> authority,
      Instant iat,
      Instant exp,
      String decision) {
    return new JWTClaimsSet.Builder()
        .issuer(iss)
        .claim("txn", txn)
        .claim("position", position)
        .claim("pred", pred)
        .claim("component", component)
        .claim("step", step)
        .claim("authority", sorted(authority))
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(exp))
        .claim("decision", decision)
        .build();
  }

  public static JWTClaimsSet completion(
      String iss,
      String txn,
      String step,
      String component,
      String decision,
      Instant iat,
      Instant exp) {
    return new JWTClaimsSet.Builder()
        .issuer(iss)
        .claim("txn", txn)
        .claim("step", step)
        .claim("component", component)
        .claim("status", "completed")
        .claim("decision", decision)
        .issueTime(Date.from(iat))
        .expirationTime(Date.from(exp))
        .build();
  }

  private static List<String> sorted(Set<String> values) {
    return List.copyOf(new TreeSet<>(values));
  }
}
