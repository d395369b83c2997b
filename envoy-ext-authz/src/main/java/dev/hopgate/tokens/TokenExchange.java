package dev.hopgate.tokens;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.digest.Digests;
import dev.hopgate.pdp.process.ProcessDefinition;
import dev.hopgate.pdp.process.ProcessRegistry;
import dev.hopgate.pdp.token.HopTokenVerifier;
import dev.hopgate.pdp.token.JwsRejection;
import dev.hopgate.pdp.token.JwsSigning;
import dev.hopgate.pdp.token.JwsVerifier;
import dev.hopgate.pdp.token.KeyResolver;
import dev.hopgate.pdp.token.NotBefore;
import dev.hopgate.pdp.token.TrustSet;
import dev.hopgate.pdp.token.VerifiedJws;
import dev.hopgate.pdp.wire.Minting;
import dev.hopgate.pdp.wire.WireTypes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * OAuth 2.0 Token Exchange (RFC 8693) for hopgate's tokens, the "may you start" decision:
 *
 * <ul>
 *   <li>a subject token (an identity provider's JWT) plus a declared intent and the authority asked
 *       for become an origin token ({@code urn:ietf:params:oauth:token-type:txn_token}), {@code
 *       tctx.origin_wl} pinned to the authenticated requester;
 *   <li>an origin token becomes its replacement: new bytes and {@code exp}, the bound members
 *       unchanged, the authority only narrowed; only the workload that started the txn may ask;
 *   <li>an origin token plus an {@code audience} (a component) becomes a hop token ({@code
 *       urn:hopgate:params:oauth:token-type:hop}).
 * </ul>
 *
 * An intent this service cannot resolve (unknown process, other digest) is refused.
 */
public final class TokenExchange {
  public static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:token-exchange";
  public static final String TXN_TOKEN = "urn:ietf:params:oauth:token-type:txn_token";
  public static final String HOP_TOKEN = "urn:hopgate:params:oauth:token-type:hop";
  public static final String ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token";
  public static final String JWT = "urn:ietf:params:oauth:token-type:jwt";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A token issued: RFC 8693 section 2.2.1. */
  public record Issued(String token, String type, long expiresIn) {}

  /** A refused exchange: RFC 6749 section 5.2 error code and description, and the HTTP status. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final String error;
    private final int status;

    Refused(String error, int status, String description) {
      super(description, null, false, false);
      this.error = error;
      this.status = status;
    }

    public String error() {
      return error;
    }

    public int status() {
      return status;
    }
  }

  /** Who signs what, and for how long. */
  public record Settings(
      String trustDomain,
      String txnIssuer,
      String hopIssuer,
      Duration txnLifetime,
      Duration originTokenTtl,
      Duration hopTokenTtl,
      List<String> clientIds,
      TokenServiceConfig.OneTime oneTime) {}

  /** The skew allowed on subject tokens' {@code nbf} and {@code iat}, as hopgate's default. */
  private static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  /**
   * The newest origin token of each txn this service issued (its digest): a replacement supersedes
   * the token it replaced, so an older (possibly broader) one can no longer be replaced nor turned
   * into hop tokens. In memory: kept for the txn's lifetime, bounded; a restarted service knows no
   * txn and accepts any verified origin token again.
   */
  private final Cache<String, String> newestOrigin;

  private final Settings settings;
  private final JwsSigning txnSigner;
  private final JwsSigning hopSigner;
  private final TrustSet identityProvider;
  private final TrustSet ownOriginTokens;
  private final ProcessRegistry processes;
  private final JwsVerifier verifier = JwsVerifier.withDefaultCache();

  public TokenExchange(
      Settings settings,
      JwsSigning txnSigner,
      JwsSigning hopSigner,
      TrustSet identityProvider,
      TrustSet ownOriginTokens,
      ProcessRegistry processes) {
    this.settings = requireNonNull(settings, "settings");
    this.newestOrigin =
        Caffeine.newBuilder()
            .maximumSize(1_000_000)
            .expireAfterWrite(settings.txnLifetime())
            .build();
    this.txnSigner = requireNonNull(txnSigner, "txnSigner");
    this.hopSigner = requireNonNull(hopSigner, "hopSigner");
    this.identityProvider = requireNonNull(identityProvider, "identityProvider");
    this.ownOriginTokens = requireNonNull(ownOriginTokens, "ownOriginTokens");
    this.processes = requireNonNull(processes, "processes");
  }

  /**
   * @param form the request's parameters (application/x-www-form-urlencoded)
   * @param requester the authenticated caller (the URI SAN of its client certificate)
   */
  public Issued exchange(Map<String, String> form, String requester, Instant now) throws Refused {
    if (!GRANT_TYPE.equals(form.get("grant_type"))) {
      throw invalid("grant_type must be " + GRANT_TYPE);
    }
    String subjectToken = required(form, "subject_token");
    String subjectType = required(form, "subject_token_type");
    String requested = required(form, "requested_token_type");
    if (requested.equals(TXN_TOKEN) && (subjectType.equals(ID_TOKEN) || subjectType.equals(JWT))) {
      return originToken(subjectToken, details(form), requester, now);
    }
    if (requested.equals(TXN_TOKEN) && subjectType.equals(TXN_TOKEN)) {
      return replacement(subjectToken, details(form), requester, now);
    }
    if (requested.equals(HOP_TOKEN) && subjectType.equals(TXN_TOKEN)) {
      if (form.containsKey("once")) {
        throw invalid(
            "once is not a request parameter: whether a hop token is one-time is this token"
                + " service's policy (one_time.components), not the requester's");
      }
      String audience = required(form, "audience");
      return hopToken(
          subjectToken, audience, settings.oneTime().components().contains(audience), now);
    }
    throw invalid("cannot exchange a " + subjectType + " for a " + requested);
  }

  private Issued originToken(String subjectToken, JsonNode details, String requester, Instant now)
      throws Refused {
    JWTClaimsSet subject =
        verify(subjectToken, JOSEObjectType.JWT, identityProvider, "The subject token", now);
    if (subject.getExpirationTime() == null
        || subject.getExpirationTime().toInstant().isBefore(now)) {
      throw new Refused("invalid_grant", 400, "The subject token is expired.");
    }
    if (!identityProvider.issuers().contains(subject.getIssuer()) || subject.getSubject() == null) {
      throw new Refused(
          "invalid_grant", 400, "The subject token's issuer is not trusted, or it has no sub.");
    }
    List<String> audiences = subject.getAudience();
    if (audiences == null || audiences.stream().noneMatch(settings.clientIds()::contains)) {
      throw new Refused(
          "invalid_grant",
          400,
          "The subject token's aud "
              + (audiences == null ? "(none)" : audiences)
              + " names none of this token service's client ids at its identity provider: it was"
              + " issued to another client.");
    }
    Map<String, String> intent = null;
    JsonNode declared = details.path("intent");
    if (!declared.isMissingNode() && !declared.isNull()) {
      String process = declared.path("process").asText();
      String digest = declared.path("digest").asText();
      ProcessDefinition definition =
          processes
              .resolve(process, digest)
              .orElseThrow(
                  () ->
                      invalid(
                          "The intent names process "
                              + process
                              + " with digest "
                              + digest
                              + ", which cannot be resolved."));
      intent = Map.of("process", definition.iri(), "digest", definition.digest());
    }
    Set<String> authority = strings(details.path("authority"));
    Instant deadline = now.plus(settings.txnLifetime());
    Instant exp = min(now.plus(settings.originTokenTtl()), deadline);
    String txn = "txn-" + UUID.randomUUID();
    String token =
        txnSigner.sign(
            WireTypes.ORIGIN,
            Minting.origin(
                settings.txnIssuer(),
                txn,
                subject.getSubject(),
                settings.trustDomain(),
                requester,
                deadline,
                intent,
                authority,
                now,
                exp));
    newestOrigin.put(txn, Digests.ofJws(token));
    return new Issued(token, TXN_TOKEN, Duration.between(now, exp).toSeconds());
  }

  @SuppressWarnings("unchecked")
  private Issued replacement(String subjectToken, JsonNode details, String requester, Instant now)
      throws Refused {
    JWTClaimsSet old =
        verify(subjectToken, WireTypes.ORIGIN, ownOriginTokens, "The origin token", now);
    if (old.getExpirationTime() == null || !now.isBefore(old.getExpirationTime().toInstant())) {
      throw new Refused(
          "invalid_grant",
          400,
          "The origin token is expired: an expired origin token cannot be replaced (replace it"
              + " before its exp, or start a new txn).");
    }
    refuseSuperseded(subjectToken, old);
    Map<String, Object> tctx = (Map<String, Object>) old.getClaim("tctx");
    if (tctx == null || !requester.equals(tctx.get("origin_wl"))) {
      throw new Refused(
          "invalid_grant",
          400,
          "Only the workload that started the txn may replace its origin token.");
    }
    if (!(tctx.get("deadline") instanceof Number deadlineSeconds)
        || !(tctx.get("origin_wl") instanceof String originWorkload)) {
      throw invalid("The origin token lacks its deadline or origin workload.");
    }
    Instant deadline = Instant.ofEpochSecond(deadlineSeconds.longValue());
    if (!now.isBefore(deadline)) {
      throw new Refused("invalid_grant", 400, "The txn's deadline has passed.");
    }
    Set<String> held = new LinkedHashSet<>((List<String>) tctx.get("authority"));
    Set<String> authority = held;
    if (details.has("authority")) {
      authority = strings(details.get("authority"));
      if (!held.containsAll(authority)) {
        throw invalid("A replacement may only narrow the authority.");
      }
    }
    Map<String, String> intent = (Map<String, String>) tctx.get("intent");
    Instant exp = min(now.plus(settings.originTokenTtl()), deadline);
    String token =
        txnSigner.sign(
            WireTypes.ORIGIN,
            Minting.origin(
                settings.txnIssuer(),
                (String) old.getClaim("txn"),
                old.getSubject(),
                settings.trustDomain(),
                originWorkload,
                deadline,
                intent,
                authority,
                now,
                exp));
    newestOrigin.put((String) old.getClaim("txn"), Digests.ofJws(token));
    return new Issued(token, TXN_TOKEN, Duration.between(now, exp).toSeconds());
  }

  private void refuseSuperseded(String originToken, JWTClaimsSet claims) throws Refused {
    if (!(claims.getClaim("txn") instanceof String txn)) {
      return;
    }
    String newest = newestOrigin.getIfPresent(txn);
    if (newest != null && !newest.equals(Digests.ofJws(originToken))) {
      throw new Refused(
          "invalid_grant",
          400,
          "The origin token was replaced: only the txn's newest origin token may be replaced or"
              + " exchanged for hop tokens.");
    }
  }

  @SuppressWarnings("unchecked")
  private Issued hopToken(String originToken, String audience, boolean once, Instant now)
      throws Refused {
    JWTClaimsSet origin =
        verify(originToken, WireTypes.ORIGIN, ownOriginTokens, "The origin token", now);
    refuseSuperseded(originToken, origin);
    if (origin.getExpirationTime() == null) {
      throw new Refused("invalid_grant", 400, "The origin token has no exp.");
    }
    if (origin.getExpirationTime().toInstant().isBefore(now)) {
      throw new Refused("invalid_grant", 400, "The origin token is expired; replace it first.");
    }
    Map<String, Object> tctx = (Map<String, Object>) origin.getClaim("tctx");
    Map<String, String> intent = tctx == null ? null : (Map<String, String>) tctx.get("intent");
    Instant exp = min(now.plus(settings.hopTokenTtl()), origin.getExpirationTime().toInstant());
    String token =
        hopSigner.sign(
            HopTokenVerifier.TYPE,
            Minting.boundToOrigin(
                Minting.hop(
                    settings.hopIssuer(),
                    origin.getSubject(),
                    audience,
                    (String) origin.getClaim("txn"),
                    UUID.randomUUID().toString(),
                    intent,
                    once,
                    now,
                    exp),
                Digests.ofJws(originToken)));
    return new Issued(token, HOP_TOKEN, Duration.between(now, exp).toSeconds());
  }

  private JWTClaimsSet verify(
      String token, JOSEObjectType type, TrustSet trust, String what, Instant now) throws Refused {
    try {
      VerifiedJws jws =
          verifier.verify(token, type, trust.algorithms(), KeyResolver.of(trust), what);
      String early = NotBefore.refusal(jws.claims(), now, CLOCK_SKEW, what);
      if (early != null) {
        throw new Refused("invalid_grant", 400, early);
      }
      return jws.claims();
    } catch (JwsRejection e) {
      throw new Refused(
          "invalid_grant",
          400,
          java.util.Objects.requireNonNullElse(e.getMessage(), "invalid grant"));
    }
  }

  private static JsonNode details(Map<String, String> form) throws Refused {
    String raw = form.get("request_details");
    if (raw == null || raw.isBlank()) {
      return JSON.createObjectNode();
    }
    try {
      JsonNode node = JSON.readTree(raw);
      if (!node.isObject()) {
        throw invalid("request_details must be a JSON object");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw invalid("request_details is not JSON");
    }
  }

  private static Set<String> strings(JsonNode node) throws Refused {
    Set<String> values = new LinkedHashSet<>();
    if (node.isMissingNode() || node.isNull()) {
      return values;
    }
    if (!node.isArray()) {
      throw invalid("authority must be a list of step IRIs");
    }
    for (JsonNode n : node) {
      values.add(n.asText());
    }
    return values;
  }

  private static String required(Map<String, String> form, String name) throws Refused {
    String value = form.get(name);
    if (value == null || value.isBlank()) {
      throw invalid(name + " is required");
    }
    return value;
  }

  private static Refused invalid(String description) {
    return new Refused("invalid_request", 400, description);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** The RFC 8693 response body. */
  public static Map<String, Object> response(Issued issued) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("access_token", issued.token());
    body.put("issued_token_type", issued.type());
    body.put("token_type", "N_A");
    body.put("expires_in", issued.expiresIn());
    return body;
  }
}
