package io.pacer.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how clients connect: the listeners, TLS and HTTP/2, what is believed about the
 * balancers in front, the event loops and transport serving them and the {@code X-Proxy} they are answered with.
 *
 * @param listen                    {@code listen}: where clients connect; port 0 picks a free port. Default 0.0.0.0:8080.
 * @param xproxy                    {@code xproxy}: the {@code X-Proxy} response header. Default the machine's host name.
 * @param workerThreads             {@code worker_threads}: event loop threads; 0 (the default) means one per available processor.
 * @param transport                 {@code transport}: the data plane's I/O, one of {@code auto} (the default:
 *                                  io_uring where it runs, else epoll when its library loads, else NIO),
 *                                  {@code epoll}, {@code io_uring} and {@code nio}. Whether a named one runs on this machine is found out at startup.
 * @param proxyProtocol             {@code proxy_protocol}: every connection on {@code listen} starts with a PROXY protocol header.
 * @param trustedProxies            {@code trusted_proxies}: CIDR blocks of balancers in front whose {@code X-Forwarded-For},
 *                                  {@code -Proto} and {@code -Host} are believed. Default none.
 * @param tlsListen                 {@code tls_listen}: where TLS clients connect; empty (the default) means no TLS listener.
 * @param tlsCertificates           {@code tls_certificates}: the directory of PEM certificates and keys served on
 *                                  {@code tls_listen} ({@code NAME.crt} with {@code NAME.key}, or {@code NAME.pem}
 *                                  holding both); watched, so changes take effect without a restart. Set exactly
 *                                  when {@code tls_listen} is.
 * @param tlsDefaultCertificate     {@code tls_default_certificate}: the NAME served to clients without SNI; empty means
 *                                  the first by name.
 * @param http2Cleartext            {@code http2_cleartext}: whether {@code listen} also takes HTTP/2 with prior
 *                                  knowledge (h2c). Default false.
 * @param http2MaxConcurrentStreams {@code http2_max_concurrent_streams}: streams one HTTP/2 client may have open at
 *                                  once. Default 128.
 */
public record Listeners(
        InetSocketAddress listen,
        String xproxy,
        int workerThreads,
        String transport,
        boolean proxyProtocol,
        List<String> trustedProxies,
        Optional<InetSocketAddress> tlsListen,
        Optional<Path> tlsCertificates,
        Optional<String> tlsDefaultCertificate,
        boolean http2Cleartext,
        int http2MaxConcurrentStreams) {

    /** @throws IllegalArgumentException when only one of {@code tls_listen} and {@code tls_certificates} is set */
    public Listeners {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(xproxy, "xproxy");
        Objects.requireNonNull(transport, "transport");
        trustedProxies = List.copyOf(trustedProxies);
        if (tlsListen.isPresent() != tlsCertificates.isPresent()) {
            throw new IllegalArgumentException("tls_listen and tls_certificates go together: set both or neither");
        }
        Objects.requireNonNull(tlsDefaultCertificate, "tlsDefaultCertificate");
    }

    /** This group's {@code pacer.toml} keys and values, for {@link PacerConfig#toString()}. */
    @Override
    public String toString() {
        return "listen=" + listen
                + ", xproxy=" + Text.quote(xproxy)
                + ", worker_threads=" + workerThreads
                + ", transport=" + transport
                + ", proxy_protocol=" + proxyProtocol
                + ", trusted_proxies=" + trustedProxies
                + ", tls_listen=" + tlsListen.map(Object::toString).orElse("none")
                + ", tls_certificates=" + tlsCertificates.map(Object::toString).orElse("none")
                + ", tls_default_certificate=" + tlsDefaultCertificate.map(Text::quote).orElse("none")
                + ", http2_cleartext=" + http2Cleartext
                + ", http2_max_concurrent_streams=" + http2MaxConcurrentStreams;
    }
}
