package dev.hopgate.pdp.mcp;

import java.util.Map;
import java.util.Objects;

/**
 * A body hopgate will not read as a JSON-RPC request: rather than guess, it denies, so that the MCP
 * server can never run a different tool than the one hopgate decided on.
 */
public final class JsonRpcRejection extends Exception {
  private static final long serialVersionUID = 1L;

  /** MCP 2026-07-28's HeaderMismatch. */
  public static final int HEADER_MISMATCH = -32020;

  /**
   * MCP 2026-07-28's UnsupportedProtocolVersion (its data: {@code supported}, {@code requested}).
   */
  public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

  private final String code;
  private final transient Map<String, Object> details;

  JsonRpcRejection(String code, String message) {
    this(code, message, Map.of());
  }

  JsonRpcRejection(String code, String message, Map<String, Object> details) {
    super(message, null, false, false);
    this.code = code;
    this.details = Map.copyOf(details);
  }

  /** What the violation names besides its code ({@code requested}, {@code supported}). */
  public Map<String, Object> details() {
    return details;
  }

  /** The violation code, such as {@code duplicate_key}. */
  public String code() {
    return code;
  }

  /**
   * JSON-RPC's own classification: -32700 (not JSON at all) or -32600 (JSON, not a valid request);
   * MCP's for what its 2026-07-28 revision defines: -32020 (a header disagrees with the body),
   * -32022 (an unsupported revision), -32602 (a required {@code _meta} member missing).
   */
  public int jsonRpcCode() {
    return jsonRpcCode(code);
  }

  /**
   * The JSON-RPC error code for a rejection's violation code (the answer is rendered from the
   * decision).
   */
  public static int jsonRpcCode(String code) {
    return switch (code) {
      case "not_json", "not_utf8" -> -32700;
      case "header_mismatch" -> HEADER_MISMATCH;
      case "protocol_version_unsupported" -> UNSUPPORTED_PROTOCOL_VERSION;
      case "protocol_version_missing" -> -32602;
      default -> -32600;
    };
  }

  @Override
  public String getMessage() {
    return Objects.requireNonNull(super.getMessage());
  }
}
