package dev.hopgate.pdp.mcp;

import java.util.Objects;

/**
 * A body hopgate will not read as a JSON-RPC request: rather than guess, it denies, so that the MCP
 * server can never run a different tool than the one hopgate decided on.
 */
public final class JsonRpcRejection extends Exception {
  private static final long serialVersionUID = 1L;

  private final String code;

  JsonRpcRejection(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** The violation code, such as {@code duplicate_key}. */
  public String code() {
    return code;
  }

  /**
   * JSON-RPC's own classification: -32700 (not JSON at all) or -32600 (JSON, not a valid request).
   */
  public int jsonRpcCode() {
    return jsonRpcCode(code);
  }

  /**
   * The JSON-RPC error code for a rejection's violation code (the answer is rendered from the
   * decision).
   */
  public static int jsonRpcCode(String code) {
    return code.equals("not_json") || code.equals("not_utf8") ? -32700 : -32600;
  }

  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
