package dev.hopgate.server.grpc;

import io.grpc.Attributes;
import io.grpc.Grpc;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * Who is calling, as the transport proves it: an mTLS identity, a Unix socket peer's UID, or
 * nobody.
 */
public sealed interface Caller {
  /**
   * A client certificate's URI SAN (a SPIFFE id), verified by TLS against {@code tls.client_ca}.
   */
  record Identity(String uri) implements Caller {
    @Override
    public String toString() {
      return uri;
    }
  }

  /** A Unix socket peer's UID, from the kernel (SO_PEERCRED). */
  record Uid(int uid) implements Caller {
    @Override
    public String toString() {
      return "uid " + uid;
    }
  }

  /** Plaintext TCP: nothing tells one caller from another. */
  record Unnamed() implements Caller {
    @Override
    public String toString() {
      return "an unnamed caller";
    }
  }

  int URI_SAN = 6;

  /** The caller of a call whose transport attributes are {@code attributes}. */
  static Caller of(Attributes attributes) {
    Integer uid = attributes.get(PeerCredentials.UID);
    if (uid != null) {
      return new Uid(uid);
    }
    String uri = uriOf(attributes.get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    return uri == null ? new Unnamed() : new Identity(uri);
  }

  /** The URI SAN of the client certificate of {@code session}, or null. */
  public static @Nullable String uriOf(@Nullable SSLSession session) {
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
