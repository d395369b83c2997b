package dev.hopgate.pdp.floor;

import dev.hopgate.pdp.gate.Gate;
import dev.hopgate.pdp.gate.Outcome;

/** The public codes of the structural floor (house spec, section 3), with status and outcome. */
public enum FloorCode {
  ORIGIN_MISSING("origin_missing", 401, Outcome.DENY, Gate.IDENTITY, "reauthenticate"),
  ORIGIN_INVALID("origin_invalid", 401, Outcome.DENY, Gate.IDENTITY, "reauthenticate"),
  ORIGIN_MISMATCH("origin_mismatch", 401, Outcome.DENY, Gate.IDENTITY, "reauthenticate"),
  ORIGIN_NOT_YET_VALID("origin_not_yet_valid", 401, Outcome.DENY, Gate.IDENTITY, "none"),
  ORIGIN_LIFETIME("origin_lifetime", 401, Outcome.DENY, Gate.IDENTITY, "reauthenticate"),
  CHAIN_MALFORMED("chain_malformed", 400, Outcome.ABORT, Gate.PROVENANCE, "none"),
  CHAIN_TOO_LARGE("chain_too_large", 400, Outcome.ABORT, Gate.PROVENANCE, "none"),
  CHAIN_BROKEN("chain_broken", 403, Outcome.ABORT, Gate.PROVENANCE, "none"),
  CHAIN_SIGNER("chain_signer", 403, Outcome.ABORT, Gate.PROVENANCE, "none"),
  CHAIN_CALLER("chain_caller", 403, Outcome.ABORT, Gate.IDENTITY, "none"),
  CHAIN_WIDENED("chain_widened", 403, Outcome.ABORT, Gate.CONTINUITY, "none"),
  CHAIN_EXPIRED("chain_expired", 403, Outcome.ABORT, Gate.CONTINUITY, "none"),
  CHAIN_NOT_YET_VALID("chain_not_yet_valid", 403, Outcome.ABORT, Gate.CONTINUITY, "none"),
  MANIFEST_EXPIRED("manifest_expired", 403, Outcome.DENY, Gate.CAPABILITY, "none"),
  REVOKED("revoked", 403, Outcome.DENY, Gate.AUTHORIZATION, "none"),
  /** The revocation feed is older than its maximum staleness: nothing can be shown unrevoked. */
  REVOCATION_UNAVAILABLE("revocation_unavailable", 403, Outcome.ABORT, Gate.AUTHORIZATION, "none");

  private final String code;
  private final int status;
  private final Outcome outcome;
  private final Gate gate;
  private final String repair;

  FloorCode(String code, int status, Outcome outcome, Gate gate, String repair) {
    this.code = code;
    this.status = status;
    this.outcome = outcome;
    this.gate = gate;
    this.repair = repair;
  }

  public String code() {
    return code;
  }

  public int status() {
    return status;
  }

  public Outcome outcome() {
    return outcome;
  }

  public Gate gate() {
    return gate;
  }

  /**
   * The repair action: {@code reauthenticate} for origin problems, else {@code none} (terminal).
   */
  public String repair() {
    return repair;
  }
}
