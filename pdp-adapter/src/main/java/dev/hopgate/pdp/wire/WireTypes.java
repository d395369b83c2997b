package dev.hopgate.pdp.wire;

import com.nimbusds.jose.JOSEObjectType;

/** The JOSE {@code typ} of every artifact a request carries. */
public final class WireTypes {
  private WireTypes() {}

  /** IETF OAuth Transaction Tokens. */
  public static final JOSEObjectType ORIGIN = new JOSEObjectType("txntoken+jwt");

  public static final JOSEObjectType HOP = new JOSEObjectType("hop+jwt");
  public static final JOSEObjectType TRANSITION = new JOSEObjectType("hop-transition+jwt");
  public static final JOSEObjectType COMPLETION = new JOSEObjectType("hop-completion+jwt");
  public static final JOSEObjectType MANIFEST = new JOSEObjectType("hop-manifest+jwt");

  /** Request headers. */
  public static final String TXN_TOKEN = "txn-token";

  public static final String TXN_CHAIN = "txn-chain";
  public static final String TXN_COMPLETIONS = "txn-completions";
}
