package io.pacer.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pacer.core.App;
import io.pacer.core.RetryCondition;
import io.pacer.core.RouteTable;
import io.pacer.proxy.http.PacerServer;
import io.pacer.proxy.http.RequestObserver;
import io.pacer.proxy.http.RequestRecord;
import io.pacer.proxy.http.TrafficStats;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Pacer's Prometheus metrics: a Micrometer {@link PrometheusMeterRegistry} fed by the data plane
 * (as its {@link RequestObserver}), by the route table, by the traffic counters and by discovery,
 * rendered by {@link #scrape()} for {@code /metrics} and {@code /v1/metrics}.
 *
 * <h2>Metrics</h2>
 * <pre>
 * pacer_requests_total{app,status_class}        counter   status_class 1xx..5xx
 * pacer_proxy_request_duration_seconds          histogram every request, whole, 1 ms..30 s buckets
 * pacer_proxy_upstream_duration_seconds         histogram every answering attempt, 1 ms..30 s buckets
 * pacer_request_duration_seconds{app}           summary   whole request (count, sum, max); a histogram with
 *                                                         the same buckets when app_latency_histograms = true
 * pacer_upstream_duration_seconds{app}          summary   the answering attempt; only when a task answered;
 *                                                         a histogram as above
 * pacer_retries_total{app,reason}               counter   reason: error|timeout|invalid_header|status
 * pacer_requests_exhausted_total{app}           counter
 * pacer_upstream_failures_total{app,reason}     counter   attempts that count against their task (max_fails);
 *                                                         reason as next_upstream names it; from the first failure
 * pacer_upstream_marked_tasks{app}              gauge     tasks skipped after failures; only apps that have one
 * pacer_app_tasks{app}                          gauge     tasks in the current route table
 * pacer_route_table_version                     gauge
 * pacer_client_connections                      gauge
 * pacer_upstream_connections                    gauge     busy and idle
 * pacer_upstream_idle_connections               gauge
 * pacer_websocket_tunnels                       gauge
 * pacer_client_received_bytes_total             counter   heads and bodies read from clients
 * pacer_client_sent_bytes_total                 counter   heads and bodies written to clients
 * pacer_marathon_stream_connected               gauge     0 or 1
 * pacer_marathon_events_total{type}             counter   at most 64 types, then type="other"
 * pacer_marathon_malformed_events_total         counter
 * pacer_marathon_resyncs_total                  counter
 * pacer_marathon_resync_duration_seconds        gauge     the last successful sync; NaN before the first
 * pacer_marathon_sync_failures_total{cause}     counter   at most 64 causes, then cause="other"
 * pacer_marathon_last_sync_age_seconds          gauge     +Inf before the first successful sync
 * jvm_*, process_*, system_*                              Micrometer's JVM and process binders
 * process_cpu_seconds_total                     counter   replaces Micrometer's process_cpu_time_ns_total
 * system_available_processors                   gauge     Micrometer's system_cpu_count, renamed for promtool
 * </pre>
 * Timers also publish Micrometer's {@code _max} gauge ({@code pacer_request_duration_seconds_max}).
 *
 * <h2>Labels</h2>
 * {@code app} is the Marathon app id; Pacer's own answers (no route, bad request ...) are
 * {@code app="none"} ({@link #NO_APP}; Marathon ids start with a slash, so it cannot clash).
 * Retry reasons: {@link RetryCondition#ERROR} is {@code error} (refused, reset, failed while
 * sending), {@code TIMEOUT} is {@code timeout}, {@code INVALID_HEADER} is {@code invalid_header},
 * every {@code HTTP_xxx} is {@code status}. Statuses outside 100-599 count as {@code 5xx}. No path,
 * task, method or client label: the series count is bounded by the apps in the route table.
 *
 * <h2>Lifecycle of app series</h2>
 * An app's series are registered by its first request (zero-valued series of the other status
 * classes and reasons included), not by the route table: at 10,000 apps, series for every routed
 * app cost 96 MB of heap and a 33 MB scrape, mostly for apps nobody called. {@link #updateRoutes}
 * keeps the task count of the apps that have series and removes every meter of apps that left the
 * table. A request of a departed app that finishes after the swap registers that app again, until
 * the next swap removes it. An app left without tasks is not in the table
 * ({@link RouteTable.Builder#add}), so it loses its series too and starts from zero when traffic
 * comes back: Prometheus' {@code rate()} and {@code increase()} handle such resets.
 *
 * <h2>Latency by app: opt-in buckets</h2>
 * Buckets are what cost: with them an app with traffic has 47 series (about 3.5 KB of scrape), so
 * 10,000 apps with traffic make a 35 MB scrape. By default each app's timers are a count, a sum
 * and a max (mean and worst latency by app), and the buckets are kept once, for all apps, in the
 * two {@code pacer_proxy_*} histograms (quantiles of the whole proxy). {@code
 * app_latency_histograms = true} gives every app its own buckets, for per-app quantiles.
 *
 * <h2>Cost on the event loop</h2>
 * {@link #requestFinished} and {@link #retried} do a {@link ConcurrentHashMap} lookup by app id
 * and increment pre-registered meters; they allocate no tags and take no lock (except the first
 * time an unknown app is seen).
 *
 * <h2>Wiring</h2>
 * <pre>{@code
 * PacerMetrics metrics = new PacerMetrics(discoverySupplier);   // or new PacerMetrics()
 * metrics.updateRoutes(initial);
 * PacerServer server = PacerServer.start(config, initial, metrics);
 * metrics.bindTraffic(server.stats());
 * source listener: table -> { server.updateRoutes(table); metrics.updateRoutes(table); }
 * admin: new AdminApi(..., metrics::scrape, clock)
 * }</pre>
 */
public final class PacerMetrics implements RequestObserver, AutoCloseable {

    /** The {@code app} label of requests Pacer answered itself. */
    public static final String NO_APP = "none";

    /** Distinct values of an externally fed label ({@code type}, {@code cause}) before {@code other}. */
    public static final int MAX_LABEL_VALUES = 64;

    /** What {@link #scrape()} renders: the Prometheus text exposition format 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private static final int[] RETRY_REASON_INDEX = new int[RetryCondition.values().length];

    static {
        for (RetryCondition c : RetryCondition.values()) {
            RETRY_REASON_INDEX[c.ordinal()] = switch (c) {
                case ERROR -> 0;
                case TIMEOUT -> 1;
                case INVALID_HEADER -> 2;
                default -> 3; // HTTP_xxx
            };
        }
    }

    private final PrometheusMeterRegistry registry;
    private final ConcurrentHashMap<String, AppMeters> apps = new ConcurrentHashMap<>();
    /** Tasks of each app of the table in force; written under {@link #lock}. */
    private volatile RouteTable routed = RouteTable.empty();
    /** Incremented by each {@link #updateRoutes}; an app's meters carry the last one that saw it routed. */
    private long swaps;
    private final AppMeters none;
    private final boolean appBuckets;
    private final Timer proxyRequestDuration;
    private final Timer proxyUpstreamDuration;
    private final Object lock = new Object();
    private final JvmGcMetrics gcMetrics;
    private final TrafficMeters trafficMeters;
    private volatile PacerServer server;
    private final UpstreamHealthMeters upstreamHealth;
    private volatile long tableVersion;

    /** {@code null} without discovery; sampled under {@link #scrapeLock} at each scrape. */
    private final DiscoveryMeters discovery;
    private final Object scrapeLock = new Object();

    /** Metrics without discovery (an apps file, or none): no {@code pacer_marathon_*} series. */
    public PacerMetrics() {
        this(null, Clock.systemUTC());
    }

    /**
     * @param discovery called once per {@link #scrape()} for discovery's state; {@code null} for no
     *     {@code pacer_marathon_*} metrics. It may return {@code null} while discovery is not up
     *     yet (the previous values stay).
     */
    public PacerMetrics(Supplier<? extends DiscoveryMetricsSource> discovery) {
        this(discovery, Clock.systemUTC());
    }

    /** As {@link #PacerMetrics(Supplier)}; {@code clock} is what the last sync's age is measured against. */
    public PacerMetrics(Supplier<? extends DiscoveryMetricsSource> discovery, Clock clock) {
        this(discovery, clock, false);
    }

    /**
     * As {@link #PacerMetrics(Supplier, Clock)}; {@code appLatencyHistograms} gives each app's
     * duration timers buckets ({@code app_latency_histograms}, see the class comment).
     */
    public PacerMetrics(Supplier<? extends DiscoveryMetricsSource> discovery, Clock clock,
            boolean appLatencyHistograms) {
        Objects.requireNonNull(clock, "clock");
        this.appBuckets = appLatencyHistograms;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // Filters first: Micrometer applies them to meters registered after them only.
        // Micrometer's process.cpu.time counts nanoseconds (process_cpu_time_ns_total); Prometheus
        // names this process_cpu_seconds_total, in seconds.
        registry.config().meterFilter(MeterFilter.denyNameStartsWith("process.cpu.time"));
        // system_cpu_count reads like a histogram's series to Prometheus (promtool check metrics
        // rejects a gauge ending in _count): published as system_available_processors.
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                return id.getName().equals("system.cpu.count") ? id.withName("system.available.processors") : id;
            }
        });
        this.none = new AppMeters(registry, NO_APP, false, appBuckets);
        this.proxyRequestDuration = Timer.builder("pacer.proxy.request.duration")
                .description("Every request, from the request head to the end of the answer")
                .serviceLevelObjectives(AppMeters.DURATION_BUCKETS)
                .register(registry);
        this.proxyUpstreamDuration = Timer.builder("pacer.proxy.upstream.duration")
                .description("Every attempt that answered, from its start to the last byte of the answer")
                .serviceLevelObjectives(AppMeters.DURATION_BUCKETS)
                .register(registry);
        this.upstreamHealth = new UpstreamHealthMeters(registry);
        this.trafficMeters = new TrafficMeters(registry);
        Gauge.builder("pacer.route.table.version", this, m -> m.tableVersion)
                .description("Version of the route table in force")
                .strongReference(true)
                .register(registry);
        this.discovery = discovery == null ? null : new DiscoveryMeters(registry, discovery, clock);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            // FunctionCounter holds its object weakly, so the bean is captured by the function instead.
            FunctionCounter.builder("process.cpu", this, m -> os.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the JVM process")
                    .baseUnit("seconds")
                    .register(registry);
        }
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    // ---- data plane --------------------------------------------------------------------------

    /** Reads connection and byte counts from {@code stats} (until then they read 0). */
    public void bindTraffic(TrafficStats stats) {
        trafficMeters.bind(Objects.requireNonNull(stats, "stats"));
    }

    /** {@link #bindTraffic} with the server's counts and {@link #updateRoutes} with its table. */
    public void bind(PacerServer server) {
        bindTraffic(server.stats());
        this.server = server;
        updateRoutes(server.routes());
    }

    @Override
    public void requestFinished(RequestRecord record) {
        String appId = record.appId();
        AppMeters m = appId == null ? none : meters(appId);
        m.requests[statusClassIndex(record.status())].increment();
        m.requestDuration.record(record.totalNanos(), TimeUnit.NANOSECONDS);
        proxyRequestDuration.record(record.totalNanos(), TimeUnit.NANOSECONDS);
        if (m.upstreamDuration != null) {
            if (record.task() != null) {
                m.upstreamDuration.record(record.upstreamNanos(), TimeUnit.NANOSECONDS);
                proxyUpstreamDuration.record(record.upstreamNanos(), TimeUnit.NANOSECONDS);
            }
            if (record.exhausted()) {
                m.exhausted.increment();
            }
        }
    }

    @Override
    public void retried(String appId, RetryCondition reason) {
        if (appId == null || reason == null) {
            return;
        }
        meters(appId).retries[RETRY_REASON_INDEX[reason.ordinal()]].increment();
    }

    @Override
    public void taskFailed(String appId, RetryCondition reason) {
        if (appId != null && reason != null) {
            upstreamHealth.failed(appId, reason);
        }
    }

    /** 0 for 1xx ... 4 for 5xx; statuses outside 100-599 count as 5xx. */
    static int statusClassIndex(int status) {
        return status >= 100 && status < 600 ? status / 100 - 1 : 4;
    }

    /** The {@code reason} label of a retry for {@code condition}. */
    public static String retryReason(RetryCondition condition) {
        return AppMeters.RETRY_REASONS[RETRY_REASON_INDEX[condition.ordinal()]];
    }

    private AppMeters meters(String appId) {
        AppMeters m = apps.get(appId);
        return m != null ? m : register(appId);
    }

    /** Registers an app on its first request, with its task count in the table in force. */
    private AppMeters register(String appId) {
        synchronized (lock) {
            AppMeters m = apps.get(appId);
            if (m == null) {
                m = new AppMeters(registry, appId, true, appBuckets);
                m.tasks = taskCount(routed, appId);
                apps.put(appId, m);
            }
            return m;
        }
    }

    // ---- route table -------------------------------------------------------------------------

    /**
     * Takes a new route table: its version and the task count of each app (shown for the apps that
     * have had traffic); every meter of an app no longer in it is removed. Call on every table swap.
     */
    public void updateRoutes(RouteTable table) {
        Objects.requireNonNull(table, "table");
        // Runs on every swap, at 10,000 apps too: it touches only the apps that have meters, and
        // builds no map of the whole table.
        synchronized (lock) {
            long swap = ++swaps;
            for (App app : table.apps()) {
                AppMeters m = apps.get(app.id());
                if (m != null) {
                    m.tasks = app.tasks().size();
                    m.routedInSwap = swap;
                }
            }
            for (Iterator<Map.Entry<String, AppMeters>> it = apps.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, AppMeters> e = it.next();
                if (e.getValue().routedInSwap != swap) {
                    it.remove();
                    e.getValue().removeFrom(registry);
                }
            }
            upstreamHealth.retainApps(table);
            routed = table;
            tableVersion = table.version();
        }
    }

    /** The tasks {@code table} routes for {@code appId}: a scan, run once per app, at its first request. */
    private static int taskCount(RouteTable table, String appId) {
        for (App app : table.apps()) {
            if (app.id().equals(appId)) {
                return app.tasks().size();
            }
        }
        return 0;
    }

    // ---- exposition --------------------------------------------------------------------------

    /**
     * Samples discovery, then renders every metric in the Prometheus text format 0.0.4
     * ({@link #CONTENT_TYPE}). Safe from any thread; concurrent scrapes sample one at a time.
     */
    public String scrape() {
        synchronized (scrapeLock) {
            if (discovery != null) {
                discovery.sample();
            }
            PacerServer s = server;
            if (s != null) {
                upstreamHealth.sample(s.routes(), s.taskStates());
            }
            return registry.scrape(CONTENT_TYPE);
        }
    }

    /** The registry, for tests and for binding more meters. Render it with {@link #scrape()}. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Each app's counters now, by app id, {@link #NO_APP} excluded: what the dashboard's rates come from. */
    public Map<String, AppTotals> appTotals() {
        Map<String, AppTotals> out = new HashMap<>();
        apps.forEach((id, m) -> out.put(id, m.totals()));
        return out;
    }

    /** Apps with series right now, {@link #NO_APP} excluded. */
    int appCount() {
        return apps.size();
    }

    /** Distinct {@code type} labels of {@code pacer_marathon_events_total}, {@code other} excluded. */
    int eventTypeLabels() {
        synchronized (scrapeLock) {
            return discovery == null ? 0 : discovery.eventTypeLabels();
        }
    }

    /** Stops the JVM GC listener and closes the registry. */
    @Override
    public void close() {
        gcMetrics.close();
        registry.close();
    }
}
