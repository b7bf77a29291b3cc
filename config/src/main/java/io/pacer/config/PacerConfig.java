package io.pacer.config;

import io.pacer.core.Balance;
import io.pacer.core.FailurePolicy;
import io.pacer.core.RetryPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code pacer.toml} sets, with Nginx's defaults where Nixy's template relied on them.
 * Immutable; read one with {@link ConfigLoader#load}, or build one with {@link #builder()}.
 *
 * <p>The builder rejects only values the proxy cannot work with (nulls, negatives, a header value
 * that would corrupt responses). The narrower ranges operators are held to, such as
 * {@code max_header_size} between 1k and 1m, are the loader's, so tests can use tiny limits.
 */
public final class PacerConfig {

    /** Accepted values of {@code balance}. */
    static final List<String> BALANCERS = Balance.configNames();

    /** Accepted values of {@code route_by}. */
    static final List<String> ROUTE_BY = List.of("path", "host");

    /** Accepted values of {@code access_log_format} and {@code log_format}. */
    static final List<String> LOG_FORMATS = List.of("text", "json");

    /** Accepted values of {@code transport}. */
    static final List<String> TRANSPORTS = List.of("auto", "epoll", "io_uring", "nio");

    /** Accepted values of {@code log_level}, most severe first. */
    static final List<String> LOG_LEVELS = List.of("error", "warn", "info", "debug", "trace");

    private final InetSocketAddress listen;
    private final String xproxy;
    private final Path appsFile;
    private final long maxBodySize;
    private final int maxHeaderSize;
    private final int maxUriSize;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Duration sendTimeout;
    private final Duration keepaliveTimeout;
    private final Duration clientHeaderTimeout;
    private final Duration clientBodyTimeout;
    private final Duration upstreamKeepaliveTimeout;
    private final int upstreamKeepalive;
    private final RetryPolicy retryPolicy;
    private final int replayBufferSize;
    private final int workerThreads;
    private final String transport;
    private final int maxConnections;
    private final String balance;
    private final FailurePolicy failurePolicy;
    private final boolean routeByHost;
    private final List<String> trustedProxies;
    private final boolean proxyProtocol;
    private final List<URI> marathon;
    private final String user;
    private final String pass;
    private final String realm;
    private final int adminPort;
    private final InetSocketAddress adminListen;
    private final String adminToken;
    private final Duration resyncInterval;
    private final Duration streamWatchdog;
    private final Duration marathonTimeout;
    private final Duration shutdownGrace;
    private final boolean accessLog;
    private final boolean appLatencyHistograms;
    private final String accessLogFormat;
    private final String logLevel;
    private final String logFormat;
    private final InetSocketAddress tlsListen;
    private final Path tlsCertificates;
    private final String tlsDefaultCertificate;
    private final boolean http2Cleartext;
    private final int http2MaxConcurrentStreams;
    private final List<String> warnings;

    private PacerConfig(Builder b) {
        if ((b.tlsListen == null) != (b.tlsCertificates == null)) {
            throw new IllegalArgumentException("tls_listen and tls_certificates go together: set both or neither");
        }
        if (!b.marathon.isEmpty() && b.appsFile != null) {
            throw new IllegalArgumentException("marathon and apps_file cannot both be set");
        }
        listen = b.listen;
        xproxy = b.xproxy != null ? b.xproxy : LocalHostName.VALUE;
        appsFile = b.appsFile;
        maxBodySize = b.maxBodySize;
        maxHeaderSize = b.maxHeaderSize;
        maxUriSize = b.maxUriSize;
        connectTimeout = b.connectTimeout;
        readTimeout = b.readTimeout;
        sendTimeout = b.sendTimeout;
        keepaliveTimeout = b.keepaliveTimeout;
        clientHeaderTimeout = b.clientHeaderTimeout;
        clientBodyTimeout = b.clientBodyTimeout;
        upstreamKeepaliveTimeout = b.upstreamKeepaliveTimeout;
        upstreamKeepalive = b.upstreamKeepalive;
        retryPolicy = b.retryPolicy;
        replayBufferSize = b.replayBufferSize;
        workerThreads = b.workerThreads;
        transport = b.transport;
        maxConnections = b.maxConnections;
        balance = b.balance;
        failurePolicy = b.failurePolicy;
        routeByHost = b.routeByHost;
        trustedProxies = b.trustedProxies;
        proxyProtocol = b.proxyProtocol;
        marathon = b.marathon;
        user = b.user;
        pass = b.pass;
        realm = b.realm;
        adminPort = b.adminPort;
        adminListen = b.adminListen;
        adminToken = b.adminToken;
        resyncInterval = b.resyncInterval;
        streamWatchdog = b.streamWatchdog;
        marathonTimeout = b.marathonTimeout;
        shutdownGrace = b.shutdownGrace;
        accessLog = b.accessLog;
        appLatencyHistograms = b.appLatencyHistograms;
        accessLogFormat = b.accessLogFormat;
        logLevel = b.logLevel;
        logFormat = b.logFormat;
        tlsListen = b.tlsListen;
        tlsCertificates = b.tlsCertificates;
        tlsDefaultCertificate = b.tlsDefaultCertificate;
        http2Cleartext = b.http2Cleartext;
        http2MaxConcurrentStreams = b.http2MaxConcurrentStreams;
        warnings = b.warnings;
    }

    /** Every key at its default; no {@code apps_file}. */
    public static PacerConfig defaults() {
        return builder().build();
    }

    /** A builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** {@code listen}: where clients connect; port 0 picks a free port. Default 0.0.0.0:8080. */
    public InetSocketAddress listen() {
        return listen;
    }

    /** {@code tls_listen}: where TLS clients connect; empty (the default) means no TLS listener. */
    public Optional<InetSocketAddress> tlsListen() {
        return Optional.ofNullable(tlsListen);
    }

    /**
     * {@code tls_certificates}: the directory of PEM certificates and keys served on
     * {@code tls_listen} ({@code NAME.crt} with {@code NAME.key}, or {@code NAME.pem} holding both);
     * watched, so changes take effect without a restart. Set exactly when {@code tls_listen} is.
     */
    public Optional<Path> tlsCertificates() {
        return Optional.ofNullable(tlsCertificates);
    }

    /** {@code tls_default_certificate}: the NAME served to clients without SNI; empty means the first by name. */
    public Optional<String> tlsDefaultCertificate() {
        return Optional.ofNullable(tlsDefaultCertificate);
    }

    /** {@code http2_cleartext}: whether {@code listen} also takes HTTP/2 with prior knowledge (h2c). Default false. */
    public boolean http2Cleartext() {
        return http2Cleartext;
    }

    /** {@code http2_max_concurrent_streams}: streams one HTTP/2 client may have open at once. Default 128. */
    public int http2MaxConcurrentStreams() {
        return http2MaxConcurrentStreams;
    }

    /** {@code xproxy}: the {@code X-Proxy} response header. Default the machine's host name. */
    public String xproxy() {
        return xproxy;
    }

    /** {@code apps_file}: apps read from a file shaped like Marathon's {@code /v2/apps?embed=apps.tasks}. */
    public Optional<Path> appsFile() {
        return Optional.ofNullable(appsFile);
    }

    /** {@code max_body_size}: largest request body in bytes; 0 means no limit. Default 128m. */
    public long maxBodySize() {
        return maxBodySize;
    }

    /** {@code max_header_size}: largest total of request header bytes. Default 32k. */
    public int maxHeaderSize() {
        return maxHeaderSize;
    }

    /** {@code max_uri_size}: longest request line in bytes. Default 8k. */
    public int maxUriSize() {
        return maxUriSize;
    }

    /** {@code connect_timeout}: to open a connection to a task. Default 30s. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** {@code read_timeout}: longest silence while reading from a task. Default 120s. */
    public Duration readTimeout() {
        return readTimeout;
    }

    /** {@code send_timeout}: longest stall while writing to a client or a task. Default 120s. */
    public Duration sendTimeout() {
        return sendTimeout;
    }

    /** {@code keepalive_timeout}: idle client connection lifetime; zero disables client keep-alive. Default 10s. */
    public Duration keepaliveTimeout() {
        return keepaliveTimeout;
    }

    /** {@code client_header_timeout}: to receive a request's head. Default 60s. */
    public Duration clientHeaderTimeout() {
        return clientHeaderTimeout;
    }

    /** {@code client_body_timeout}: longest silence while reading a request body. Default 60s. */
    public Duration clientBodyTimeout() {
        return clientBodyTimeout;
    }

    /** {@code upstream_keepalive_timeout}: idle pooled task connection lifetime. Default 60s. */
    public Duration upstreamKeepaliveTimeout() {
        return upstreamKeepaliveTimeout;
    }

    /** {@code upstream_keepalive}: idle pooled connections per task per event loop; 0 disables pooling. Default 512 (measured: 32 starved 1,000 concurrent clients). */
    public int upstreamKeepalive() {
        return upstreamKeepalive;
    }

    /** {@code next_upstream}, {@code next_upstream_tries} and {@code next_upstream_timeout}. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /** {@code replay_buffer_size}: request body bytes kept to replay on another task. Default 64k. */
    public int replayBufferSize() {
        return replayBufferSize;
    }

    /** {@code worker_threads}: event loop threads; 0 (the default) means one per available processor. */
    public int workerThreads() {
        return workerThreads;
    }

    /**
     * {@code transport}: the data plane's I/O, one of {@code auto} (the default: epoll when its
     * library loads, else NIO), {@code epoll}, {@code io_uring} and {@code nio}. Whether a named one
     * runs on this machine is found out at startup.
     */
    public String transport() {
        return transport;
    }

    /**
     * {@code max_connections}: client connections open at once; a connection beyond it is answered
     * {@code 503} with {@code Connection: close}. 0 (the default) means no limit.
     */
    public int maxConnections() {
        return maxConnections;
    }

    /** {@code balance}: how requests are spread over an app's tasks. Default round_robin. */
    public String balance() {
        return balance;
    }

    /**
     * {@code max_fails} and {@code fail_timeout}: a task failing {@code max_fails} times within
     * {@code fail_timeout} is skipped for {@code fail_timeout}. Default 1 and 10s, as Nginx.
     */
    public FailurePolicy failurePolicy() {
        return failurePolicy;
    }

    /**
     * {@code route_by = "host"}: apps answer on their Nixy names as virtual hosts, as Nixy's default
     * template serves them, instead of at path prefixes (the seed's template, {@code "path"}, the
     * default).
     */
    public boolean routeByHost() {
        return routeByHost;
    }

    /**
     * {@code trusted_proxies}: CIDR blocks of balancers in front whose {@code X-Forwarded-For},
     * {@code -Proto} and {@code -Host} are believed. Default none.
     */
    public List<String> trustedProxies() {
        return trustedProxies;
    }

    /** {@code proxy_protocol}: every connection on {@code listen} starts with a PROXY protocol header. */
    public boolean proxyProtocol() {
        return proxyProtocol;
    }

    /**
     * {@code marathon}: base URLs of the Marathon masters, in priority order (the first healthy
     * one is used), normalized without a trailing slash; user info is kept when the file had it.
     * Empty (the default) when routes come from {@code apps_file} or nowhere.
     */
    public List<URI> marathon() {
        return marathon;
    }

    /** {@code user}: basic-auth user sent on every Marathon call; empty when not set or blank. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** {@code pass}: basic-auth password, used only with {@link #user()}; empty when not set. */
    public Optional<String> pass() {
        return Optional.ofNullable(pass);
    }

    /** {@code realm}: when set, only apps whose label {@code NIXY_REALM} equals it are routed. */
    public Optional<String> realm() {
        return Optional.ofNullable(realm);
    }

    /**
     * {@code port}: Nixy's admin API port, on the {@code listen} host (see {@link #adminAddress()}).
     * 0, the default, means no admin API unless {@code admin_listen} is set.
     */
    public int adminPort() {
        return adminPort;
    }

    /** {@code admin_listen}: the admin API's own address, when the file sets one. */
    public Optional<InetSocketAddress> adminListen() {
        return Optional.ofNullable(adminListen);
    }

    /**
     * Where the admin API listens: {@code admin_listen}, else the {@code listen} host with Nixy's
     * {@code port}; empty when neither is set (no admin API).
     */
    public Optional<InetSocketAddress> adminAddress() {
        if (adminListen != null) {
            return Optional.of(adminListen);
        }
        return adminPort == 0 ? Optional.empty() : Optional.of(new InetSocketAddress(listen.getAddress(), adminPort));
    }

    /**
     * {@code admin_token}: when set, every admin endpoint but health, readiness and metrics wants
     * {@code Authorization: Bearer <token>}. Empty (the default) keeps Nixy's open admin API.
     */
    public Optional<String> adminToken() {
        return Optional.ofNullable(adminToken);
    }

    /** {@code resync_interval}: a full resync from Marathon this often even without events; zero disables. Default 5m. */
    public Duration resyncInterval() {
        return resyncInterval;
    }

    /** {@code stream_watchdog}: an event stream silent this long is dropped and reopened. Default 15s. */
    public Duration streamWatchdog() {
        return streamWatchdog;
    }

    /** {@code marathon_timeout}: time allowed for one Marathon call such as {@code /v2/apps}. Default 10s. */
    public Duration marathonTimeout() {
        return marathonTimeout;
    }

    /**
     * {@code shutdown_grace}: how long in-flight requests may take to finish after SIGTERM before
     * connections are closed; zero closes them at once. Default 30s.
     */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** {@code access_log}: whether one line is logged per request. Default false. */
    public boolean accessLog() {
        return accessLog;
    }

    /**
     * {@code app_latency_histograms}: whether each app's request and upstream durations get
     * histogram buckets (per-app quantiles, about 3.5 KB of scrape per app with traffic) rather
     * than a count, a sum and a max. Default false: the whole proxy's histograms are always there.
     */
    public boolean appLatencyHistograms() {
        return appLatencyHistograms;
    }

    /** {@code access_log_format}: "text" or "json" access log lines. Default text. */
    public String accessLogFormat() {
        return accessLogFormat;
    }

    /** {@code log_level}: the least severe level logged, in lower case: error, warn, info, debug or trace. Default info. */
    public String logLevel() {
        return logLevel;
    }

    /** {@code log_format}: "text" or "json" log lines. Default text. */
    public String logFormat() {
        return logFormat;
    }

    /**
     * What the loader accepted but wants the operator to know, one line each, ready to log at
     * WARN (e.g. Nixy's Nginx-only keys, which are ignored). Empty for a config built in code.
     * Not part of {@link #equals}: two files meaning the same thing are equal configs.
     */
    public List<String> warnings() {
        return warnings;
    }

    // RetryPolicy has no equals of its own, so it is compared part by part.
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PacerConfig)) {
            return false;
        }
        PacerConfig c = (PacerConfig) o;
        return listen.equals(c.listen)
                && xproxy.equals(c.xproxy)
                && Objects.equals(appsFile, c.appsFile)
                && maxBodySize == c.maxBodySize
                && maxHeaderSize == c.maxHeaderSize
                && maxUriSize == c.maxUriSize
                && connectTimeout.equals(c.connectTimeout)
                && readTimeout.equals(c.readTimeout)
                && sendTimeout.equals(c.sendTimeout)
                && keepaliveTimeout.equals(c.keepaliveTimeout)
                && clientHeaderTimeout.equals(c.clientHeaderTimeout)
                && clientBodyTimeout.equals(c.clientBodyTimeout)
                && upstreamKeepaliveTimeout.equals(c.upstreamKeepaliveTimeout)
                && upstreamKeepalive == c.upstreamKeepalive
                && retryPolicy.conditions().equals(c.retryPolicy.conditions())
                && retryPolicy.nonIdempotent() == c.retryPolicy.nonIdempotent()
                && retryPolicy.tries() == c.retryPolicy.tries()
                && retryPolicy.timeoutNanos() == c.retryPolicy.timeoutNanos()
                && replayBufferSize == c.replayBufferSize
                && workerThreads == c.workerThreads
                && transport.equals(c.transport)
                && maxConnections == c.maxConnections
                && balance.equals(c.balance)
                && failurePolicy.equals(c.failurePolicy)
                && routeByHost == c.routeByHost
                && trustedProxies.equals(c.trustedProxies)
                && proxyProtocol == c.proxyProtocol
                && marathon.equals(c.marathon)
                && Objects.equals(user, c.user)
                && Objects.equals(pass, c.pass)
                && Objects.equals(realm, c.realm)
                && adminPort == c.adminPort
                && Objects.equals(adminListen, c.adminListen)
                && Objects.equals(adminToken, c.adminToken)
                && resyncInterval.equals(c.resyncInterval)
                && streamWatchdog.equals(c.streamWatchdog)
                && marathonTimeout.equals(c.marathonTimeout)
                && shutdownGrace.equals(c.shutdownGrace)
                && accessLog == c.accessLog
                && appLatencyHistograms == c.appLatencyHistograms
                && accessLogFormat.equals(c.accessLogFormat)
                && logLevel.equals(c.logLevel)
                && logFormat.equals(c.logFormat)
                && Objects.equals(tlsListen, c.tlsListen)
                && Objects.equals(tlsCertificates, c.tlsCertificates)
                && Objects.equals(tlsDefaultCertificate, c.tlsDefaultCertificate)
                && http2Cleartext == c.http2Cleartext
                && http2MaxConcurrentStreams == c.http2MaxConcurrentStreams;
    }

    @Override
    public int hashCode() {
        return Objects.hash(listen, xproxy, appsFile, maxBodySize, maxHeaderSize, maxUriSize,
                connectTimeout, readTimeout, sendTimeout, keepaliveTimeout, clientHeaderTimeout,
                clientBodyTimeout, upstreamKeepaliveTimeout, upstreamKeepalive,
                retryPolicy.conditions(), retryPolicy.nonIdempotent(), retryPolicy.tries(),
                retryPolicy.timeoutNanos(), replayBufferSize, workerThreads, transport, maxConnections, balance, failurePolicy,
                routeByHost, trustedProxies, proxyProtocol, marathon, user, pass, realm, adminPort, adminListen,
                adminToken, resyncInterval, streamWatchdog, marathonTimeout, shutdownGrace, accessLog, appLatencyHistograms,
                accessLogFormat, logLevel, logFormat, tlsListen, tlsCertificates, tlsDefaultCertificate,
                http2Cleartext, http2MaxConcurrentStreams);
    }

    /**
     * Uses the TOML key names, so a logged config can be compared with the file line by line.
     * Secrets are masked: {@code pass} and any password in a {@code marathon} URL.
     */
    @Override
    public String toString() {
        return "PacerConfig{listen=" + listen
                + ", xproxy=" + Text.quote(xproxy)
                + ", apps_file=" + (appsFile == null ? "none" : appsFile)
                + ", max_body_size=" + Sizes.format(maxBodySize)
                + ", max_header_size=" + Sizes.format(maxHeaderSize)
                + ", max_uri_size=" + Sizes.format(maxUriSize)
                + ", connect_timeout=" + connectTimeout
                + ", read_timeout=" + readTimeout
                + ", send_timeout=" + sendTimeout
                + ", keepalive_timeout=" + keepaliveTimeout
                + ", client_header_timeout=" + clientHeaderTimeout
                + ", client_body_timeout=" + clientBodyTimeout
                + ", upstream_keepalive_timeout=" + upstreamKeepaliveTimeout
                + ", upstream_keepalive=" + upstreamKeepalive
                + ", " + retryPolicy
                + ", replay_buffer_size=" + Sizes.format(replayBufferSize)
                + ", worker_threads=" + workerThreads
                + ", transport=" + transport
                + ", max_connections=" + maxConnections
                + ", balance=" + balance
                + ", max_fails=" + failurePolicy.maxFails()
                + ", fail_timeout=" + Duration.ofNanos(failurePolicy.failTimeoutNanos())
                + ", route_by=" + (routeByHost ? "host" : "path")
                + ", trusted_proxies=" + trustedProxies
                + ", proxy_protocol=" + proxyProtocol
                + ", marathon=" + marathon.stream().map(PacerConfig::masked).toList()
                + ", user=" + (user == null ? "none" : Text.quote(user))
                + ", pass=" + (pass == null ? "none" : "\"***\"")
                + ", realm=" + (realm == null ? "none" : Text.quote(realm))
                + ", port=" + adminPort
                + ", admin_listen=" + (adminListen == null ? "none" : adminListen)
                + ", admin_token=" + (adminToken == null ? "none" : "\"***\"")
                + ", resync_interval=" + resyncInterval
                + ", stream_watchdog=" + streamWatchdog
                + ", marathon_timeout=" + marathonTimeout
                + ", shutdown_grace=" + shutdownGrace
                + ", access_log=" + accessLog
                + ", app_latency_histograms=" + appLatencyHistograms
                + ", access_log_format=" + accessLogFormat
                + ", log_level=" + logLevel
                + ", log_format=" + logFormat
                + ", tls_listen=" + (tlsListen == null ? "none" : tlsListen)
                + ", tls_certificates=" + (tlsCertificates == null ? "none" : tlsCertificates)
                + ", tls_default_certificate=" + (tlsDefaultCertificate == null ? "none" : Text.quote(tlsDefaultCertificate))
                + ", http2_cleartext=" + http2Cleartext
                + ", http2_max_concurrent_streams=" + http2MaxConcurrentStreams + "}";
    }

    /** {@code url} with its user info, if any, replaced by {@code ***}, for logs and status pages. */
    public static String masked(URI url) {
        if (url.getRawUserInfo() == null) {
            return url.toString();
        }
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://***@" + url.getHost() + port + path;
    }

    /** Starts from the defaults; every setter checks its argument at once, so a bad one fails where it is set. */
    public static final class Builder {
        private InetSocketAddress listen = new InetSocketAddress(8080);
        /** {@code null} until set: the default costs a host name lookup, paid only when it is used. */
        private String xproxy;
        private Path appsFile;
        private long maxBodySize = 128L << 20;
        private int maxHeaderSize = 32 << 10;
        private int maxUriSize = 8 << 10;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration readTimeout = Duration.ofSeconds(120);
        private Duration sendTimeout = Duration.ofSeconds(120);
        private Duration keepaliveTimeout = Duration.ofSeconds(10);
        private Duration clientHeaderTimeout = Duration.ofSeconds(60);
        private Duration clientBodyTimeout = Duration.ofSeconds(60);
        private Duration upstreamKeepaliveTimeout = Duration.ofSeconds(60);
        private int upstreamKeepalive = 512;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private int replayBufferSize = 64 << 10;
        private int workerThreads;
        private String transport = "auto";
        private int maxConnections;
        private String balance = "round_robin";
        private FailurePolicy failurePolicy = FailurePolicy.DEFAULT;
        private boolean routeByHost;
        private List<String> trustedProxies = List.of();
        private boolean proxyProtocol;
        private List<URI> marathon = List.of();
        private String user;
        private String pass;
        private String realm;
        private int adminPort;
        private InetSocketAddress adminListen;
        private String adminToken;
        private Duration resyncInterval = Duration.ofMinutes(5);
        private Duration streamWatchdog = Duration.ofSeconds(15);
        private Duration marathonTimeout = Duration.ofSeconds(10);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private boolean accessLog;
        private boolean appLatencyHistograms;
        private String accessLogFormat = "text";
        private String logLevel = "info";
        private String logFormat = "text";
        private InetSocketAddress tlsListen;
        private Path tlsCertificates;
        private String tlsDefaultCertificate;
        private boolean http2Cleartext;
        private int http2MaxConcurrentStreams = 128;
        private List<String> warnings = List.of();

        private Builder() { }

        private Builder(PacerConfig c) {
            listen = c.listen;
            xproxy = c.xproxy;
            appsFile = c.appsFile;
            maxBodySize = c.maxBodySize;
            maxHeaderSize = c.maxHeaderSize;
            maxUriSize = c.maxUriSize;
            connectTimeout = c.connectTimeout;
            readTimeout = c.readTimeout;
            sendTimeout = c.sendTimeout;
            keepaliveTimeout = c.keepaliveTimeout;
            clientHeaderTimeout = c.clientHeaderTimeout;
            clientBodyTimeout = c.clientBodyTimeout;
            upstreamKeepaliveTimeout = c.upstreamKeepaliveTimeout;
            upstreamKeepalive = c.upstreamKeepalive;
            retryPolicy = c.retryPolicy;
            replayBufferSize = c.replayBufferSize;
            workerThreads = c.workerThreads;
            transport = c.transport;
            maxConnections = c.maxConnections;
            balance = c.balance;
            failurePolicy = c.failurePolicy;
            routeByHost = c.routeByHost;
            trustedProxies = c.trustedProxies;
            proxyProtocol = c.proxyProtocol;
            marathon = c.marathon;
            user = c.user;
            pass = c.pass;
            realm = c.realm;
            adminPort = c.adminPort;
            adminListen = c.adminListen;
            adminToken = c.adminToken;
            resyncInterval = c.resyncInterval;
            streamWatchdog = c.streamWatchdog;
            marathonTimeout = c.marathonTimeout;
            shutdownGrace = c.shutdownGrace;
            accessLog = c.accessLog;
            appLatencyHistograms = c.appLatencyHistograms;
            accessLogFormat = c.accessLogFormat;
            logLevel = c.logLevel;
            logFormat = c.logFormat;
            tlsListen = c.tlsListen;
            tlsCertificates = c.tlsCertificates;
            tlsDefaultCertificate = c.tlsDefaultCertificate;
            http2Cleartext = c.http2Cleartext;
            http2MaxConcurrentStreams = c.http2MaxConcurrentStreams;
            warnings = c.warnings;
        }

        /** {@code null} means no TLS listener; needs {@link #tlsCertificates}. */
        public Builder tlsListen(InetSocketAddress tlsListen) {
            this.tlsListen = tlsListen;
            return this;
        }

        /** {@code null} means none; needs {@link #tlsListen}. */
        public Builder tlsCertificates(Path tlsCertificates) {
            this.tlsCertificates = tlsCertificates;
            return this;
        }

        /** {@code null} or empty means the first certificate by name. */
        public Builder tlsDefaultCertificate(String name) {
            this.tlsDefaultCertificate = name == null || name.isEmpty() ? null : name;
            return this;
        }

        public Builder http2Cleartext(boolean http2Cleartext) {
            this.http2Cleartext = http2Cleartext;
            return this;
        }

        public Builder http2MaxConcurrentStreams(int streams) {
            this.http2MaxConcurrentStreams = (int) positive("http2MaxConcurrentStreams", streams);
            return this;
        }

        /** Whether exactly one of {@code tls_listen} and {@code tls_certificates} is set, which {@link #build()} refuses. */
        boolean hasHalfOfTls() {
            return (tlsListen == null) != (tlsCertificates == null);
        }

        boolean hasTlsListen() {
            return tlsListen != null;
        }

        public Builder listen(InetSocketAddress listen) {
            this.listen = Objects.requireNonNull(listen, "listen");
            return this;
        }

        /** @throws IllegalArgumentException when {@code xproxy} cannot be sent as a header value */
        public Builder xproxy(String xproxy) {
            String problem = Text.headerValueProblem(Objects.requireNonNull(xproxy, "xproxy"));
            if (problem != null) {
                throw new IllegalArgumentException("xproxy: " + problem);
            }
            this.xproxy = xproxy;
            return this;
        }

        /** {@code null} means no apps file. */
        public Builder appsFile(Path appsFile) {
            this.appsFile = appsFile;
            return this;
        }

        public Builder maxBodySize(long maxBodySize) {
            this.maxBodySize = notNegative("maxBodySize", maxBodySize);
            return this;
        }

        public Builder maxHeaderSize(int maxHeaderSize) {
            this.maxHeaderSize = (int) positive("maxHeaderSize", maxHeaderSize);
            return this;
        }

        public Builder maxUriSize(int maxUriSize) {
            this.maxUriSize = (int) positive("maxUriSize", maxUriSize);
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = notNegative("connectTimeout", connectTimeout);
            return this;
        }

        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = notNegative("readTimeout", readTimeout);
            return this;
        }

        public Builder sendTimeout(Duration sendTimeout) {
            this.sendTimeout = notNegative("sendTimeout", sendTimeout);
            return this;
        }

        public Builder keepaliveTimeout(Duration keepaliveTimeout) {
            this.keepaliveTimeout = notNegative("keepaliveTimeout", keepaliveTimeout);
            return this;
        }

        public Builder clientHeaderTimeout(Duration clientHeaderTimeout) {
            this.clientHeaderTimeout = notNegative("clientHeaderTimeout", clientHeaderTimeout);
            return this;
        }

        public Builder clientBodyTimeout(Duration clientBodyTimeout) {
            this.clientBodyTimeout = notNegative("clientBodyTimeout", clientBodyTimeout);
            return this;
        }

        public Builder upstreamKeepaliveTimeout(Duration upstreamKeepaliveTimeout) {
            this.upstreamKeepaliveTimeout = notNegative("upstreamKeepaliveTimeout", upstreamKeepaliveTimeout);
            return this;
        }

        public Builder upstreamKeepalive(int upstreamKeepalive) {
            this.upstreamKeepalive = (int) notNegative("upstreamKeepalive", upstreamKeepalive);
            return this;
        }

        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        public Builder replayBufferSize(int replayBufferSize) {
            this.replayBufferSize = (int) notNegative("replayBufferSize", replayBufferSize);
            return this;
        }

        /** 0 means one per available processor. */
        public Builder workerThreads(int workerThreads) {
            this.workerThreads = (int) notNegative("workerThreads", workerThreads);
            return this;
        }

        /** @throws IllegalArgumentException unless "auto", "epoll", "io_uring" or "nio" */
        public Builder transport(String transport) {
            this.transport = oneOf("transport", transport, TRANSPORTS);
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = (int) notNegative("maxConnections", maxConnections);
            return this;
        }

        /** @throws IllegalArgumentException unless one of the strategies the proxy implements */
        public Builder balance(String balance) {
            if (!BALANCERS.contains(Objects.requireNonNull(balance, "balance"))) {
                throw new IllegalArgumentException("balance: " + Text.quote(balance) + " is not one of " + BALANCERS);
            }
            this.balance = balance;
            return this;
        }

        /** @throws IllegalArgumentException when one is not a CIDR block or an address */
        public Builder trustedProxies(List<String> trustedProxies) {
            if (!trustedProxies.isEmpty()) {
                io.pacer.core.AllowList.parse(trustedProxies);
            }
            this.trustedProxies = List.copyOf(trustedProxies);
            return this;
        }

        public Builder proxyProtocol(boolean proxyProtocol) {
            this.proxyProtocol = proxyProtocol;
            return this;
        }

        /** {@code route_by}: {@code true} for {@code "host"}. */
        public Builder routeByHost(boolean routeByHost) {
            this.routeByHost = routeByHost;
            return this;
        }

        /** {@code max_fails}: 0 turns failure memory off. */
        public Builder maxFails(int maxFails) {
            this.failurePolicy = new FailurePolicy((int) notNegative("maxFails", maxFails),
                    failurePolicy.failTimeoutNanos());
            return this;
        }

        /** {@code fail_timeout}: must be positive. */
        public Builder failTimeout(Duration failTimeout) {
            if (Objects.requireNonNull(failTimeout, "failTimeout").isNegative() || failTimeout.isZero()) {
                throw new IllegalArgumentException("failTimeout must be positive: " + failTimeout);
            }
            this.failurePolicy = FailurePolicy.of(failurePolicy.maxFails(), failTimeout);
            return this;
        }

        /**
         * Marathon's base URLs, in priority order; empty for none.
         *
         * @throws IllegalArgumentException when one is not an absolute http or https URL with a host
         */
        public Builder marathon(List<URI> marathon) {
            for (URI url : marathon) {
                String scheme = Objects.requireNonNull(url, "marathon URL").getScheme();
                if (!("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) || url.getHost() == null) {
                    throw new IllegalArgumentException("marathon: not an http(s) URL with a host: " + masked(url));
                }
            }
            this.marathon = List.copyOf(marathon);
            return this;
        }

        /** {@code null} or blank means no basic auth, as an empty {@code user} does in {@code nixy.toml}. */
        public Builder user(String user) {
            this.user = user == null || user.isEmpty() ? null : user;
            return this;
        }

        /** {@code null} or empty means none (an empty password is sent when {@code user} is set). */
        public Builder pass(String pass) {
            this.pass = pass == null || pass.isEmpty() ? null : pass;
            return this;
        }

        /** {@code null} or blank means every app, whatever its {@code NIXY_REALM} label. */
        public Builder realm(String realm) {
            this.realm = realm == null || realm.isBlank() ? null : realm;
            return this;
        }

        /** 0 means no admin API. */
        public Builder adminPort(int adminPort) {
            if (adminPort < 0 || adminPort > 65535) {
                throw new IllegalArgumentException("adminPort must be between 0 and 65535: " + adminPort);
            }
            this.adminPort = adminPort;
            return this;
        }

        /** {@code null} means none: the admin API then follows {@code port}. Port 0 picks a free port. */
        public Builder adminListen(InetSocketAddress adminListen) {
            this.adminListen = adminListen;
            return this;
        }

        /**
         * {@code null} or empty means no token (Nixy's open admin API).
         *
         * @throws IllegalArgumentException when the token could not be sent in an {@code Authorization} header
         */
        public Builder adminToken(String adminToken) {
            if (adminToken != null && !adminToken.isEmpty()) {
                for (int i = 0; i < adminToken.length(); i++) {
                    char c = adminToken.charAt(i);
                    if (c <= ' ' || c >= 0x7f) {
                        throw new IllegalArgumentException("adminToken: only visible ASCII characters, no spaces");
                    }
                }
            }
            this.adminToken = adminToken == null || adminToken.isEmpty() ? null : adminToken;
            return this;
        }

        /**
         * Whether the admin API would take the traffic port: the same port on the same address,
         * or on every address for either of them. Port 0 (a free port each) never clashes.
         */
        boolean adminClashesWithListen() {
            InetSocketAddress admin = adminListen != null ? adminListen
                    : adminPort == 0 ? null : new InetSocketAddress(listen.getAddress(), adminPort);
            if (admin == null || admin.getPort() == 0 || admin.getPort() != listen.getPort()) {
                return false;
            }
            return admin.getAddress().isAnyLocalAddress() || listen.getAddress().isAnyLocalAddress()
                    || admin.getAddress().equals(listen.getAddress());
        }

        /** Whether both {@code admin_listen} and a non-zero {@code port} are set. */
        boolean hasAdminListenAndPort() {
            return adminListen != null && adminPort != 0;
        }

        InetSocketAddress listenAddress() {
            return listen;
        }

        /** Zero disables the periodic resync. */
        public Builder resyncInterval(Duration resyncInterval) {
            this.resyncInterval = notNegative("resyncInterval", resyncInterval);
            return this;
        }

        public Builder streamWatchdog(Duration streamWatchdog) {
            this.streamWatchdog = positive("streamWatchdog", streamWatchdog);
            return this;
        }

        public Builder marathonTimeout(Duration marathonTimeout) {
            this.marathonTimeout = positive("marathonTimeout", marathonTimeout);
            return this;
        }

        /** Zero closes connections at once on SIGTERM. */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = notNegative("shutdownGrace", shutdownGrace);
            return this;
        }

        public Builder appLatencyHistograms(boolean appLatencyHistograms) {
            this.appLatencyHistograms = appLatencyHistograms;
            return this;
        }

        public Builder accessLog(boolean accessLog) {
            this.accessLog = accessLog;
            return this;
        }

        /** @throws IllegalArgumentException unless "text" or "json" */
        public Builder accessLogFormat(String accessLogFormat) {
            this.accessLogFormat = oneOf("accessLogFormat", accessLogFormat, LOG_FORMATS);
            return this;
        }

        /**
         * Any case; kept in lower case.
         *
         * @throws IllegalArgumentException unless one of error, warn, info, debug and trace
         */
        public Builder logLevel(String logLevel) {
            this.logLevel = oneOf("logLevel", Objects.requireNonNull(logLevel, "logLevel").toLowerCase(Locale.ROOT),
                    LOG_LEVELS);
            return this;
        }

        /** @throws IllegalArgumentException unless "text" or "json" */
        public Builder logFormat(String logFormat) {
            this.logFormat = oneOf("logFormat", logFormat, LOG_FORMATS);
            return this;
        }

        /** The loader's warnings; see {@link PacerConfig#warnings()}. */
        Builder warnings(List<String> warnings) {
            this.warnings = List.copyOf(warnings);
            return this;
        }

        /** Whether both sources of apps are set, which {@link #build()} refuses. */
        boolean hasMarathonAndAppsFile() {
            return !marathon.isEmpty() && appsFile != null;
        }

        /** @throws IllegalArgumentException when both {@code marathon} and {@code apps_file} are set */
        public PacerConfig build() {
            return new PacerConfig(this);
        }

        private static String oneOf(String name, String value, List<String> accepted) {
            if (!accepted.contains(Objects.requireNonNull(value, name))) {
                throw new IllegalArgumentException(name + ": " + Text.quote(value) + " is not one of " + accepted);
            }
            return value;
        }

        private static long notNegative(String name, long value) {
            if (value < 0) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            return value;
        }

        private static long positive(String name, long value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }

        private static Duration positive(String name, Duration value) {
            if (notNegative(name, value).isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }

        private static Duration notNegative(String name, Duration value) {
            if (Objects.requireNonNull(value, name).isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative: " + value);
            }
            try {
                value.toNanos();
            } catch (ArithmeticException e) {
                // The proxy schedules timeouts in nanoseconds; this one would wrap around.
                throw new IllegalArgumentException(name + " is too large: " + value, e);
            }
            return value;
        }
    }

    /**
     * The default {@code xproxy}, looked up once and only if needed: {@link InetAddress#getLocalHost()}
     * may wait on DNS.
     */
    private static final class LocalHostName {
        static final String VALUE = lookUp();

        private static String lookUp() {
            try {
                String name = InetAddress.getLocalHost().getHostName();
                return Text.headerValueProblem(name) == null ? name : "pacer";
            } catch (UnknownHostException | SecurityException e) {
                return "pacer";
            }
        }
    }
}
