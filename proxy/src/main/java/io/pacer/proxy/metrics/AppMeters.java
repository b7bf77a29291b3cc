package io.pacer.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every meter of one app label, registered up front so that the request path only looks the
 * holder up and increments: no tag or string is built per request. Zero-valued series exist from
 * the start, which keeps {@code rate()} and alerts well defined for apps that have had no traffic.
 *
 * <p>The holder for Pacer's own answers ({@link PacerMetrics#NO_APP}) has only the request
 * counters and the request duration: nothing else can happen to a request no app served.
 */
final class AppMeters {

    static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};

    /** Retry reason labels, indexed as {@link PacerMetrics#retryReasonIndex}. */
    static final String[] RETRY_REASONS = {"error", "timeout", "invalid_header", "status"};

    /**
     * Request and upstream duration buckets: 1 ms to 30 s, 14 boundaries and {@code +Inf}, enough
     * for {@code histogram_quantile} and SLO ratios without Micrometer's 276 default buckets.
     */
    static final Duration[] DURATION_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2).plusNanos(500_000), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10), Duration.ofSeconds(30),
    };

    final String app;
    /** Indexed by status class - 1 (0 is 1xx ... 4 is 5xx). */
    final Counter[] requests;
    final Timer requestDuration;
    /** {@code null} for {@link PacerMetrics#NO_APP}. */
    final Timer upstreamDuration;
    /** Indexed as {@link #RETRY_REASONS}; {@code null} for {@link PacerMetrics#NO_APP}. */
    final Counter[] retries;
    /** {@code null} for {@link PacerMetrics#NO_APP}. */
    final Counter exhausted;
    /** Tasks in the current route table; read by the {@code pacer_app_tasks} gauge. */
    volatile int tasks;
    /** The last {@link PacerMetrics#updateRoutes} whose table routes this app; written under its lock. */
    long routedInSwap;

    private final List<Meter> meters = new ArrayList<>();

    /**
     * @param routed false for {@link PacerMetrics#NO_APP}: only the request counters and duration
     * @param buckets whether the two timers publish {@link #DURATION_BUCKETS} ({@code
     *     app_latency_histograms}); without them each is a count, a sum and a max (three series
     *     instead of eighteen)
     */
    AppMeters(MeterRegistry registry, String app, boolean routed, boolean buckets) {
        this.app = app;
        this.requests = new Counter[STATUS_CLASSES.length];
        for (int i = 0; i < STATUS_CLASSES.length; i++) {
            requests[i] = add(Counter.builder("pacer.requests")
                    .description("Requests answered, by app (none: Pacer's own answers) and status class")
                    .tags("app", app, "status_class", STATUS_CLASSES[i])
                    .register(registry));
        }
        this.requestDuration = add(timer("pacer.request.duration",
                "Whole requests, from the request head to the end of the answer", registry, buckets));
        if (!routed) {
            this.upstreamDuration = null;
            this.retries = null;
            this.exhausted = null;
            return;
        }
        this.upstreamDuration = add(timer("pacer.upstream.duration",
                "The attempt that answered, from its start to the last byte of the answer", registry, buckets));
        this.retries = new Counter[RETRY_REASONS.length];
        for (int i = 0; i < RETRY_REASONS.length; i++) {
            retries[i] = add(Counter.builder("pacer.retries")
                    .description("Failed attempts passed on to another task, by reason")
                    .tags("app", app, "reason", RETRY_REASONS[i])
                    .register(registry));
        }
        this.exhausted = add(Counter.builder("pacer.requests.exhausted")
                .description("Requests whose every allowed attempt failed; the client got the last failure")
                .tag("app", app)
                .register(registry));
        add(Gauge.builder("pacer.app.tasks", this, m -> m.tasks)
                .description("Tasks taking the app's traffic in the current route table")
                .tag("app", app)
                .strongReference(true)
                .register(registry));
    }

    private Timer timer(String name, String description, MeterRegistry registry, boolean buckets) {
        Timer.Builder b = Timer.builder(name).description(description).tag("app", app);
        if (buckets) {
            b.serviceLevelObjectives(DURATION_BUCKETS);
        }
        return b.register(registry);
    }

    private <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    /** The app's counters now; see {@link AppTotals}. */
    AppTotals totals() {
        double all = 0;
        for (Counter c : requests) {
            all += c.count();
        }
        double retried = 0;
        if (retries != null) {
            for (Counter c : retries) {
                retried += c.count();
            }
        }
        return new AppTotals(all, requests[4].count(), retried);
    }

    /** Takes every meter of this app out of {@code registry}: its series leave the scrape. */
    void removeFrom(MeterRegistry registry) {
        for (Meter m : meters) {
            registry.remove(m);
        }
    }
}
