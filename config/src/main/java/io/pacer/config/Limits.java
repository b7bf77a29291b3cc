package io.pacer.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What one client may ask of the proxy: how large a request may be, how long a client may take,
 * and how many clients may be connected at once.
 *
 * @param maxBodySize         {@code max_body_size}: largest request body in bytes; 0 means no limit. Default 128m.
 * @param maxHeaderSize       {@code max_header_size}: largest total of request header bytes. Default 32k.
 * @param maxUriSize          {@code max_uri_size}: longest request line in bytes. Default 8k.
 * @param maxConnections      {@code max_connections}: client connections open at once; a connection beyond it is
 *                            answered {@code 503} with {@code Connection: close}. 0 (the default) means no limit.
 * @param keepaliveTimeout    {@code keepalive_timeout}: idle client connection lifetime; zero disables client
 *                            keep-alive. Default 10s.
 * @param clientHeaderTimeout {@code client_header_timeout}: to receive a request's head. Default 60s.
 * @param clientBodyTimeout   {@code client_body_timeout}: longest silence while reading a request body. Default 60s.
 * @param sendTimeout         {@code send_timeout}: longest stall while writing to a client or a task. Default 120s.
 */
public record Limits(
        long maxBodySize,
        int maxHeaderSize,
        int maxUriSize,
        int maxConnections,
        Duration keepaliveTimeout,
        Duration clientHeaderTimeout,
        Duration clientBodyTimeout,
        Duration sendTimeout) {

    public Limits {
        Objects.requireNonNull(keepaliveTimeout, "keepaliveTimeout");
        Objects.requireNonNull(clientHeaderTimeout, "clientHeaderTimeout");
        Objects.requireNonNull(clientBodyTimeout, "clientBodyTimeout");
        Objects.requireNonNull(sendTimeout, "sendTimeout");
    }

    /** This group's {@code pacer.toml} keys and values, for {@link PacerConfig#toString()}. */
    @Override
    public String toString() {
        return "max_body_size=" + Sizes.format(maxBodySize)
                + ", max_header_size=" + Sizes.format(maxHeaderSize)
                + ", max_uri_size=" + Sizes.format(maxUriSize)
                + ", max_connections=" + maxConnections
                + ", keepalive_timeout=" + keepaliveTimeout
                + ", client_header_timeout=" + clientHeaderTimeout
                + ", client_body_timeout=" + clientBodyTimeout
                + ", send_timeout=" + sendTimeout;
    }
}
