package io.pacer.proxy.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What {@link PacerMetrics} reads from route discovery (Marathon), kept to the few values the
 * {@code pacer_marathon_*} metrics need so that metrics do not depend on the discovery module's
 * status type while it is still changing. The getters are named as the accessors of
 * {@code io.pacer.discovery.MarathonStatus}, so an adapter is plain delegation:
 *
 * <pre>{@code
 * new PacerMetrics(() -> {
 *     MarathonStatus s = marathon.status();
 *     return new DiscoveryMetricsSource() {
 *         public boolean streamConnected() { return s.streamConnected(); }
 *         ...
 *     };
 * });
 * }</pre>
 *
 * <p>{@link PacerMetrics} takes a supplier of these and calls it once per
 * {@link PacerMetrics#scrape() scrape}, then reads every getter of the result once; an
 * implementation may be a snapshot or a live view. Counts are cumulative since discovery started.
 */
public interface DiscoveryMetricsSource {

    /** Whether an event stream is open right now. */
    boolean streamConnected();

    /** Events received so far, by Marathon event type. Not {@code null}. */
    Map<String, Long> eventsByType();

    /** Events whose data could not be read. */
    long malformedEvents();

    /** Full syncs ({@code /v2/apps} requests) made. */
    long resyncs();

    /** How long the last successful sync took; {@code null} before the first. */
    Duration lastResyncDuration();

    /** Failed syncs by cause ({@code http_<status>}, {@code parse}, {@code timeout}, ...). Not {@code null}. */
    Map<String, Long> syncFailures();

    /** When the last successful sync ended; {@code null} before the first. */
    Instant lastSyncSuccess();
}
