package io.pacer.discovery;

import io.pacer.config.Discovery;
import io.pacer.config.PacerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a {@link MarathonSource} talks to Marathon. {@link #from(PacerConfig)} takes what
 * {@code pacer.toml} sets; the rest are Nixy's fixed behaviour (ping every 2 s with a 5 s
 * timeout) or tuning that tests shorten.
 *
 * @param endpoints      Marathon base URLs in priority order; user info in one is that
 *     endpoint's basic-auth credentials and overrides {@code user}/{@code pass}
 * @param user           basic-auth user sent on every call; {@code null} for none
 * @param pass           its password; {@code null} sends an empty one
 * @param routeOptions   which apps are routed (the realm)
 * @param resyncInterval a full resync this often even without events; zero disables
 * @param streamWatchdog an event stream silent this long is dropped and reopened
 * @param requestTimeout time allowed for one {@code /v2/apps} call, body included
 * @param pingInterval   how often every endpoint's {@code /ping} is asked
 * @param pingTimeout    time allowed for one {@code /ping}
 * @param reconnectMin   first delay before reopening a failed stream; doubled on each failure
 *     in a row, reset after a stream that delivered data
 * @param reconnectMax   the largest such delay
 * @param syncRetryMin   first delay before retrying a failed sync; doubled on each failure in a row
 * @param syncRetryMax   the largest such delay
 * @param coalesceDelay  how long a resync waits for more events of the same burst (at most 1 s)
 * @param maxRedirects   redirects followed for one stream (a standby's 302 to the leader)
 * @param maxAppsBytes   the largest {@code /v2/apps} body read (after gzip is undone); a larger
 *     one fails the sync with cause {@code too_large} and the last good table stays
 */
public record MarathonSettings(List<URI> endpoints, String user, String pass, RouteOptions routeOptions,
                               Duration resyncInterval, Duration streamWatchdog, Duration requestTimeout,
                               Duration pingInterval, Duration pingTimeout,
                               Duration reconnectMin, Duration reconnectMax,
                               Duration syncRetryMin, Duration syncRetryMax,
                               Duration coalesceDelay, int maxRedirects, long maxAppsBytes) {

    public static final Duration DEFAULT_RESYNC_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_STREAM_WATCHDOG = Duration.ofSeconds(15);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(2);
    public static final Duration DEFAULT_PING_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_RECONNECT_MIN = Duration.ofMillis(100);
    public static final Duration DEFAULT_RECONNECT_MAX = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SYNC_RETRY_MIN = Duration.ofMillis(500);
    public static final Duration DEFAULT_SYNC_RETRY_MAX = Duration.ofSeconds(30);
    public static final Duration DEFAULT_COALESCE_DELAY = Duration.ofMillis(10);
    public static final int DEFAULT_MAX_REDIRECTS = 5;
    /**
     * Eight times what 10,000 apps of 3 tasks take (16.6 MB): room for very large clusters, while
     * a peer that never stops sending is cut off long before the heap is at risk.
     */
    public static final long DEFAULT_MAX_APPS_BYTES = 128L << 20;

    public MarathonSettings {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("at least one Marathon URL is needed");
        }
        for (URI url : endpoints) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null
                    || url.getRawQuery() != null || url.getRawFragment() != null) {
                throw new IllegalArgumentException("not a Marathon base URL (http or https, a host, no query): "
                        + PacerConfig.masked(url));
            }
        }
        user = user == null || user.isEmpty() ? null : user;
        Objects.requireNonNull(routeOptions, "routeOptions");
        notNegative("resyncInterval", resyncInterval);
        positive("streamWatchdog", streamWatchdog);
        positive("requestTimeout", requestTimeout);
        positive("pingInterval", pingInterval);
        positive("pingTimeout", pingTimeout);
        positive("reconnectMin", reconnectMin);
        positive("syncRetryMin", syncRetryMin);
        if (positive("reconnectMax", reconnectMax).compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("reconnectMax is below reconnectMin");
        }
        if (positive("syncRetryMax", syncRetryMax).compareTo(syncRetryMin) < 0) {
            throw new IllegalArgumentException("syncRetryMax is below syncRetryMin");
        }
        if (notNegative("coalesceDelay", coalesceDelay).compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("coalesceDelay above 1s would delay every change: " + coalesceDelay);
        }
        if (maxRedirects < 0 || maxRedirects > 20) {
            throw new IllegalArgumentException("maxRedirects must be between 0 and 20: " + maxRedirects);
        }
        if (maxAppsBytes <= 0) {
            throw new IllegalArgumentException("maxAppsBytes must be positive: " + maxAppsBytes);
        }
    }

    /** Defaults for everything but the endpoints: no credentials, every realm. */
    public static MarathonSettings of(List<URI> endpoints) {
        return new MarathonSettings(endpoints, null, null, RouteOptions.defaults(), DEFAULT_RESYNC_INTERVAL,
                DEFAULT_STREAM_WATCHDOG, DEFAULT_REQUEST_TIMEOUT, DEFAULT_PING_INTERVAL, DEFAULT_PING_TIMEOUT,
                DEFAULT_RECONNECT_MIN, DEFAULT_RECONNECT_MAX, DEFAULT_SYNC_RETRY_MIN, DEFAULT_SYNC_RETRY_MAX,
                DEFAULT_COALESCE_DELAY, DEFAULT_MAX_REDIRECTS, DEFAULT_MAX_APPS_BYTES);
    }

    /**
     * {@code marathon}, {@code user}, {@code pass}, {@code realm}, {@code resync_interval},
     * {@code stream_watchdog} and {@code marathon_timeout} of {@code config}.
     *
     * @throws IllegalArgumentException when the config lists no Marathon URL
     */
    public static MarathonSettings from(PacerConfig config) {
        Discovery d = config.discovery();
        return of(d.marathon())
                .withCredentials(d.user().orElse(null), d.pass().orElse(null))
                .withRouteOptions(new RouteOptions(d.realm().orElse(null), d.routeByHost()))
                .withResyncInterval(d.resyncInterval())
                .withStreamWatchdog(d.streamWatchdog())
                .withRequestTimeout(d.marathonTimeout());
    }

    public MarathonSettings withCredentials(String user, String pass) {
        Draft d = new Draft(this);
        d.user = user;
        d.pass = pass;
        return d.build();
    }

    public MarathonSettings withRouteOptions(RouteOptions routeOptions) {
        Draft d = new Draft(this);
        d.routeOptions = routeOptions;
        return d.build();
    }

    public MarathonSettings withResyncInterval(Duration resyncInterval) {
        Draft d = new Draft(this);
        d.resyncInterval = resyncInterval;
        return d.build();
    }

    public MarathonSettings withStreamWatchdog(Duration streamWatchdog) {
        Draft d = new Draft(this);
        d.streamWatchdog = streamWatchdog;
        return d.build();
    }

    public MarathonSettings withRequestTimeout(Duration requestTimeout) {
        Draft d = new Draft(this);
        d.requestTimeout = requestTimeout;
        return d.build();
    }

    public MarathonSettings withPing(Duration pingInterval, Duration pingTimeout) {
        Draft d = new Draft(this);
        d.pingInterval = pingInterval;
        d.pingTimeout = pingTimeout;
        return d.build();
    }

    public MarathonSettings withReconnectBackoff(Duration reconnectMin, Duration reconnectMax) {
        Draft d = new Draft(this);
        d.reconnectMin = reconnectMin;
        d.reconnectMax = reconnectMax;
        return d.build();
    }

    public MarathonSettings withSyncRetryBackoff(Duration syncRetryMin, Duration syncRetryMax) {
        Draft d = new Draft(this);
        d.syncRetryMin = syncRetryMin;
        d.syncRetryMax = syncRetryMax;
        return d.build();
    }

    public MarathonSettings withCoalesceDelay(Duration coalesceDelay) {
        Draft d = new Draft(this);
        d.coalesceDelay = coalesceDelay;
        return d.build();
    }

    public MarathonSettings withMaxRedirects(int maxRedirects) {
        Draft d = new Draft(this);
        d.maxRedirects = maxRedirects;
        return d.build();
    }

    public MarathonSettings withMaxAppsBytes(long maxAppsBytes) {
        Draft d = new Draft(this);
        d.maxAppsBytes = maxAppsBytes;
        return d.build();
    }

    /**
     * A mutable copy of every component, so that each {@code with…} method changes only its own
     * and the full component list is spelled out here alone; {@link #build()} runs the checks of
     * the canonical constructor again.
     */
    private static final class Draft {
        final List<URI> endpoints;
        String user;
        String pass;
        RouteOptions routeOptions;
        Duration resyncInterval;
        Duration streamWatchdog;
        Duration requestTimeout;
        Duration pingInterval;
        Duration pingTimeout;
        Duration reconnectMin;
        Duration reconnectMax;
        Duration syncRetryMin;
        Duration syncRetryMax;
        Duration coalesceDelay;
        int maxRedirects;
        long maxAppsBytes;

        Draft(MarathonSettings s) {
            endpoints = s.endpoints;
            user = s.user;
            pass = s.pass;
            routeOptions = s.routeOptions;
            resyncInterval = s.resyncInterval;
            streamWatchdog = s.streamWatchdog;
            requestTimeout = s.requestTimeout;
            pingInterval = s.pingInterval;
            pingTimeout = s.pingTimeout;
            reconnectMin = s.reconnectMin;
            reconnectMax = s.reconnectMax;
            syncRetryMin = s.syncRetryMin;
            syncRetryMax = s.syncRetryMax;
            coalesceDelay = s.coalesceDelay;
            maxRedirects = s.maxRedirects;
            maxAppsBytes = s.maxAppsBytes;
        }

        MarathonSettings build() {
            return new MarathonSettings(endpoints, user, pass, routeOptions, resyncInterval, streamWatchdog,
                    requestTimeout, pingInterval, pingTimeout, reconnectMin, reconnectMax, syncRetryMin,
                    syncRetryMax, coalesceDelay, maxRedirects, maxAppsBytes);
        }
    }

    /** Never shows the password, nor user info in a URL. */
    @Override
    public String toString() {
        return "MarathonSettings{endpoints=" + endpoints.stream().map(PacerConfig::masked).toList()
                + ", user=" + user + ", pass=" + (pass == null ? "none" : "***") + ", " + routeOptions
                + ", resyncInterval=" + resyncInterval + ", streamWatchdog=" + streamWatchdog
                + ", requestTimeout=" + requestTimeout + ", pingInterval=" + pingInterval
                + ", pingTimeout=" + pingTimeout + ", reconnect=" + reconnectMin + ".." + reconnectMax
                + ", syncRetry=" + syncRetryMin + ".." + syncRetryMax + ", coalesceDelay=" + coalesceDelay
                + ", maxRedirects=" + maxRedirects + ", maxAppsBytes=" + maxAppsBytes + "}";
    }

    private static Duration positive(String name, Duration value) {
        if (notNegative(name, value).isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return value;
    }

    private static Duration notNegative(String name, Duration value) {
        if (Objects.requireNonNull(value, name).isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative: " + value);
        }
        return value;
    }
}
