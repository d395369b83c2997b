package dev.hopgate.pdp.gate;

/** The outcome of one Check: exactly one of these is logged and answered. */
public enum Outcome {
  /** Every gate passed; the request goes upstream. */
  ALLOW,
  /** A gate or a floor rule refused the request; the denial says how to repair it. */
  DENY,
  /** hopgate could not verify or evaluate the request, so it failed closed. */
  ABORT,
  /** The evaluation ran out of time, so hopgate failed closed. */
  TIMEOUT
}
