package io.pacer.proxy.tls;

import io.netty.handler.ssl.SslContext;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * One certificate of the {@code tls_certificates} directory, ready to serve: its NAME (the file
 * name without ending), the host names it covers and its TLS context. {@code stamp} identifies the
 * file contents it was read from, so an unchanged file is not read again.
 */
record ServerCertificate(String name, Set<String> hostNames, SslContext context, String stamp, X509Certificate leaf) {

    /**
     * The DNS names of the certificate's subjectAltName, lower case; its subject's CN when it has
     * none (old certificates). Wildcards stay as written ({@code *.example.com}).
     */
    static Set<String> hostNames(X509Certificate certificate) {
        Set<String> names = new LinkedHashSet<>();
        try {
            Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
            if (alternatives != null) {
                for (List<?> alternative : alternatives) {
                    if (alternative.size() >= 2 && Integer.valueOf(2).equals(alternative.get(0))) {
                        names.add(String.valueOf(alternative.get(1)).toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // fall back to the CN below
        }
        if (names.isEmpty()) {
            try {
                List<Rdn> rdns = new ArrayList<>(new LdapName(certificate.getSubjectX500Principal().getName()).getRdns());
                for (Rdn rdn : rdns) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        names.add(String.valueOf(rdn.getValue()).toLowerCase(Locale.ROOT));
                    }
                }
            } catch (InvalidNameException e) {
                // no usable name: served only as the default
            }
        }
        return names;
    }

    @Override
    public String toString() {
        return name + " " + hostNames + " until " + leaf.getNotAfter().toInstant();
    }
}
