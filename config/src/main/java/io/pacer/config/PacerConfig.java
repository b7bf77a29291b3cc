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
 * Everything {@code pacer.toml} sets, with Nginx's defaults where Nixy's template relied on them,
 * grouped by what the settings are for: {@link #listeners()}, {@link #limits()}, {@link #upstream()},
 * {@link #discovery()}, {@link #admin()} and {@link #operations()}. Each group is a record, so
 * configs compare by value with nothing to keep in step by hand. Immutable; read one with
 * {@link ConfigLoader#load}, or build one with {@link #builder()}.
 *
 * <p>The builder rejects only values the proxy cannot work with (nulls, negatives, a header value
 * that would corrupt responses). The narrower ranges operators are held to, such as
 * {@code max_header_size} between 1k and 1m, are the loader's, so tests can use tiny limits.
 *
 * <p>A new key is a component of its group (with its line in the group's {@code toString}), a
 * builder field and setter, an argument in {@link Builder#build()} and {@link #toBuilder()}, and
 * its line in {@link Keys}.
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

    /** Every setting, compared as one value; the warnings are left out on purpose. */
    private record Groups(Listeners listeners, Limits limits, Upstream upstream, Discovery discovery, Admin admin,
                          Operations operations) {
        Groups {
            Objects.requireNonNull(listeners, "listeners");
            Objects.requireNonNull(limits, "limits");
            Objects.requireNonNull(upstream, "upstream");
            Objects.requireNonNull(discovery, "discovery");
            Objects.requireNonNull(admin, "admin");
            Objects.requireNonNull(operations, "operations");
        }
    }

    private final Groups groups;
    private final List<String> warnings;

    private PacerConfig(Listeners listeners, Limits limits, Upstream upstream, Discovery discovery, Admin admin,
                        Operations operations, List<String> warnings) {
        this.groups = new Groups(listeners, limits, upstream, discovery, admin, operations);
        this.warnings = List.copyOf(warnings);
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

    /** Where and how clients connect: {@code listen}, TLS, HTTP/2, {@code xproxy}, ... */
    public Listeners listeners() {
        return groups.listeners();
    }

    /** What one client may ask: sizes, client timeouts, {@code max_connections}. */
    public Limits limits() {
        return groups.limits();
    }

    /** How tasks are used: balance, upstream timeouts, retries, failure memory, keep-alive pool. */
    public Upstream upstream() {
        return groups.upstream();
    }

    /** Where apps come from and how Marathon is followed. */
    public Discovery discovery() {
        return groups.discovery();
    }

    /** The admin API's keys; see {@link #adminAddress()} for where it ends up listening. */
    public Admin admin() {
        return groups.admin();
    }

    /** Logs, metrics and shutdown. */
    public Operations operations() {
        return groups.operations();
    }

    /**
     * Where the admin API listens: {@code admin_listen}, else the {@code listen} host with Nixy's
     * {@code port}; empty when neither is set (no admin API).
     */
    public Optional<InetSocketAddress> adminAddress() {
        Admin admin = admin();
        if (admin.listen().isPresent()) {
            return admin.listen();
        }
        return admin.port() == 0 ? Optional.empty()
                : Optional.of(new InetSocketAddress(listeners().listen().getAddress(), admin.port()));
    }

    /**
     * What the loader accepted but wants the operator to know, one line each, ready to log at
     * WARN (e.g. Nixy's Nginx-only keys, which are ignored). Empty for a config built in code.
     * Not part of {@link #equals}: two files meaning the same thing are equal configs.
     */
    public List<String> warnings() {
        return warnings;
    }

    /** Equal when every setting is; {@link #warnings()} do not count. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PacerConfig c && groups.equals(c.groups);
    }

    @Override
    public int hashCode() {
        return groups.hashCode();
    }

    /**
     * Uses the TOML key names, so a logged config can be compared with the file line by line.
     * Secrets are masked: {@code pass}, {@code admin_token} and any password in a {@code marathon} URL.
     */
    @Override
    public String toString() {
        return "PacerConfig{" + listeners() + ", " + limits() + ", " + upstream() + ", " + discovery() + ", "
                + admin() + ", " + operations() + "}";
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

    /**
     * Starts from the defaults; every setter checks its argument at once, so a bad one fails where
     * it is set. Flat, one setter per key, so {@link Keys} and tests need not know the groups.
     */
    public static final class Builder {
        // Listeners
        private InetSocketAddress listen = new InetSocketAddress(8080);
        /** {@code null} until set: the default costs a host name lookup, paid only when it is used. */
        private String xproxy;
        private int workerThreads;
        private String transport = "auto";
        private boolean proxyProtocol;
        private List<String> trustedProxies = List.of();
        private InetSocketAddress tlsListen;
        private Path tlsCertificates;
        private String tlsDefaultCertificate;
        private boolean http2Cleartext;
        private int http2MaxConcurrentStreams = 128;
        // Limits
        private long maxBodySize = 128L << 20;
        private int maxHeaderSize = 32 << 10;
        private int maxUriSize = 8 << 10;
        private int maxConnections;
        private Duration keepaliveTimeout = Duration.ofSeconds(10);
        private Duration clientHeaderTimeout = Duration.ofSeconds(60);
        private Duration clientBodyTimeout = Duration.ofSeconds(60);
        private Duration sendTimeout = Duration.ofSeconds(120);
        // Upstream
        private String balance = "round_robin";
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration readTimeout = Duration.ofSeconds(120);
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private int replayBufferSize = 64 << 10;
        private FailurePolicy failurePolicy = FailurePolicy.DEFAULT;
        private int upstreamKeepalive = 512;
        private Duration upstreamKeepaliveTimeout = Duration.ofSeconds(60);
        // Discovery
        private List<URI> marathon = List.of();
        private String user;
        private String pass;
        private Path appsFile;
        private String realm;
        private boolean routeByHost;
        private Duration resyncInterval = Duration.ofMinutes(5);
        private Duration streamWatchdog = Duration.ofSeconds(15);
        private Duration marathonTimeout = Duration.ofSeconds(10);
        // Admin
        private int adminPort;
        private InetSocketAddress adminListen;
        private String adminToken;
        // Operations
        private String logLevel = "info";
        private String logFormat = "text";
        private boolean accessLog;
        private String accessLogFormat = "text";
        private boolean appLatencyHistograms;
        private Duration shutdownGrace = Duration.ofSeconds(30);

        private List<String> warnings = List.of();

        private Builder() { }

        private Builder(PacerConfig c) {
            Listeners l = c.listeners();
            listen = l.listen();
            xproxy = l.xproxy();
            workerThreads = l.workerThreads();
            transport = l.transport();
            proxyProtocol = l.proxyProtocol();
            trustedProxies = l.trustedProxies();
            tlsListen = l.tlsListen().orElse(null);
            tlsCertificates = l.tlsCertificates().orElse(null);
            tlsDefaultCertificate = l.tlsDefaultCertificate().orElse(null);
            http2Cleartext = l.http2Cleartext();
            http2MaxConcurrentStreams = l.http2MaxConcurrentStreams();
            Limits limits = c.limits();
            maxBodySize = limits.maxBodySize();
            maxHeaderSize = limits.maxHeaderSize();
            maxUriSize = limits.maxUriSize();
            maxConnections = limits.maxConnections();
            keepaliveTimeout = limits.keepaliveTimeout();
            clientHeaderTimeout = limits.clientHeaderTimeout();
            clientBodyTimeout = limits.clientBodyTimeout();
            sendTimeout = limits.sendTimeout();
            Upstream u = c.upstream();
            balance = u.balance();
            connectTimeout = u.connectTimeout();
            readTimeout = u.readTimeout();
            retryPolicy = u.retryPolicy();
            replayBufferSize = u.replayBufferSize();
            failurePolicy = u.failurePolicy();
            upstreamKeepalive = u.keepalive();
            upstreamKeepaliveTimeout = u.keepaliveTimeout();
            Discovery d = c.discovery();
            marathon = d.marathon();
            user = d.user().orElse(null);
            pass = d.pass().orElse(null);
            appsFile = d.appsFile().orElse(null);
            realm = d.realm().orElse(null);
            routeByHost = d.routeByHost();
            resyncInterval = d.resyncInterval();
            streamWatchdog = d.streamWatchdog();
            marathonTimeout = d.marathonTimeout();
            Admin a = c.admin();
            adminPort = a.port();
            adminListen = a.listen().orElse(null);
            adminToken = a.token().orElse(null);
            Operations o = c.operations();
            logLevel = o.logLevel();
            logFormat = o.logFormat();
            accessLog = o.accessLog();
            accessLogFormat = o.accessLogFormat();
            appLatencyHistograms = o.appLatencyHistograms();
            shutdownGrace = o.shutdownGrace();
            warnings = c.warnings();
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

        /** @throws IllegalArgumentException when both {@code marathon} and {@code apps_file} are set, or only one of {@code tls_listen} and {@code tls_certificates} */
        public PacerConfig build() {
            return new PacerConfig(
                    new Listeners(listen, xproxy != null ? xproxy : LocalHostName.VALUE, workerThreads, transport,
                            proxyProtocol,
                            trustedProxies, Optional.ofNullable(tlsListen), Optional.ofNullable(tlsCertificates),
                            Optional.ofNullable(tlsDefaultCertificate), http2Cleartext, http2MaxConcurrentStreams),
                    new Limits(maxBodySize, maxHeaderSize, maxUriSize, maxConnections, keepaliveTimeout,
                            clientHeaderTimeout, clientBodyTimeout, sendTimeout),
                    new Upstream(balance, connectTimeout, readTimeout, retryPolicy, replayBufferSize, failurePolicy,
                            upstreamKeepalive, upstreamKeepaliveTimeout),
                    new Discovery(marathon, Optional.ofNullable(user), Optional.ofNullable(pass),
                            Optional.ofNullable(appsFile), Optional.ofNullable(realm), routeByHost, resyncInterval,
                            streamWatchdog, marathonTimeout),
                    new Admin(adminPort, Optional.ofNullable(adminListen), Optional.ofNullable(adminToken)),
                    new Operations(logLevel, logFormat, accessLog, accessLogFormat, appLatencyHistograms, shutdownGrace),
                    warnings);
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
