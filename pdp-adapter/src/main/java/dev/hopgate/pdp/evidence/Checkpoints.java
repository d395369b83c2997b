package dev.hopgate.pdp.evidence;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.hopgate.pdp.token.JwsSigning;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signed checkpoints of a decision log: every {@code every} records, and when the log closes, the
 * enforcement point signs the chain's head (the sequence and hash of the last record, and whether
 * the log closes there). A checkpoint is itself a record of the chain, so removing one breaks the
 * chain; a log whose last record is not a closing checkpoint was cut (or its process is still
 * running, or was killed); a log rehashed whole fails the checkpoints' signatures.
 *
 * @param issuer the enforcement point's id ({@code iss} of each checkpoint)
 * @param signing its key
 * @param every records between two checkpoints
 */
public record Checkpoints(String issuer, JwsSigning signing, int every) {
  /** The record's {@code event_type}. */
  public static final String EVENT_TYPE = "checkpoint";

  /** The checkpoint JWS's {@code typ}. */
  public static final JOSEObjectType TYPE = new JOSEObjectType("hop-checkpoint+jwt");

  public Checkpoints {
    requireNonNull(issuer, "issuer");
    requireNonNull(signing, "signing");
    if (every < 1) {
      throw new IllegalArgumentException("checkpoint every " + every + " records (expected: >= 1)");
    }
  }

  /**
   * The payload of a checkpoint record: what it covers, in the clear, and the same signed.
   *
   * @param covers the sequence of the last record before it
   * @param head that record's hash
   * @param closing whether the log closes here
   */
  Map<String, Object> payload(long covers, String head, boolean closing, Instant at) {
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(issuer)
            .claim("covers", covers)
            .claim("head", head)
            .claim("closing", closing)
            .issueTime(Date.from(at))
            .build();
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("covers", covers);
    payload.put("head", head);
    payload.put("closing", closing);
    payload.put("jws", signing.sign(TYPE, claims));
    return payload;
  }
}
