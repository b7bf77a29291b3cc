package io.pacer.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every key {@code pacer.toml} accepts and where its value goes: adding a key is one line here
 * (plus its component in one of {@link PacerConfig}'s groups and its {@link PacerConfig.Builder}
 * setter). Ranges are the operator-facing ones; the builder only refuses what cannot work at all.
 */
final class Keys {

    /** Puts one key's value into the draft, or explains why it cannot. */
    @FunctionalInterface
    interface Setter {
        void apply(Draft draft, Value value) throws BadValue;
    }

    private static final int K = 1024;
    private static final int M = 1024 * K;

    private static final Map<String, Setter> TABLE = new LinkedHashMap<>();

    static {
        key("listen", (d, v) -> d.config.listen(v.address()));
        // TLS and HTTP/2 for clients.
        // An empty string means "none", so the shipped file can show the default as the other keys do.
        key("tls_listen", (d, v) -> d.config.tlsListen(v.isEmptyString() ? null : v.address()));
        key("tls_certificates", (d, v) -> d.config.tlsCertificates(v.isEmptyString() ? null : v.readableDirectory()));
        key("tls_default_certificate", (d, v) -> d.config.tlsDefaultCertificate(v.certificateName()));
        key("http2_cleartext", (d, v) -> d.config.http2Cleartext(v.flag()));
        key("http2_max_concurrent_streams", (d, v) -> d.config.http2MaxConcurrentStreams(v.integer(1, 10_000)));
        key("xproxy", (d, v) -> d.config.xproxy(v.headerValue()));
        key("apps_file", (d, v) -> d.config.appsFile(v.readableFile()));
        key("max_body_size", (d, v) -> d.config.maxBodySize(v.size(0, Long.MAX_VALUE)));
        key("max_header_size", (d, v) -> d.config.maxHeaderSize(v.intSize(K, M)));
        key("max_uri_size", (d, v) -> d.config.maxUriSize(v.intSize(256, M)));
        key("connect_timeout", (d, v) -> d.config.connectTimeout(v.positiveDuration()));
        key("read_timeout", (d, v) -> d.config.readTimeout(v.positiveDuration()));
        key("send_timeout", (d, v) -> d.config.sendTimeout(v.positiveDuration()));
        key("keepalive_timeout", (d, v) -> d.config.keepaliveTimeout(v.duration()));
        key("client_header_timeout", (d, v) -> d.config.clientHeaderTimeout(v.positiveDuration()));
        key("client_body_timeout", (d, v) -> d.config.clientBodyTimeout(v.positiveDuration()));
        key("upstream_keepalive_timeout", (d, v) -> d.config.upstreamKeepaliveTimeout(v.positiveDuration()));
        key("upstream_keepalive", (d, v) -> d.config.upstreamKeepalive(v.integer(0, Integer.MAX_VALUE)));
        key("next_upstream", (d, v) -> d.nextUpstream(NextUpstream.parse(v.words())));
        key("next_upstream_tries", (d, v) -> d.nextUpstreamTries(v.integer(0, Integer.MAX_VALUE)));
        key("next_upstream_timeout", (d, v) -> d.nextUpstreamTimeout(v.duration()));
        key("replay_buffer_size", (d, v) -> d.config.replayBufferSize(v.intSize(0, 64 * M)));
        key("worker_threads", (d, v) -> d.config.workerThreads(v.integer(0, Integer.MAX_VALUE)));
        key("transport", (d, v) -> d.config.transport(v.oneOf(PacerConfig.TRANSPORTS)));
        key("max_connections", (d, v) -> d.config.maxConnections(v.integer(0, Integer.MAX_VALUE)));
        key("balance", (d, v) -> d.config.balance(v.oneOf(PacerConfig.BALANCERS)));
        key("trusted_proxies", (d, v) -> d.config.trustedProxies(cidrs(v.words())));
        key("proxy_protocol", (d, v) -> d.config.proxyProtocol(v.flag()));
        key("route_by", (d, v) -> d.config.routeByHost("host".equals(v.oneOf(PacerConfig.ROUTE_BY))));
        key("max_fails", (d, v) -> d.config.maxFails(v.integer(0, 1000)));
        key("fail_timeout", (d, v) -> d.config.failTimeout(v.positiveDuration()));
        // Nixy's own keys, read as nixy.toml writes them.
        key("marathon", (d, v) -> d.config.marathon(v.urls()));
        key("user", (d, v) -> d.config.user(v.string()));
        key("pass", (d, v) -> d.config.pass(v.string()));
        key("realm", (d, v) -> d.config.realm(v.string()));
        key("port", (d, v) -> d.config.adminPort(v.integer(0, 65535)));
        // The admin API's own address, and the token it wants (Pacer's, not Nixy's).
        key("admin_listen", (d, v) -> d.config.adminListen(v.optionalAddress()));
        key("admin_token", (d, v) -> d.config.adminToken(v.token()));
        // How Pacer follows Marathon.
        key("resync_interval", (d, v) -> d.config.resyncInterval(v.duration()));
        key("stream_watchdog", (d, v) -> d.config.streamWatchdog(v.positiveDuration()));
        key("marathon_timeout", (d, v) -> d.config.marathonTimeout(v.positiveDuration()));
        // Stopping and logging.
        key("shutdown_grace", (d, v) -> d.config.shutdownGrace(v.duration()));
        key("access_log", (d, v) -> d.config.accessLog(v.flag()));
        key("access_log_format", (d, v) -> d.config.accessLogFormat(v.oneOf(PacerConfig.LOG_FORMATS)));
        key("log_level", (d, v) -> d.config.logLevel(v.oneOfIgnoringCase(PacerConfig.LOG_LEVELS)));
        // Metrics.
        key("app_latency_histograms", (d, v) -> d.config.appLatencyHistograms(v.flag()));
        key("log_format", (d, v) -> d.config.logFormat(v.oneOf(PacerConfig.LOG_FORMATS)));
    }

