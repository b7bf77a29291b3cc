package io.pacer.discovery;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.RequestBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads Marathon's whole app list, {@code GET /v2/apps?embed=apps.tasks&embed=apps.readiness},
 * or single apps, {@code GET /v2/apps/{id}?embed=app.tasks&embed=app.readiness}, whenever asked,
 * and hands what parses to a {@link Listener}.
 *
 * <ul>
 *   <li><b>One request at a time.</b> A pending full sync goes first and covers every app asked
 *   for before it started; otherwise apps are read one after the other, each once however often
 *   it was asked for. More than {@value #MAX_PENDING_APPS} apps waiting, or an app read that
 *   fails, turn into one full sync.</li>
 *   <li><b>Bursts collapse.</b> At most one sync is in flight; requests arriving meanwhile run one
 *   more right after it, after {@code coalesceDelay}.</li>
 *   <li><b>Failures are retried</b> after a backoff with jitter ({@code syncRetryMin} doubling to
 *   {@code syncRetryMax}); each is counted by cause and logged once while it repeats.</li>
 *   <li><b>It never wedges.</b> Each sync has a generation number and a deadline; it ends exactly
 *   once, by its completion or by its deadline, with its bookkeeping in {@code finally}, and the
 *   other of the two finds a different generation (or no sync in flight) and is ignored. A
 *   {@code Throwable} from parsing or from the listener fails that sync only.</li>
 * </ul>
 *
 * <p>Threading: state lives on the discovery loop; answers arrive on the client's I/O thread and
 * are posted back.
 */
final class SyncLoop {

    static final String APPS_PATH = "/v2/apps?embed=apps.tasks&embed=apps.readiness";
    static final String APP_QUERY = "?embed=app.tasks&embed=app.readiness";
    /** Past this many apps to read one by one, one full read is cheaper for Marathon. */
    static final int MAX_PENDING_APPS = 200;
    /** Time a sync is given, beyond the request timeout, to parse and publish. */
    static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    private static final Logger log = LoggerFactory.getLogger(SyncLoop.class);

    /** Gets each app list read; on the loop. */
    interface Listener {
        /** Throwing fails the sync: it is counted, logged and retried. */
        void synced(MarathonEndpoint endpoint, List<MarathonApp> apps, long startNanos);

        /**
         * One app read again; throwing fails it, which asks for a full sync.
         *
         * @param app the app, or {@code null} when Marathon no longer has it (404)
         */
        void appSynced(MarathonEndpoint endpoint, String appId, MarathonApp app);
    }

    private final MarathonClient client;
    private final DiscoveryLoop loop;
    private final MarathonSettings settings;
    private final Clock clock;
    private final Supplier<MarathonEndpoint> endpoint;
    private final Listener listener;

    /** A sync was asked for and has not started yet; it collapses every request until it starts. */
    private final AtomicBoolean pending = new AtomicBoolean();
    private final Set<String> appsPending = new LinkedHashSet<>();
    private boolean inFlight;
    private boolean fullInFlight;
    private long generation;
    private Future<?> deadline;
    private ListenableFuture<?> call;
    private long retryNanos;
    private Future<?> retry;
    private String lastProblem;

    private volatile Instant inFlightSince;
    private volatile Instant lastAttempt;
    private volatile Instant lastSuccess;
    private volatile String lastError;
    private volatile Duration lastDuration;
    private final LongAdder syncs = new LongAdder();
    private final LongAdder appReads = new LongAdder();
    private final Counters failures = new Counters();

    SyncLoop(MarathonClient client, DiscoveryLoop loop, MarathonSettings settings, Clock clock,
             Supplier<MarathonEndpoint> endpoint, Listener listener) {
        this.client = client;
        this.loop = loop;
        this.settings = settings;
        this.clock = clock;
        this.endpoint = endpoint;
        this.listener = listener;
        this.retryNanos = settings.syncRetryMin().toNanos();
    }

    /**
     * Asks for a sync; any thread.
     *
     * @return {@code true} when this call scheduled one; {@code false} when one was already
     *     pending (it covers this request) or the loop is closed
     */
    boolean request(String reason) {
        if (loop.closed() || !pending.compareAndSet(false, true)) {
            return false;
        }
        log.debug("Resync requested: {}", reason);
        if (loop.schedule(this::maybeStart, settings.coalesceDelay().toNanos()) == null) {
            pending.set(false);
            return false;
        }
        return true;
    }

    /** Asks for one app to be read again; on the loop. */
    void requestApp(String appId) {
        if (loop.closed() || pending.get() || retry != null) {
            // A full sync that has not started yet covers it, the retry of a failed one included:
            // while Marathon fails, events must not bypass the retry's backoff.
            return;
        }
        appsPending.add(appId);
        if (appsPending.size() > MAX_PENDING_APPS) {
            appsPending.clear();
            request("more than " + MAX_PENDING_APPS + " apps to read");
            return;
        }
        maybeStart();
    }

    /** Whether no sync is in flight or pending; on the loop. */
    boolean idle() {
        return !inFlight && !pending.get() && appsPending.isEmpty();
    }

    /** Whether a full sync is in flight: events arriving now may be older than its answer, or newer. */
    boolean fullInFlight() {
        return fullInFlight;
    }

    long appReads() {
        return appReads.sum();
    }

    /** The request timeout plus a margin for reading and parsing the answer. */
    Duration deadline() {
        return settings.requestTimeout().plus(DEADLINE_MARGIN);
    }

    Instant inFlightSince() {
        return inFlightSince;
    }

    Instant lastAttempt() {
        return lastAttempt;
    }

    Instant lastSuccess() {
        return lastSuccess;
    }

    String lastError() {
        return lastError;
    }

    Duration lastDuration() {
        return lastDuration;
    }

    long syncs() {
        return syncs.sum();
    }

    Counters failures() {
        return failures;
    }

    /** Starts the pending read unless one is in flight; the one in flight starts it when done. */
    private void maybeStart() {
        if (loop.closed() || inFlight) {
            return;
        }
        if (pending.compareAndSet(true, false)) {
            appsPending.clear();
            startFull();
        } else if (!appsPending.isEmpty()) {
            String appId = appsPending.iterator().next();
            appsPending.remove(appId);
            startApp(appId);
        }
    }

    private void startFull() {
        DiscoveryLoop.cancel(retry);
        retry = null;
        inFlight = true;
        fullInFlight = true;
        long gen = ++generation;
        MarathonEndpoint ep = endpoint.get();
        // The client's own request timeout normally ends a slow call first; this deadline covers
        // an end that never reaches us. Set first, so that nothing below can leave a sync in
        // flight forever.
        deadline = loop.schedule(() -> deadlinePassed(gen, ep), deadline().toNanos());
        long startNanos = System.nanoTime();
        lastAttempt = clock.instant();
        inFlightSince = lastAttempt;
        syncs.increment();
        try {
            RequestBuilder request = MarathonClient.get(ep, ep.base + APPS_PATH, settings.requestTimeout())
                    .setHeader(HttpHeaderNames.ACCEPT, "application/json")
                    .setHeader(HttpHeaderNames.ACCEPT_ENCODING, "gzip");
            ListenableFuture<AppListDownload.Answer> c =
                    client.execute(request, new AppListDownload(settings.maxAppsBytes()));
            call = c;
            c.toCompletableFuture().whenComplete((answer, error) -> loop.post(() -> ended(gen, ep, startNanos,
                    answer, error)));
        } catch (Throwable e) {
            loop.post(() -> ended(gen, ep, startNanos, null, e));
        }
    }

    private void startApp(String appId) {
        inFlight = true;
        long gen = ++generation;
        MarathonEndpoint ep = endpoint.get();
        deadline = loop.schedule(() -> deadlinePassed(gen, ep), deadline().toNanos());
        inFlightSince = clock.instant();
        appReads.increment();
        try {
            RequestBuilder request = MarathonClient.get(ep, ep.base + "/v2/apps" + appId + APP_QUERY,
                            settings.requestTimeout())
                    .setHeader(HttpHeaderNames.ACCEPT, "application/json")
                    .setHeader(HttpHeaderNames.ACCEPT_ENCODING, "gzip");
            ListenableFuture<BoundedBody.Answer> c = client.execute(request, new BoundedBody(settings.maxAppsBytes()));
            call = c;
            c.toCompletableFuture().whenComplete((answer, error) -> loop.post(() -> appEnded(gen, ep, appId,
                    answer, error)));
        } catch (Throwable e) {
            loop.post(() -> appEnded(gen, ep, appId, null, e));
        }
    }

    private void appEnded(long gen, MarathonEndpoint ep, String appId, BoundedBody.Answer answer, Throwable error) {
        if (gen != generation || !inFlight) {
            log.debug("Ignoring the late end of read #{} (now at #{})", gen, generation);
            return;
        }
        String where = ep.base + "/v2/apps" + appId;
        try {
            if (loop.closed()) {
                return;
            }
            String problem = null;
            if (error != null) {
                problem = MarathonClient.describe(MarathonClient.unwrap(error));
            } else if (answer.tooLarge()) {
                problem = "answer larger than " + settings.maxAppsBytes() + " bytes";
            } else if (answer.status() == 404) {
                listener.appSynced(ep, appId, null);
            } else if (answer.status() != 200) {
                problem = "HTTP " + answer.status() + MarathonClient.errorMessage(answer.body());
            } else {
                try {
                    listener.appSynced(ep, appId, MarathonApps.parseApp(answer.body()));
                } catch (MarathonFormatException e) {
                    problem = e.getMessage();
                }
            }
            if (problem != null) {
                failures.increment("app");
                log.warn("Reading Marathon app {} failed ({}); reading every app instead", where, problem);
                appsPending.clear();
                request("app read failed");
            }
        } catch (Throwable t) {
            loop.unexpected("the read of " + where, t);
            failures.increment("app");
            request("app read failed");
        } finally {
            finish();
        }
    }

    private void deadlinePassed(long gen, MarathonEndpoint ep) {
        if (gen != generation || !inFlight) {
            return;
        }
        if (!fullInFlight) {
            // An app read: the full read it turns into has a deadline of its own.
            try {
                ListenableFuture<?> c = call;
                if (c != null) {
                    c.cancel(true);
                }
                failures.increment("app");
                request("app read past its deadline");
            } finally {
                finish();
            }
            return;
        }
        try {
            ListenableFuture<?> c = call;
            if (c != null) {
                c.cancel(true);
            }
            failed(ep.base + "/v2/apps", "deadline", "no answer within " + deadline().toMillis()
                    + " ms (marathon_timeout plus " + DEADLINE_MARGIN.toMillis() + " ms)");
        } finally {
            finish();
        }
    }

    private void ended(long gen, MarathonEndpoint ep, long startNanos, AppListDownload.Answer answer,
                       Throwable error) {
        if (gen != generation || !inFlight) {
            log.debug("Ignoring the late end of sync #{} (now at #{})", gen, generation);
            return;
        }
        String where = ep.base + "/v2/apps";
        try {
            if (loop.closed()) {
                return;
            }
            if (error != null) {
                Throwable cause = MarathonClient.unwrap(error);
                failed(where, MarathonClient.failureCause(cause), MarathonClient.describe(cause));
            } else if (answer.tooLarge()) {
                failed(where, "too_large", "answer larger than " + settings.maxAppsBytes()
                        + " bytes (aborted after " + answer.received() + ")");
            } else if (answer.status() != 200) {
                failed(where, "http_" + answer.status(), "HTTP " + answer.status()
                        + MarathonClient.errorMessage(answer.errorBody()));
            } else if (answer.problem() != null) {
                failed(where, "parse", answer.problem().getMessage());
            } else {
                // Recorded first: whoever the listener wakes (a caller awaiting the first sync)
                // finds the sync's success in the status. A listener that throws still fails it.
                succeeded(ep, startNanos);
                listener.synced(ep, answer.apps().take(), startNanos);
            }
        } catch (Throwable t) {
            // Running out of heap while parsing a huge answer lands here, as does any bug: the
            // sync counts as failed and is retried, and the loop goes on.
            loop.unexpected("the sync from " + ep.base, t);
            failed(where, "error", MarathonClient.describe(t));
        } finally {
            finish();
        }
    }

    private void succeeded(MarathonEndpoint ep, long startNanos) {
        if (lastProblem != null) {
            log.info("Marathon sync from {} works again", ep.base);
            lastProblem = null;
        }
        retryNanos = settings.syncRetryMin().toNanos();
        lastError = null;
        lastSuccess = clock.instant();
        lastDuration = Duration.ofNanos(System.nanoTime() - startNanos);
    }

    private void failed(String where, String cause, String message) {
        failures.increment(cause);
        lastError = message;
        if (!message.equals(lastProblem)) {
            lastProblem = message;
            log.warn("Marathon sync from {} failed, keeping the routes in force: {}", where, message);
        } else {
            log.debug("Marathon sync from {} still failing: {}", where, message);
        }
        long delay = EventStream.jitter(retryNanos);
        retryNanos = Math.min(retryNanos * 2, settings.syncRetryMax().toNanos());
        DiscoveryLoop.cancel(retry);
        retry = loop.schedule(() -> request("retry"), delay);
    }

    /** The bookkeeping every end of a sync does, then the next sync if one is pending. */
    private void finish() {
        inFlight = false;
        fullInFlight = false;
        inFlightSince = null;
        call = null;
        DiscoveryLoop.cancel(deadline);
        deadline = null;
        maybeStart();
    }
}
