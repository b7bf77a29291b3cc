package io.pacer.proxy.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * Builds the server {@link SslContext} of one certificate, the same way for all: TLS 1.2 and 1.3
 * only, forward-secret AEAD cipher suites only, ALPN offering {@code h2} then {@code http/1.1},
 * and a session cache (BoringSSL also issues session tickets) so that returning clients skip the
 * full handshake.
 *
 * <p>OpenSSL through netty-tcnative's static BoringSSL where it loads (Linux x86_64 and aarch64),
 * the JDK's TLS elsewhere; {@code -Dpacer.tls.provider=jdk} forces the JDK, to compare the two.
 */
public final class TlsContexts {

    public static final String PROTOCOL_H2 = ApplicationProtocolNames.HTTP_2;
    public static final String PROTOCOL_HTTP1 = ApplicationProtocolNames.HTTP_1_1;

    /**
     * TLS 1.3's suites and, for TLS 1.2, ECDHE with AES-GCM or ChaCha20-Poly1305 only (Mozilla's
     * "intermediate" profile): no CBC, no RSA key exchange, no SHA-1 MACs.
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    private static final long SESSION_CACHE_SIZE = 20_000;
    private static final long SESSION_TIMEOUT_SECONDS = 300;

    private final SslProvider provider;

    private TlsContexts(SslProvider provider) {
        this.provider = provider;
    }

    /** The fastest provider this platform has, unless {@code pacer.tls.provider=jdk} asks for the JDK's. */
    public static TlsContexts detect() {
        boolean jdk = "jdk".equalsIgnoreCase(System.getProperty("pacer.tls.provider", ""));
        return new TlsContexts(!jdk && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
    }

    /** "OpenSSL (BoringSSL ...)" or "JDK", for the startup line. */
    public String providerName() {
        return provider == SslProvider.OPENSSL ? "OpenSSL (" + OpenSsl.versionString() + ")" : "JDK";
    }

    SslContext build(PemFiles.KeyPair pair) throws SSLException {
        return SslContextBuilder.forServer(pair.key(), pair.chain())
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(
                        ApplicationProtocolConfig.Protocol.ALPN,
                        // Both behaviours are the only ones every provider supports.
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        PROTOCOL_H2, PROTOCOL_HTTP1))
                .sessionCacheSize(SESSION_CACHE_SIZE)
                .sessionTimeout(SESSION_TIMEOUT_SECONDS)
                .build();
    }
}
