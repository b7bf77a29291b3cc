package io.pacer.discovery;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A snapshot of how a {@link MarathonSource} is doing, for the admin API ({@code /v1/health},
 * {@code /v1/config}'s {@code LastUpdates}) and for metrics. Immutable; fields read at slightly
 * different instants, so counters may be one event apart from each other. URLs never show
 * credentials. Timestamps are {@code null} until the first such occurrence.
 *
 * @param endpoints          every configured Marathon, in priority order, with its last ping
 * @param endpointInUse      the endpoint used for the stream and for syncs; {@code null} before start
 * @param streamConnected    whether an event stream is open (answered 200) right now
 * @param streamUrl          where the open stream goes (the leader, after a standby's redirect);
 *     {@code null} when none is open
 * @param lastSyncSuccess    when the last sync that gave a usable app list ended
 * @param lastSyncAttempt    when the last sync started
 * @param lastSyncError      why the last sync failed; {@code null} when it succeeded
 * @param lastResyncDuration how long the last successful sync took, request to the model read
 * @param tableVersion       the version of the route table in force (0: none yet)
 * @param resyncs            {@code /v2/apps} requests made
 * @param syncFailures       failed syncs by cause: {@code http_<status>}, {@code parse},
 *     {@code timeout}, {@code connect}, {@code io}
 * @param eventsByType       events received by type (malformed ones included)
 * @param malformedEvents    events whose data was not a JSON object (or too large)
 * @param streamsOpened      event streams opened, redirects not counted
 * @param streamFailures     streams that ended or could not open, by cause: {@code closed},
 *     {@code watchdog}, {@code http_<status>}, {@code redirects}, {@code connect}, {@code io}, ...
 * @param syncInFlightSince  when the sync in flight started; {@code null} when none is
 * @param unexpectedErrors   failures of Pacer's own (an exception or {@code Error}, such as running
 *     out of memory) caught by the discovery loop, which logged each and carried on
 * @param appReads           single-app reads ({@code /v2/apps/{id}}) made for events
 * @param drifts             full syncs that found routes different from what events had built
 * @param driftedApps        apps those full syncs corrected, all together
 */
public record MarathonStatus(List<EndpointHealth> endpoints, String endpointInUse, boolean streamConnected,
                             String streamUrl, Instant lastSyncSuccess, Instant lastSyncAttempt,
                             String lastSyncError, Duration lastResyncDuration, long tableVersion,
                             long resyncs, Map<String, Long> syncFailures, Map<String, Long> eventsByType,
                             long malformedEvents, long streamsOpened, Map<String, Long> streamFailures,
                             Instant syncInFlightSince, long unexpectedErrors, long appReads, long drifts,
                             long driftedApps) {

    public MarathonStatus {
        endpoints = List.copyOf(endpoints);
        syncFailures = Map.copyOf(syncFailures);
        eventsByType = Map.copyOf(eventsByType);
        streamFailures = Map.copyOf(streamFailures);
    }

    /**
     * One Marathon endpoint as the pinger last saw it.
     *
     * @param url          the base URL, user info masked
     * @param healthy      whether its last {@code /ping} answered 200 (true until first checked)
     * @param message      {@code "OK"}, or why it is unhealthy
     * @param lastChecked  when its last ping ended; {@code null} before the first
     * @param pingFailures pings that failed so far
     */
    public record EndpointHealth(String url, boolean healthy, String message, Instant lastChecked,
                                 long pingFailures) { }

    /** Whether some endpoint answers; Nixy's {@code /v1/health} answers 500 when none does. */
    public boolean anyEndpointHealthy() {
        return endpoints.stream().anyMatch(EndpointHealth::healthy);
    }

    /** Events received, all types together. */
    public long eventsReceived() {
        return eventsByType.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Why discovery cannot keep the routes current, or {@code null} when it can: no sync has
     * succeeded yet, the last one failed, or one has been in flight for longer than
     * {@code syncDeadline}. The routes in force stay; this only says they may be stale.
     */
    public String syncProblem(Instant now, Duration syncDeadline) {
        Instant since = syncInFlightSince;
        if (since != null && Duration.between(since, now).compareTo(syncDeadline) > 0) {
            return "a sync has been in flight since " + since + ", longer than " + syncDeadline.toMillis()
                    + " ms; keeping routes v" + tableVersion;
        }
        if (lastSyncError != null) {
            return "the last sync failed (" + lastSyncError + "); keeping routes v" + tableVersion
                    + (lastSyncSuccess == null ? "" : " from the sync of " + lastSyncSuccess);
        }
        if (lastSyncSuccess == null) {
            return "no sync has succeeded yet";
        }
        return null;
    }

    /** Failed syncs, all causes together. */
    public long syncFailureCount() {
        return syncFailures.values().stream().mapToLong(Long::longValue).sum();
    }
}
