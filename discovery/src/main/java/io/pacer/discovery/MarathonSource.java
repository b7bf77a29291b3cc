package io.pacer.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.RouteTableDiff;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.asynchttpclient.AsyncHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.DefaultAsyncHttpClientConfig;
import org.asynchttpclient.Dsl;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.RequestBuilder;
import org.asynchttpclient.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves routes from a live Marathon: it follows Marathon's event stream and resyncs the whole
 * app list whenever an event may have changed routing, publishing a new {@link RouteTable} to the
 * listener when, and only when, the routes changed. Publishing mirrors {@link AppsFileSource}:
 * versions count up from 1, each change is logged as one INFO line with its diff, and whatever
 * goes wrong (Marathon unreachable, an error status, a body that does not parse) keeps the last
 * good table in force.
 *
 * <h2>How</h2>
 * <ul>
 *   <li><b>Endpoints.</b> Every endpoint's {@code GET /ping} is asked every 2 s (5 s timeout); the
 *   first healthy one in list order is used for the stream and for syncs, and a change of that
 *   choice reopens the stream there and resyncs. Every call carries basic auth when a user is
 *   set.</li>
 *   <li><b>Stream.</b> {@code GET /v2/events} with {@code Accept: text/event-stream}, read as it
 *   arrives by an {@link AsyncHandler} into an {@link SseParser}. A redirect (a standby sends its
 *   leader's address) is followed here rather than by the HTTP client, so that the credentials go
 *   along; at most {@link MarathonSettings#maxRedirects()} hops. A stream that ends or fails is
 *   reopened after a backoff with jitter (doubling from {@code reconnectMin} to
 *   {@code reconnectMax}, back to the minimum after a stream that delivered data); one silent for
 *   {@code streamWatchdog} (heartbeats count) is dropped and reopened.</li>
 *   <li><b>Sync.</b> {@code GET /v2/apps?embed=apps.tasks&embed=apps.readiness}, on attaching, on
 *   every event that may change routing (see {@link MarathonEvents}), every
 *   {@code resyncInterval} and on {@link #requestResync()}. Only a 200 whose body parses as an
 *   app list counts; a failure is retried after a backoff. Bursts collapse: at most one sync is
 *   in flight, and a request arriving meanwhile runs one more right after it, so the table
 *   converges within about two sync durations of the last event.</li>
 *   <li><b>Threads.</b> Netty I/O threads of the HTTP client only split the stream into events;
 *   everything else (state, parsing {@code /v2/apps}, building and publishing the table) runs on
 *   one thread, {@value #THREAD_NAME}, which is also where the listener is called.</li>
 * </ul>
 */
public final class MarathonSource implements AutoCloseable {

    public static final String THREAD_NAME = "pacer-marathon";
    static final String APPS_PATH = "/v2/apps?embed=apps.tasks&embed=apps.readiness";
    static final String EVENTS_PATH = "/v2/events";
    static final String PING_PATH = "/ping";
    static final String EVENT_STREAM = "text/event-stream";

    /** Event types counted by name; the rest (a misbehaving peer inventing names) under {@value #OTHER}. */
    private static final int MAX_COUNTED_KEYS = 100;
    private static final String OTHER = "(other)";
    private static final int EXCERPT_CHARS = 160;
    /** Time a sync is given, beyond the request timeout, to parse and publish. */
    static final Duration SYNC_DEADLINE_MARGIN = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Logger log = LoggerFactory.getLogger(MarathonSource.class);

    private final MarathonSettings settings;
    private final Consumer<RouteTable> listener;
    private final Clock clock;
    private final List<Endpoint> endpoints;

    private ScheduledThreadPoolExecutor executor;
    private EventLoopGroup ioGroup;
    private AsyncHttpClient http;
    private volatile Thread executorThread;
    private volatile boolean started;
    private volatile boolean closed;

    /** A resync was asked for and has not started yet; it collapses every request until it starts. */
    private final AtomicBoolean resyncPending = new AtomicBoolean();
    private final CountDownLatch firstSync = new CountDownLatch(1);

    // Written on the executor thread only; volatile where status() reads them.
    private volatile Endpoint active;
    private volatile Stream stream;
    private long streamIds;
    private long reconnectDelayNanos;
    private Future<?> reconnect;
    private boolean syncInFlight;
    private long syncGeneration;
    private Future<?> syncDeadline;
    private ListenableFuture<?> syncCall;
    private volatile Instant syncInFlightSince;
    private long syncRetryNanos;
    private Future<?> syncRetry;
    private boolean published;
    private String lastSyncProblem;
    private String lastStreamProblem;
    private final Set<String> warnedMalformed = new HashSet<>();
    private final Set<String> loggedUnknown = new HashSet<>();

    private volatile RouteTable current = RouteTable.empty();
    private volatile List<App> apps = List.of();
    private volatile List<MarathonApp> marathonApps = List.of();
    private volatile Instant lastSyncSuccess;
    private volatile Instant lastSyncAttempt;
    private volatile String lastSyncError;
    private volatile Duration lastResyncDuration;
    private final LongAdder resyncs = new LongAdder();
    private final LongAdder unexpectedErrors = new LongAdder();
    private final LongAdder malformedEvents = new LongAdder();
    private final LongAdder streamsOpened = new LongAdder();
    private final Counters syncFailures = new Counters();
    private final Counters eventsByType = new Counters();
    private final Counters streamFailures = new Counters();

    public MarathonSource(MarathonSettings settings, Consumer<RouteTable> listener) {
        this(settings, listener, Clock.systemUTC());
    }

    /** @param clock what status timestamps are read from; intervals use {@link System#nanoTime()} */
    public MarathonSource(MarathonSettings settings, Consumer<RouteTable> listener, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
        List<Endpoint> list = new ArrayList<>();
        for (URI url : settings.endpoints()) {
            list.add(Endpoint.of(url, settings.user(), settings.pass()));
        }
        this.endpoints = List.copyOf(list);
        this.reconnectDelayNanos = settings.reconnectMin().toNanos();
        this.syncRetryNanos = settings.syncRetryMin().toNanos();
    }

    /**
     * Starts following Marathon and returns at once: the stream opens, the first sync runs and
     * pinging starts in the background. Until a sync succeeds, {@link #current()} is the empty
     * table (version 0); see {@link #awaitInitialSync}.
     *
     * @throws IllegalStateException when called twice or after {@link #close()}
     */
    public synchronized void start() {
        if (started || closed) {
            throw new IllegalStateException("Marathon source already started or closed");
        }
        started = true;
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            executorThread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        ioGroup = ioGroup();
        http = Dsl.asyncHttpClient(httpConfig(settings, ioGroup));
        log.info("Following Marathon at {}", endpoints.stream().map(e -> e.shown).toList());
        post(() -> {
            active = endpoints.get(0);
            openStream();
        });
        requestResync("start");
        long ping = settings.pingInterval().toNanos();
        executor.scheduleWithFixedDelay(safely(this::pingAll), 0, ping, TimeUnit.NANOSECONDS);
        long watchdogPeriod = Math.max(TimeUnit.MILLISECONDS.toNanos(20),
                Math.min(TimeUnit.SECONDS.toNanos(1), settings.streamWatchdog().toNanos() / 4));
        executor.scheduleWithFixedDelay(safely(this::watchdog), watchdogPeriod, watchdogPeriod, TimeUnit.NANOSECONDS);
        if (!settings.resyncInterval().isZero()) {
            long every = settings.resyncInterval().toNanos();
            executor.scheduleWithFixedDelay(safely(() -> requestResync("periodic")), every, every, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Waits for the first successful sync (and its table's publication).
     *
     * @return whether it happened within {@code timeout}
     */
    public boolean awaitInitialSync(Duration timeout) throws InterruptedException {
        return firstSync.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Asks for a full resync, as Nixy's {@code /v1/reload} does.
     *
     * @return {@code true} when this call scheduled one; {@code false} when one was already
     *     pending (it will cover this request: "queue is full" in Nixy's words) or the source is
     *     not running
     */
    public boolean requestResync() {
        return requestResync("requested");
    }

    /** The last table published (the empty table, version 0, before the first sync). */
    public RouteTable current() {
        return current;
    }

    /** The apps of the last successful sync in the realm, those without a routable task included. */
    public List<App> apps() {
        return apps;
    }

    /**
     * Marathon's apps as the last successful sync read them, every realm included, in Marathon's
     * order: what the admin API's {@code /v1/config} shows.
     */
    public List<MarathonApp> marathonApps() {
        return marathonApps;
    }

    public MarathonSettings settings() {
        return settings;
    }

    /** How things stand now; cheap, callable from any thread. */
    public MarathonStatus status() {
        List<MarathonStatus.EndpointHealth> health = new ArrayList<>(endpoints.size());
        for (Endpoint e : endpoints) {
            health.add(new MarathonStatus.EndpointHealth(e.shown, e.healthy, e.message, e.lastChecked,
                    e.pingFailures.sum()));
        }
        Endpoint a = active;
        Stream s = stream;
        boolean connected = s != null && s.connected;
        return new MarathonStatus(health, a == null ? null : a.shown, connected, connected ? s.shownUrl() : null,
                lastSyncSuccess, lastSyncAttempt, lastSyncError, lastResyncDuration, current.version(),
                resyncs.sum(), syncFailures.snapshot(), eventsByType.snapshot(), malformedEvents.sum(),
                streamsOpened.sum(), streamFailures.snapshot(), syncInFlightSince, unexpectedErrors.sum());
    }

    /**
     * Why the routes may be stale (no sync yet, the last one failed, one stuck past its deadline),
     * or {@code null} when the last sync succeeded; for {@code /v1/health}.
     */
    public String syncProblem() {
        return status().syncProblem(clock.instant(), syncDeadline());
    }

    /** Stops following Marathon; waits briefly for work in progress. Idempotent. */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor ex;
        AsyncHttpClient client;
        EventLoopGroup group;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            ex = executor;
            client = http;
            group = ioGroup;
        }
        if (ex != null) {
            post(() -> {
                Stream s = stream;
                stream = null;
                if (s != null) {
                    s.cancel();
                }
            });
            ex.shutdown();
            // From the listener itself (the executor thread), waiting for ourselves would only time out.
            if (Thread.currentThread() != executorThread) {
                try {
                    if (!ex.awaitTermination(5, TimeUnit.SECONDS)) {
                        log.warn("Marathon source did not stop within 5 s");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            ex.shutdownNow();
        }
        if (client != null) {
            try {
                // Closes the client's connections while its event loop still runs ...
                client.close();
            } catch (IOException | RuntimeException e) {
                log.debug("Closing the Marathon HTTP client", e);
            }
        }
        if (group != null) {
            // ... and only then stops the loop, which the client does not own.
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }

    /**
     * For tests: whether no sync is in flight or pending, read on the executor thread so that it
     * sees the executor's own state.
     */
    boolean idle() throws Exception {
        return executor.submit(() -> !syncInFlight && !resyncPending.get()).get(5, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------- resync

    private boolean requestResync(String reason) {
        ScheduledThreadPoolExecutor ex = executor;
        if (closed || ex == null || !resyncPending.compareAndSet(false, true)) {
            return false;
        }
        log.debug("Resync requested: {}", reason);
        try {
            ex.schedule(safely(this::maybeStartSync), settings.coalesceDelay().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Starts the pending sync unless one is in flight; the one in flight starts it when done.
     *
     * <p>Never wedges: each sync has a generation number and a deadline. Whatever happens to the
     * request (an answer, a failure, an {@code Error} on the I/O thread that never reaches us), the
     * sync ends exactly once, in {@link #syncEnded}, either by its completion or by its deadline;
     * the other one then finds a different generation, or no sync in flight, and is ignored.
     */
    private void maybeStartSync() {
        if (closed || syncInFlight || !resyncPending.compareAndSet(true, false)) {
            return;
        }
        cancel(syncRetry);
        syncRetry = null;
        syncInFlight = true;
        long generation = ++syncGeneration;
        Endpoint ep = active != null ? active : endpoints.get(0);
        // The client's own request timeout normally ends a slow call first; this deadline covers
        // an end that never reaches us. Set first, so that nothing below can leave a sync in
        // flight forever.
        syncDeadline = executor.schedule(safely(() -> syncDeadlinePassed(generation, ep)),
                syncDeadline().toNanos(), TimeUnit.NANOSECONDS);
        long startNanos = System.nanoTime();
        lastSyncAttempt = clock.instant();
        syncInFlightSince = lastSyncAttempt;
        resyncs.increment();
        try {
            RequestBuilder request = get(ep, ep.base + APPS_PATH, settings.requestTimeout())
                    .setHeader(HttpHeaderNames.ACCEPT, "application/json")
                    .setHeader(HttpHeaderNames.ACCEPT_ENCODING, "gzip");
            ListenableFuture<BoundedBody.Answer> call =
                    http.executeRequest(request, new BoundedBody(settings.maxAppsBytes()));
            syncCall = call;
            call.toCompletableFuture()
                    .whenComplete((answer, error) -> post(() -> synced(generation, ep, startNanos, answer, error)));
        } catch (Throwable e) {
            post(() -> synced(generation, ep, startNanos, null, e));
        }
    }

    /** The request timeout plus a margin for reading and parsing the answer. */
    private Duration syncDeadline() {
        return settings.requestTimeout().plus(SYNC_DEADLINE_MARGIN);
    }

    private void syncDeadlinePassed(long generation, Endpoint ep) {
        if (generation != syncGeneration || !syncInFlight) {
            return;
        }
        ListenableFuture<?> call = syncCall;
        try {
            if (call != null) {
                call.cancel(true);
            }
            syncFailed(ep.shown + "/v2/apps", "deadline", "no answer within " + syncDeadline().toMillis()
                    + " ms (marathon_timeout plus " + SYNC_DEADLINE_MARGIN.toMillis() + " ms)");
        } finally {
            syncEnded();
        }
    }

    private void synced(long generation, Endpoint ep, long startNanos, BoundedBody.Answer answer, Throwable error) {
        if (generation != syncGeneration || !syncInFlight) {
            log.debug("Ignoring the late end of sync #{} (now at #{})", generation, syncGeneration);
            return;
        }
        String where = ep.shown + "/v2/apps";
        try {
            if (closed) {
                return;
            }
            if (error != null) {
                Throwable cause = unwrap(error);
                syncFailed(where, failureCause(cause), describe(cause));
            } else if (answer.tooLarge()) {
                syncFailed(where, "too_large", "answer larger than " + settings.maxAppsBytes()
                        + " bytes (aborted after " + answer.received() + ")");
            } else if (answer.status() != 200) {
                syncFailed(where, "http_" + answer.status(), "HTTP " + answer.status()
                        + errorMessage(answer.body()));
            } else {
                List<MarathonApp> parsed = null;
                try {
                    parsed = MarathonApps.parse(answer.body());
                } catch (MarathonFormatException e) {
                    syncFailed(where, "parse", e.getMessage());
                }
                if (parsed != null) {
                    synced(ep, parsed, startNanos);
                }
            }
        } catch (Throwable t) {
            // Running out of heap while parsing a huge answer lands here, as does any bug: the
            // sync counts as failed and is retried, and the loop goes on.
            unexpected("sync from " + ep.shown, t);
            syncFailed(where, "error", describe(t));
        } finally {
            syncEnded();
        }
    }

    /** The bookkeeping every end of a sync does, then the next sync if one is pending. */
    private void syncEnded() {
        syncInFlight = false;
        syncInFlightSince = null;
        syncCall = null;
        cancel(syncDeadline);
        syncDeadline = null;
        maybeStartSync();
    }

    private void synced(Endpoint ep, List<MarathonApp> parsed, long startNanos) {
        List<App> routed = AppRoutes.apps(parsed, settings.routeOptions());
        marathonApps = parsed;
        if (lastSyncProblem != null) {
            log.info("Marathon sync from {} works again", ep.shown);
            lastSyncProblem = null;
        }
        syncRetryNanos = settings.syncRetryMin().toNanos();
        if (!published || !routed.equals(apps)) {
            publish(ep, routed);
        } else {
            log.debug("Marathon sync from {}: routes unchanged (v{})", ep.shown, current.version());
        }
        lastSyncError = null;
        lastSyncSuccess = clock.instant();
        lastResyncDuration = Duration.ofNanos(System.nanoTime() - startNanos);
        firstSync.countDown();
    }

    private void publish(Endpoint ep, List<App> routed) {
        RouteTable before = current;
        RouteTable table = AppRoutes.toTable(routed, before.version() + 1);
        if (!published) {
            log.info("Marathon {} synced: {} apps, {} routes (v{})", ep.shown, routed.size(), table.routes().size(),
                    table.version());
        } else {
            RouteTableDiff diff = RouteTableDiff.between(before, table);
            log.info("Marathon {} changed: routes v{} -> v{}: {}{}", ep.shown, before.version(), table.version(),
                    diff, AppsFileSource.details(diff));
        }
        // Recorded before the listener runs: a listener that throws is a bug to log, not a reason
        // to publish the same table again on the next sync.
        published = true;
        current = table;
        apps = routed;
        try {
            listener.accept(table);
        } catch (Throwable t) {
            unexpected("the route table listener on v" + table.version(), t);
        }
    }

    private void syncFailed(String where, String cause, String message) {
        syncFailures.increment(cause);
        lastSyncError = message;
        if (!message.equals(lastSyncProblem)) {
            lastSyncProblem = message;
            log.warn("Marathon sync from {} failed, keeping routes v{}: {}", where, current.version(), message);
        } else {
            log.debug("Marathon sync from {} still failing: {}", where, message);
        }
        long delay = jitter(syncRetryNanos);
        syncRetryNanos = Math.min(syncRetryNanos * 2, settings.syncRetryMax().toNanos());
        cancel(syncRetry);
        if (!closed) {
            syncRetry = executor.schedule(safely(() -> requestResync("retry")), delay, TimeUnit.NANOSECONDS);
        }
    }

    // ---------------------------------------------------------------- stream

    private void openStream() {
        reconnect = null;
        if (closed || stream != null) {
            return;
        }
        Stream s = new Stream(++streamIds, active);
        stream = s;
        streamsOpened.increment();
        s.connect(s.endpoint.base + EVENTS_PATH);
    }

    private void streamOpened(Stream s) {
        if (s != stream || closed) {
            return;
        }
        s.connected = true;
        if (lastStreamProblem != null) {
            log.info("Event stream from {} open again", s.shownUrl());
            lastStreamProblem = null;
        } else {
            log.info("Event stream from {} open", s.shownUrl());
        }
        // What changed while no stream was open is only in /v2/apps.
        requestResync("stream attached");
    }

    private void streamEvent(Stream s, String type, String data) {
        if (s != stream || closed) {
            return;
        }
        MarathonEvents.Event event = MarathonEvents.classify(type, data);
        eventsByType.increment(event.type());
        boolean first = !s.sawEvent;
        s.sawEvent = true;
        if (event.malformed()) {
            malformedEvents.increment();
            if (warnedMalformed.add(event.type())) {
                log.warn("Malformed Marathon event {} from {} (resyncing; later ones of this type are logged at"
                        + " DEBUG): {}", event.type(), s.shownUrl(), event.problem());
            } else {
                log.debug("Malformed Marathon event {}: {}", event.type(), event.problem());
            }
            requestResync("malformed event");
            return;
        }
        if (!event.known() && loggedUnknown.add(event.type())) {
            log.info("Marathon sent an event of unknown type {}; resyncing on it", event.type());
        }
        if (MarathonEvents.ATTACHED.equals(event.type())) {
            // Our own attachment is the stream's first event: the subscription is live now, so
            // resync once more. Other clients attaching change nothing.
            if (first) {
                requestResync("attached");
            }
            return;
        }
        if (event.resync()) {
            requestResync(event.type());
        }
    }

    private void oversizedEvent(Stream s, long bytes) {
        if (s != stream || closed) {
            return;
        }
        malformedEvents.increment();
        eventsByType.increment(MarathonEvents.UNNAMED);
        log.warn("Skipped a Marathon event of {} bytes from {} (larger than {} bytes); resyncing", bytes,
                s.shownUrl(), SseParser.DEFAULT_MAX_EVENT_BYTES);
        requestResync("oversized event");
    }

    private void streamEnded(Stream s, Outcome outcome) {
        if (s != stream || closed) {
            return;
        }
        s.connected = false;
        if (outcome.location != null) {
            follow(s, outcome.location);
            return;
        }
        streamDown(s, outcome.cause, outcome.message);
    }

    /** Follows a redirect ourselves: the HTTP client would drop the credentials on another host. */
    private void follow(Stream s, String location) {
        URI next;
        try {
            next = URI.create(s.url).resolve(location.strip());
        } catch (IllegalArgumentException e) {
            streamDown(s, "redirects", "redirect to an invalid Location " + excerpt(location));
            return;
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || next.getHost() == null) {
            streamDown(s, "redirects", "redirect to a Location that is not an http(s) URL: " + excerpt(location));
            return;
        }
        if (s.hops >= settings.maxRedirects()) {
            streamDown(s, "redirects", "more than " + settings.maxRedirects() + " redirects, the last to "
                    + PacerConfig.masked(next));
            return;
        }
        s.hops++;
        log.info("Event stream from {} redirects to {} (the leader, if that was a standby); following with the"
                + " same credentials", s.shownUrl(), PacerConfig.masked(next));
        s.connect(next.toString());
    }

    private void streamDown(Stream s, String cause, String message) {
        streamFailures.increment(cause);
        stream = null;
        s.cancel();
        long delay = nextReconnectDelay(s.delivered);
        // Rate-limited by cause: the message of a repeating failure often differs in a number.
        String problem = cause;
        if ("closed".equals(cause)) {
            log.info("Marathon closed the event stream from {}; reopening in {} ms", s.shownUrl(),
                    TimeUnit.NANOSECONDS.toMillis(delay));
        } else if (!problem.equals(lastStreamProblem)) {
            log.warn("Event stream from {} failed: {}; reopening in {} ms (retrying quietly while this lasts)",
                    s.shownUrl(), message, TimeUnit.NANOSECONDS.toMillis(delay));
        } else {
            log.debug("Event stream from {} failed again: {}", s.shownUrl(), message);
        }
        lastStreamProblem = "closed".equals(cause) ? lastStreamProblem : problem;
        cancel(reconnect);
        reconnect = executor.schedule(safely(this::openStream), delay, TimeUnit.NANOSECONDS);
    }

    private long nextReconnectDelay(boolean deliveredData) {
        if (deliveredData) {
            reconnectDelayNanos = settings.reconnectMin().toNanos();
        }
        long delay = jitter(reconnectDelayNanos);
        reconnectDelayNanos = Math.min(reconnectDelayNanos * 2, settings.reconnectMax().toNanos());
        return delay;
    }

    private void watchdog() {
        Stream s = stream;
        if (s == null || closed) {
            return;
        }
        long silentNanos = System.nanoTime() - s.lastActivity;
        if (silentNanos > settings.streamWatchdog().toNanos()) {
            streamDown(s, "watchdog", "silent for " + TimeUnit.NANOSECONDS.toMillis(silentNanos)
                    + " ms (stream_watchdog " + settings.streamWatchdog().toMillis() + " ms)");
        }
    }

    // ---------------------------------------------------------------- endpoints

    private void pingAll() {
        if (closed) {
            return;
        }
        for (Endpoint ep : endpoints) {
            if (ep.pinging) {
                continue;
            }
            ep.pinging = true;
            try {
                http.executeRequest(get(ep, ep.base + PING_PATH, settings.pingTimeout())).toCompletableFuture()
                        .whenComplete((response, error) -> post(() -> pinged(ep, response, error)));
            } catch (RuntimeException e) {
                pinged(ep, null, e);
            }
        }
    }

    private void pinged(Endpoint ep, Response response, Throwable error) {
        ep.pinging = false;
        if (closed) {
            return;
        }
        boolean ok = error == null && response.getStatusCode() == 200;
        String message = ok ? "OK"
                : error != null ? describe(unwrap(error))
                : "HTTP " + response.getStatusCode() + " on /ping" + errorMessage(response);
        ep.lastChecked = clock.instant();
        if (!ok) {
            ep.pingFailures.increment();
        }
        boolean was = ep.healthy;
        ep.message = message;
        ep.healthy = ok;
        if (was && !ok) {
            log.warn("Marathon {} is unhealthy: {}", ep.shown, message);
        } else if (!was && ok) {
            log.info("Marathon {} is healthy again", ep.shown);
        }
        chooseEndpoint();
    }

    /** Moves to the first healthy endpoint in list order; with none healthy, stays where it is. */
    private void chooseEndpoint() {
        Endpoint preferred = null;
        for (Endpoint ep : endpoints) {
            if (ep.healthy) {
                preferred = ep;
                break;
            }
        }
        if (preferred == null || preferred == active) {
            return;
        }
        log.info("Using Marathon {} instead of {}", preferred.shown, active == null ? "none" : active.shown);
        active = preferred;
        Stream s = stream;
        stream = null;
        if (s != null) {
            s.cancel();
        }
        cancel(reconnect);
        reconnectDelayNanos = settings.reconnectMin().toNanos();
        openStream();
        requestResync("endpoint change");
    }

    // ---------------------------------------------------------------- HTTP

    /**
     * The HTTP client's one I/O thread. Owned here rather than by the client, because a client
     * that owns its loop stops it before closing its connections, and Netty then logs an error for
     * each connection still open. The client recognizes only this (deprecated) class as NIO.
     */
    @SuppressWarnings("deprecation")
    private static EventLoopGroup ioGroup() {
        return new NioEventLoopGroup(1, new DefaultThreadFactory(THREAD_NAME + "-io", true));
    }

    private static DefaultAsyncHttpClientConfig httpConfig(MarathonSettings settings, EventLoopGroup ioGroup) {
        return new DefaultAsyncHttpClientConfig.Builder()
                .setThreadPoolName(THREAD_NAME + "-io")
                .setThreadFactory(new DefaultThreadFactory(THREAD_NAME + "-timer", true))
                .setEventLoopGroup(ioGroup)
                // Redirects are followed by hand, credentials included; a failed call is not
                // silently repeated: the caller decides (and counts) retries.
                .setFollowRedirect(false)
                .setMaxRequestRetry(0)
                .setConnectTimeout(min(settings.requestTimeout(), settings.pingTimeout()))
                .setRequestTimeout(settings.requestTimeout())
                .setReadTimeout(settings.requestTimeout())
                .setPooledConnectionIdleTimeout(Duration.ofSeconds(30))
                .setKeepAlive(true)
                .setUserAgent("pacer")
                .setShutdownQuietPeriod(Duration.ZERO)
                .setShutdownTimeout(Duration.ofSeconds(2))
                .build();
    }

    /** A GET carrying the endpoint's credentials; {@code timeout} bounds the whole exchange. */
    private static RequestBuilder get(Endpoint ep, String url, Duration timeout) {
        RequestBuilder b = Dsl.get(url).setFollowRedirect(false).setRequestTimeout(timeout).setReadTimeout(timeout);
        if (ep.authorization != null) {
            b.setHeader(HttpHeaderNames.AUTHORIZATION, ep.authorization);
        }
        return b;
    }

    /** Runs {@code task} on the executor; dropped once closed. */
    private void post(Runnable task) {
        ScheduledThreadPoolExecutor ex = executor;
        if (ex == null) {
            return;
        }
        try {
            ex.execute(safely(task));
        } catch (RejectedExecutionException e) {
            // Closed: nothing to do any more.
        }
    }

    /**
     * Keeps one failure, an {@code Error} included, from cancelling a periodic task forever or
     * vanishing into a future nobody reads.
     */
    private Runnable safely(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                unexpected("a discovery task", t);
            }
        };
    }

    /** Logs and counts a failure of our own; the caller carries on. */
    private void unexpected(String where, Throwable t) {
        unexpectedErrors.increment();
        log.error("Marathon source: unexpected {} in {}; carrying on", t.getClass().getSimpleName(), where, t);
    }

    private static void cancel(Future<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    /** Between half and all of {@code nanos}, so that many proxies do not reconnect in step. */
    private static long jitter(long nanos) {
        return nanos / 2 + ThreadLocalRandom.current().nextLong(nanos / 2 + 1);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String failureCause(Throwable t) {
        if (t instanceof TimeoutException) {
            return "timeout";
        }
        if (t instanceof ConnectException) {
            return "connect";
        }
        return "io";
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return t.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + excerpt(message));
    }

    /** {@code ": <message>"} of an error answer (Marathon's {@code {"message": ...}} or the text), or "". */
    private static String errorMessage(Response response) {
        try {
            return errorMessage(response.getResponseBodyAsBytes());
        } catch (RuntimeException e) {
            return "";
        }
    }

    private static String errorMessage(byte[] bytes) {
        String body = bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null && node.isObject() && node.path("message").isTextual()) {
                return ": " + excerpt(node.get("message").textValue());
            }
        } catch (IOException e) {
            // Not JSON: show the text.
        }
        return ": " + excerpt(body);
    }

    private static String excerpt(String text) {
        String flat = text.strip().replaceAll("\\s+", " ");
        return flat.length() <= EXCERPT_CHARS ? flat : flat.substring(0, EXCERPT_CHARS) + "...";
    }

    // ---------------------------------------------------------------- parts

    /** One configured Marathon. Health is written on the executor thread, read by {@link #status()}. */
    private static final class Endpoint {
        final String base;
        final String shown;
        final String authorization;
        final LongAdder pingFailures = new LongAdder();
        volatile boolean healthy = true;
        volatile String message = "not checked yet";
        volatile Instant lastChecked;
        boolean pinging;

        private Endpoint(String base, String authorization) {
            this.base = base;
            this.shown = base;
            this.authorization = authorization;
        }

        /** User info in the URL wins over the global credentials, as it would for Nixy's HTTP client. */
        static Endpoint of(URI url, String user, String pass) {
            String userInfo = url.getUserInfo();
            if (userInfo != null) {
                int colon = userInfo.indexOf(':');
                user = colon < 0 ? userInfo : userInfo.substring(0, colon);
                pass = colon < 0 ? null : userInfo.substring(colon + 1);
            }
            String authorization = user == null || user.isEmpty() ? null
                    : "Basic " + Base64.getEncoder().encodeToString(
                            (user + ":" + (pass == null ? "" : pass)).getBytes(StandardCharsets.UTF_8));
            String port = url.getPort() < 0 ? "" : ":" + url.getPort();
            String path = url.getRawPath() == null ? "" : url.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String base = url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getHost() + port + path;
            return new Endpoint(base, authorization);
        }
    }

    /** How one hop of a stream ended: a redirect to follow, or a cause and message. */
    private record Outcome(String location, String cause, String message) {
        static Outcome redirect(String location) {
            return new Outcome(location, null, null);
        }

        static Outcome failed(String cause, String message) {
            return new Outcome(null, cause, message);
        }
    }

    /** One event stream, across the redirects of one attempt. */
    private final class Stream {
        final long id;
        final Endpoint endpoint;
        volatile String url;
        volatile long lastActivity;
        volatile boolean connected;
        volatile boolean delivered;
        volatile boolean cancelled;
        volatile ListenableFuture<Void> future;
        int hops;
        boolean sawEvent;

        Stream(long id, Endpoint endpoint) {
            this.id = id;
            this.endpoint = endpoint;
        }

        String shownUrl() {
            return PacerConfig.masked(URI.create(url));
        }

        void touch() {
            lastActivity = System.nanoTime();
        }

        /** Sends one hop's request; on the executor thread. */
        void connect(String target) {
            url = target;
            touch();
            // No timeouts of the client's own: the stream lives until it ends, and the watchdog
            // decides when it has been silent too long.
            RequestBuilder request = get(endpoint, target, Duration.ofMillis(-1))
                    .setHeader(HttpHeaderNames.ACCEPT, EVENT_STREAM);
            StreamHandler handler = new StreamHandler(this);
            try {
                future = http.executeRequest(request, handler);
            } catch (RuntimeException e) {
                handler.finish(Outcome.failed("io", describe(e)));
            }
        }

        /** Drops the stream; its handler's later callbacks find it stale. */
        void cancel() {
            cancelled = true;
            ListenableFuture<Void> f = future;
            if (f != null && !f.isDone()) {
                f.cancel(true);
            }
        }

        @Override
        public String toString() {
            return "stream#" + id;
        }
    }

    /**
     * Reads one hop of a stream on the HTTP client's I/O thread: splits it into events and hands
     * each to the executor. Nothing heavy happens here.
     */
    private final class StreamHandler implements AsyncHandler<Void>, SseParser.Listener {
        private final Stream stream;
        private final SseParser parser = new SseParser(this);
        private final AtomicBoolean ended = new AtomicBoolean();
        private int status;

        StreamHandler(Stream stream) {
            this.stream = stream;
        }

        @Override
        public State onStatusReceived(HttpResponseStatus responseStatus) {
            if (stream.cancelled) {
                return State.ABORT;
            }
            status = responseStatus.getStatusCode();
            stream.touch();
            return State.CONTINUE;
        }

        @Override
        public State onHeadersReceived(HttpHeaders headers) {
            if (stream.cancelled) {
                return State.ABORT;
            }
            if (status == 200) {
                post(() -> streamOpened(stream));
                return State.CONTINUE;
            }
            if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                String location = headers.get(HttpHeaderNames.LOCATION);
                finish(location == null || location.isBlank()
                        ? Outcome.failed("redirects", "HTTP " + status + " without a Location")
                        : Outcome.redirect(location));
                return State.ABORT;
            }
            finish(Outcome.failed("http_" + status, "HTTP " + status
                    + (status == 405 ? " (Marathon wants Accept: " + EVENT_STREAM + ")" : "")));
            return State.ABORT;
        }

        @Override
        public State onBodyPartReceived(HttpResponseBodyPart part) {
            if (stream.cancelled) {
                return State.ABORT;
            }
            stream.touch();
            if (part.length() > 0) {
                stream.delivered = true;
                parser.feed(part.getBodyPartBytes());
            }
            return State.CONTINUE;
        }

        @Override
        public void onThrowable(Throwable t) {
            Throwable cause = unwrap(t);
            if (cause instanceof CancellationException) {
                finish(Outcome.failed("cancelled", "cancelled"));
            } else {
                finish(Outcome.failed(failureCause(cause), describe(cause)));
            }
        }

        @Override
        public Void onCompleted() {
            parser.end();
            finish(Outcome.failed("closed", "closed by Marathon"));
            return null;
        }

        @Override
        public void onEvent(String type, String data) {
            post(() -> streamEvent(stream, type, data));
        }

        @Override
        public void onOversizedEvent(long bytes) {
            post(() -> oversizedEvent(stream, bytes));
        }

        void finish(Outcome outcome) {
            if (ended.compareAndSet(false, true)) {
                post(() -> streamEnded(stream, outcome));
            }
        }
    }

    /** Counts by name, with a bound on how many names are kept. */
    private static final class Counters {
        private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

        void increment(String key) {
            LongAdder adder = counts.get(key);
            if (adder == null) {
                adder = counts.computeIfAbsent(counts.size() >= MAX_COUNTED_KEYS ? OTHER : key, k -> new LongAdder());
            }
            adder.increment();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> out = new TreeMap<>();
            counts.forEach((k, v) -> out.put(k, v.sum()));
            return out;
        }
    }
}
