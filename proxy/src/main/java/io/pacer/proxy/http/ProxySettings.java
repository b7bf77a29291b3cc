package io.pacer.proxy.http;

import io.netty.util.AsciiString;
import io.pacer.config.Limits;
import io.pacer.config.Listeners;
import io.pacer.config.PacerConfig;
import io.pacer.config.Upstream;
import io.pacer.core.AllowList;
import io.pacer.core.AppOptions;
import io.pacer.core.RetryPolicy;

/**
 * The configuration in the form the data plane reads it on every request: nanoseconds and
 * pre-encoded header values, computed once at startup.
 */
public final class ProxySettings {

    /** {@code Server} value on every answer: a name, no version (Nginx's {@code server_tokens off}). */
    public static final AsciiString SERVER = AsciiString.cached("pacer");

    final AsciiString xproxy;
    final long maxBodySize;
    public final int maxHeaderSize;
    final int maxUriSize;
    public final int connectTimeoutMillis;
    final long readTimeoutNanos;
    final long sendTimeoutNanos;
    final long keepaliveTimeoutNanos;
    final long clientHeaderTimeoutNanos;
    final long clientBodyTimeoutNanos;
    public final long upstreamIdleNanos;
    public final int upstreamKeepalive;
    final int replayBufferSize;
    final RetryPolicy retryPolicy;
    /** {@code trusted_proxies}; {@code null} when none. */
    final AllowList trustedProxies;
    final boolean proxyProtocol;

    ProxySettings(PacerConfig config) {
        Listeners listeners = config.listeners();
        Limits limits = config.limits();
        Upstream upstream = config.upstream();
        this.xproxy = AsciiString.cached(listeners.xproxy());
        this.maxBodySize = limits.maxBodySize() == 0 ? Long.MAX_VALUE : limits.maxBodySize();
        this.maxHeaderSize = limits.maxHeaderSize();
        this.maxUriSize = limits.maxUriSize();
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, upstream.connectTimeout().toMillis());
        this.readTimeoutNanos = upstream.readTimeout().toNanos();
        this.sendTimeoutNanos = limits.sendTimeout().toNanos();
        this.keepaliveTimeoutNanos = limits.keepaliveTimeout().toNanos();
        this.clientHeaderTimeoutNanos = limits.clientHeaderTimeout().toNanos();
        this.clientBodyTimeoutNanos = limits.clientBodyTimeout().toNanos();
        this.upstreamIdleNanos = upstream.keepaliveTimeout().toNanos();
        this.upstreamKeepalive = upstream.keepalive();
        this.replayBufferSize = upstream.replayBufferSize();
        this.retryPolicy = upstream.retryPolicy();
        this.trustedProxies = listeners.trustedProxies().isEmpty() ? null : AllowList.parse(listeners.trustedProxies());
        this.proxyProtocol = listeners.proxyProtocol();
    }

    // An app's labels override some keys; these read the app's value, else the configuration's.

    long maxBodySize(AppOptions app) {
        long own = app.maxBodySize();
        return own < 0 ? maxBodySize : own == 0 ? Long.MAX_VALUE : own;
    }

    long readTimeoutNanos(AppOptions app) {
        return app.readTimeoutNanos() > 0 ? app.readTimeoutNanos() : readTimeoutNanos;
    }

    int connectTimeoutMillis(AppOptions app) {
        return app.connectTimeoutMillis() > 0 ? (int) Math.min(Integer.MAX_VALUE, app.connectTimeoutMillis())
                : connectTimeoutMillis;
    }

    RetryPolicy retryPolicy(AppOptions app) {
        return app.retryPolicy() != null ? app.retryPolicy() : retryPolicy;
    }
}