    private static final String NGINX = "Pacer proxies by itself without Nginx";

    /** Each must be a CIDR block or an address, an IP literal (no name is resolved); none is fine. */
    private static List<String> cidrs(List<String> words) throws BadValue {
        if (words.isEmpty()) {
            return List.of(); // none trusted, the default
        }
        try {
            io.pacer.core.AllowList.parse(words);
        } catch (IllegalArgumentException e) {
            throw new BadValue(e.getMessage() + " (use CIDR blocks such as \"10.0.0.0/8\" or addresses)");
        }
        return List.copyOf(words);
    }

    /**
     * Keys a {@code nixy.toml} has that mean nothing to Pacer, with what to tell whoever copied
     * them. They are accepted, so that a Nixy configuration starts Pacer unchanged, and each one
     * costs a warning.
     */
    private static final Map<String, String> NIXY_ONLY = Map.of(
            "nginx_config", NGINX,
            "nginx_template", NGINX,
            "nginx_cmd", NGINX,
            "nginx_ignore_check", NGINX,
            "left_delimiter", NGINX,
            "right_delimiter", NGINX,
            "statsd", "Pacer does not send statsd metrics");

    private Keys() { }

    private static void key(String name, Setter setter) {
        TABLE.put(name, setter);
    }

    /** The setter for {@code key}, or {@code null} when there is no such key. */
    static Setter setter(String key) {
        return TABLE.get(key);
    }

    static Set<String> names() {
        return Collections.unmodifiableSet(TABLE.keySet());
    }

    /** Whether {@code key} is one of Nixy's Nginx-only keys, accepted and ignored. */
    static boolean isIgnoredNixyKey(String key) {
        return NIXY_ONLY.containsKey(key);
    }

    /** What to tell whoever kept an ignored Nixy key, see {@link #isIgnoredNixyKey}. */
    static String ignored(String key) {
        return "ignored: a Nixy setting with no meaning here (" + NIXY_ONLY.get(key) + "); remove it to silence this warning";
    }

    /** Why {@code key} is not accepted, with a way forward when there is one. */
    static String unknown(String key) {
        String closest = Text.closest(key, TABLE.keySet());
        return closest == null ? "unknown key" : "unknown key (did you mean " + closest + "?)";
    }
}
