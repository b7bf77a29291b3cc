package io.pacer.config;

import io.pacer.core.RetryPolicy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
    static final List<String> BALANCERS = List.of("round_robin");

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
    private final String balance;

    private PacerConfig(Builder b) {
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
        balance = b.balance;
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

    /** {@code upstream_keepalive}: idle pooled connections per task per event loop; 0 disables pooling. Default 32. */
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

    /** {@code balance}: how requests are spread over an app's tasks. Default round_robin. */
    public String balance() {
        return balance;
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
                && balance.equals(c.balance);
    }

    @Override
    public int hashCode() {
        return Objects.hash(listen, xproxy, appsFile, maxBodySize, maxHeaderSize, maxUriSize,
                connectTimeout, readTimeout, sendTimeout, keepaliveTimeout, clientHeaderTimeout,
                clientBodyTimeout, upstreamKeepaliveTimeout, upstreamKeepalive,
                retryPolicy.conditions(), retryPolicy.nonIdempotent(), retryPolicy.tries(),
                retryPolicy.timeoutNanos(), replayBufferSize, workerThreads, balance);
    }

    /** Uses the TOML key names, so a logged config can be compared with the file line by line. */
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
                + ", balance=" + balance + "}";
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
        private int upstreamKeepalive = 32;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private int replayBufferSize = 64 << 10;
        private int workerThreads;
        private String balance = "round_robin";

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
            balance = c.balance;
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

        /** @throws IllegalArgumentException unless one of the strategies the proxy implements */
        public Builder balance(String balance) {
            if (!BALANCERS.contains(Objects.requireNonNull(balance, "balance"))) {
                throw new IllegalArgumentException("balance: " + Text.quote(balance) + " is not one of " + BALANCERS);
            }
            this.balance = balance;
            return this;
        }

        public PacerConfig build() {
            return new PacerConfig(this);
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
