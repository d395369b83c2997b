package dev.hopgate.pdp.token;

/**
 * Why a hop token was refused: the public {@code token_*} codes of the house spec, section 3. Every
 * one of them is HTTP 401.
 */
public enum TokenCode {
  TOKEN_MISSING("token_missing", Repair.REFRESH_TOKEN),
  TOKEN_MALFORMED("token_malformed", Repair.REFRESH_TOKEN),
  TOKEN_SIGNATURE("token_signature", Repair.REAUTHENTICATE),
  TOKEN_ALGORITHM("token_algorithm", Repair.REAUTHENTICATE),
  TOKEN_CRITICAL("token_critical", Repair.REAUTHENTICATE),
  TOKEN_UNKNOWN_KEY("token_unknown_key", Repair.REFRESH_TOKEN),
  TOKEN_EXPIRED("token_expired", Repair.REFRESH_TOKEN),
  TOKEN_NOT_YET_VALID("token_not_yet_valid", Repair.REFRESH_TOKEN),
  TOKEN_AUDIENCE("token_audience", Repair.REFRESH_TOKEN),
  TOKEN_CONSUMED("token_consumed", Repair.REFRESH_TOKEN),
  TOKEN_REVOKED("token_revoked", Repair.REAUTHENTICATE);

  /**
   * What a caller should do about it: get a fresh hop token, or start over with the token service.
   */
  public enum Repair {
    REFRESH_TOKEN("refresh_token"),
    REAUTHENTICATE("reauthenticate");

    private final String action;

    Repair(String action) {
      this.action = action;
    }

    public String action() {
      return action;
    }
  }

  private final String code;
  private final Repair repair;

  TokenCode(String code, Repair repair) {
    this.code = code;
    this.repair = repair;
  }

  /** The public code, as in {@code token_expired}. */
  public String code() {
    return code;
  }

  public Repair repair() {
    return repair;
  }
}
