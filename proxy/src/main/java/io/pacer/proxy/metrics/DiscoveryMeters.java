package io.pacer.proxy.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code pacer_marathon_*} series: discovery's state, copied from its {@link
 * DiscoveryMetricsSource} at each scrape so that discovery never waits on the registry.
 *
 * <p>Threading: {@link #sample} runs under the scrape's lock, one scrape at a time; the gauges read
 * the volatile copies from whichever thread renders them.
 */
final class DiscoveryMeters {

    private static final Logger log = LoggerFactory.getLogger(DiscoveryMeters.class);

    private final Supplier<? extends DiscoveryMetricsSource> source;
    private final Clock clock;
    private final LabeledCounters events;
    private final LabeledCounters syncFailures;
    private volatile boolean streamConnected;
    private volatile long malformedEvents;
    private volatile long resyncs;
    private volatile Duration lastResyncDuration;
    private volatile Instant lastSyncSuccess;

    DiscoveryMeters(MeterRegistry registry, Supplier<? extends DiscoveryMetricsSource> source, Clock clock) {
        this.source = source;
        this.clock = clock;
        events = new LabeledCounters(registry, "pacer.marathon.events", "type",
                "Marathon events received, by type", PacerMetrics.MAX_LABEL_VALUES);
        syncFailures = new LabeledCounters(registry, "pacer.marathon.sync.failures", "cause",
                "Failed syncs with Marathon, by cause", PacerMetrics.MAX_LABEL_VALUES);
        Gauge.builder("pacer.marathon.stream.connected", this, m -> m.streamConnected ? 1 : 0)
                .description("1 while an event stream from Marathon is open, else 0")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("pacer.marathon.malformed.events", this, m -> m.malformedEvents)
                .description("Marathon events whose data could not be read")
                .register(registry);
        FunctionCounter.builder("pacer.marathon.resyncs", this, m -> m.resyncs)
                .description("Full syncs with Marathon (/v2/apps requests)")
                .register(registry);
        Gauge.builder("pacer.marathon.resync.duration", this, DiscoveryMeters::resyncSeconds)
                .description("How long the last successful sync took; NaN before the first")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
        Gauge.builder("pacer.marathon.last.sync.age", this, DiscoveryMeters::lastSyncAgeSeconds)
                .description("Time since the last successful sync ended; +Inf before the first")
                .baseUnit("seconds")
                .strongReference(true)
                .register(registry);
    }

    /** Copies discovery's state now; a source that fails or is not up yet leaves the previous values. */
    void sample() {
        try {
            DiscoveryMetricsSource s = source.get();
            if (s == null) {
                return;
            }
            boolean connected = s.streamConnected();
            Map<String, Long> byType = s.eventsByType();
            long malformed = s.malformedEvents();
            long syncs = s.resyncs();
            Duration resyncDuration = s.lastResyncDuration();
            Map<String, Long> failures = s.syncFailures();
            Instant lastSync = s.lastSyncSuccess();
            events.update(byType == null ? Map.of() : byType);
            syncFailures.update(failures == null ? Map.of() : failures);
            streamConnected = connected;
            malformedEvents = malformed;
            resyncs = syncs;
            lastResyncDuration = resyncDuration;
            lastSyncSuccess = lastSync;
        } catch (RuntimeException e) {
            log.warn("could not read discovery status for metrics; keeping the previous values", e);
        }
    }

    /** Distinct {@code type} labels, {@code other} excluded; call under the scrape's lock. */
    int eventTypeLabels() {
        return events.ownKeys();
    }

    private double resyncSeconds() {
        Duration d = lastResyncDuration;
        return d == null ? Double.NaN : d.toNanos() / 1e9;
    }

    private double lastSyncAgeSeconds() {
        Instant last = lastSyncSuccess;
        if (last == null) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.max(0, Duration.between(last, clock.instant()).toNanos() / 1e9);
    }
}
