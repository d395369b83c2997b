package dev.hopgate.server.grpc;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Admits only the clients whose certificate carries an allowed identity (a URI SAN, normally the
 * Envoy's SPIFFE id). TLS has already verified the certificate against the client CA; this pins
 * which holders of that CA's certificates may ask hopgate anything.
 */
public final class ClientIdentityInterceptor implements ServerInterceptor {
  private static final System.Logger LOG = System.getLogger(ClientIdentityInterceptor.class.getName());
  private static final int URI_SAN = 6;

  private final Set<String> allowed;

  public ClientIdentityInterceptor(List<String> allowed) {
    this.allowed = Set.copyOf(allowed);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    String identity = identity(session);
    if (identity == null || !allowed.contains(identity)) {
      LOG.log(System.Logger.Level.WARNING, "refused a gRPC client with identity {0}", identity);
      call.close(Status.PERMISSION_DENIED.withDescription("client identity not allowed"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  private static String identity(SSLSession session) {
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return null;
      }
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans == null) {
        return null;
      }
      for (List<?> san : sans) {
        if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
          return String.valueOf(san.get(1));
        }
      }
      return null;
    } catch (SSLPeerUnverifiedException | CertificateParsingException e) {
      return null;
    }
  }
}
