package dev.hopgate.server.grpc;

import static java.util.Objects.requireNonNull;

import dev.hopgate.server.config.Callers;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Admits to one service only the callers its rule names ({@link Callers}): Check and ext_proc the
 * Envoys, each with the components it fronts (in the call's {@link Context}, for the decision and
 * for ext_proc); the association the other hopgates; reflection any named caller. Where callers are
 * not named (plaintext on loopback: a developer machine) every caller is admitted, unbound.
 */
public final class CallerAdmission implements ServerInterceptor {
  private static final System.Logger LOG = System.getLogger(CallerAdmission.class.getName());

  /** The components the calling Envoy fronts; unset where callers are not named. */
  public static final Context.Key<Set<String>> BOUND_COMPONENTS =
      Context.key("hopgate-bound-components");

  /** Who a service admits. */
  public enum Rule {
    ENVOYS,
    HOPGATES,
    NAMED,
    ANYONE
  }

  private final String service;
  private final Rule rule;
  private final Callers callers;
  private final AtomicLong refused;

  /**
   * @param refused counts the calls refused (shared by every service's admission, for metrics)
   */
  public CallerAdmission(String service, Rule rule, Callers callers, AtomicLong refused) {
    this.service = requireNonNull(service, "service");
    this.rule = requireNonNull(rule, "rule");
    this.callers = requireNonNull(callers, "callers");
    this.refused = requireNonNull(refused, "refused");
  }

  /** The components bound to the Envoy of the current call, or null where callers are not named. */
  public static @Nullable Set<String> boundComponents() {
    return BOUND_COMPONENTS.get();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (rule == Rule.ANYONE || !callers.named()) {
      return next.startCall(call, headers);
    }
    Caller caller = Caller.of(call.getAttributes());
    Optional<Callers.Envoy> envoy = envoy(caller);
    if (rule == Rule.ENVOYS && envoy.isPresent()) {
      Context bound =
          Context.current().withValue(BOUND_COMPONENTS, Set.copyOf(envoy.get().components()));
      return Contexts.interceptCall(bound, call, headers, next);
    }
    boolean hopgate = caller instanceof Caller.Identity id && callers.hopgates().contains(id.uri());
    if ((rule == Rule.HOPGATES && hopgate)
        || (rule == Rule.NAMED && (hopgate || envoy.isPresent()))) {
      return next.startCall(call, headers);
    }
    long n = refused.incrementAndGet();
    if (n == 1 || n % 1000 == 0) {
      LOG.log(
          System.Logger.Level.WARNING,
          "refused {0} calling {1} ({2} refusals so far): {3}",
          caller,
          service,
          n,
          switch (rule) {
            case ENVOYS -> "not in callers.envoys";
            case HOPGATES -> "not in callers.hopgates";
            default -> "not in callers";
          });
    }
    call.close(
        Status.PERMISSION_DENIED.withDescription(caller + " may not call " + service),
        new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private Optional<Callers.Envoy> envoy(Caller caller) {
    return callers.envoys().stream()
        .filter(
            e ->
                caller instanceof Caller.Identity id
                    ? id.uri().equals(e.id())
                    : caller instanceof Caller.Uid uid
                        && Integer.valueOf(uid.uid()).equals(e.uid()))
        .findFirst();
  }
}
