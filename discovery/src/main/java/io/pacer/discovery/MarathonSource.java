package io.pacer.discovery;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.RouteTableDiff;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves routes from a live Marathon, publishing a new {@link RouteTable} to the listener when, and
 * only when, the routes changed. Publishing mirrors {@link AppsFileSource}: versions count up from
 * 1, each change is logged as one INFO line with its diff, and whatever goes wrong (Marathon
 * unreachable, an error status, a body that does not parse, an {@code Error} of our own) keeps the
 * last good table in force.
 *
 * <p>It wires parts that each have one role:
 * <ul>
 *   <li>{@link MarathonClient}: the HTTP client, credentials on every call, redirects;</li>
 *   <li>{@link EndpointFailover}: which Marathon to use, from every endpoint's {@code /ping};</li>
 *   <li>{@link EventStream}: {@code /v2/events}, reopened when it ends or falls silent;</li>
 *   <li>{@link SyncLoop}: {@code /v2/apps}, collapsed, retried, never wedged;</li>
 *   <li>this class: what an event means ({@link MarathonEvents}), and turning Marathon's apps into
 *   the table ({@link #publish}, the one place where that happens).</li>
 * </ul>
 *
 * <p>Threading: the HTTP client's I/O thread splits the stream into events and reads a
 * {@code /v2/apps} answer into apps as it arrives; everything else (state, applying events, building
 * and publishing the table) runs on one thread, {@value #THREAD_NAME} (a {@link DiscoveryLoop}),
 * which is also where the listener is called.
 */
public final class MarathonSource implements AutoCloseable {

    public static final String THREAD_NAME = "pacer-marathon";
    /** Changes kept for replay on top of one full sync; past this, another full sync follows. */
    private static final int MAX_REPLAY = 100_000;
    /** How long the first full read waits for the event stream to attach. */
    static final Duration FIRST_SYNC_WITHOUT_STREAM = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(MarathonSource.class);

    private final MarathonSettings settings;
    private final Consumer<RouteTable> listener;
    private final Clock clock;
    private final List<MarathonEndpoint> endpoints;

    // Set once by start(); volatile because status() and requestResync() read them from any thread.
    private volatile DiscoveryLoop loop;
    private volatile MarathonClient client;
    private volatile EndpointFailover failover;
    private volatile EventStream stream;
    private volatile SyncLoop sync;
    private volatile boolean started;
    private volatile boolean closed;

    private final CountDownLatch firstSync = new CountDownLatch(1);

    // Written on the loop only; volatile where status() and the admin API read them.
    private boolean published;
    private final Set<String> warnedMalformed = new HashSet<>();
    private final Set<String> loggedUnknown = new HashSet<>();
    private volatile RouteTable current = RouteTable.empty();
    private volatile List<App> apps = List.of();
    private volatile List<MarathonApp> marathonApps = List.of();
    private final LongAdder malformedEvents = new LongAdder();
    private final AppsModel model = new AppsModel();
    /** Keeps routed tasks through a leader election, when Marathon lists no health results. */
    private final ElectionGuard electionGuard = new ElectionGuard();
    /** The routed view of the model's apps of the realm, by id, in Marathon's order. */
    private Map<String, App> routed = new LinkedHashMap<>();
    private boolean modelLoaded;
    private final List<Runnable> replay = new ArrayList<>();
    private boolean replayOverflowed;
    /** Counts stream (re)attachments; a drift check needs the stream attached since the last full sync. */
    private long streamEpoch;
    private long epochOfLastFullSync = -1;
    private final LongAdder drifts = new LongAdder();
    private final LongAdder driftedApps = new LongAdder();
    private final Counters eventsByType = new Counters();

    public MarathonSource(MarathonSettings settings, Consumer<RouteTable> listener) {
        this(settings, listener, Clock.systemUTC());
    }

    /** @param clock what status timestamps are read from; intervals use {@link System#nanoTime()} */
    public MarathonSource(MarathonSettings settings, Consumer<RouteTable> listener, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.clock = Objects.requireNonNull(clock, "clock");
        List<MarathonEndpoint> list = new ArrayList<>();
        for (URI url : settings.endpoints()) {
            list.add(MarathonEndpoint.of(url, settings.user(), settings.pass()));
        }
        this.endpoints = List.copyOf(list);
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
        loop = new DiscoveryLoop(THREAD_NAME);
        client = new MarathonClient(THREAD_NAME, settings.requestTimeout(),
                min(settings.requestTimeout(), settings.pingTimeout()));
        stream = new EventStream(client, loop, settings, new StreamEvents());
        sync = new SyncLoop(client, loop, settings, clock, () -> failover.active(), new SyncLoop.Listener() {
            @Override
            public void synced(MarathonEndpoint endpoint, List<MarathonApp> apps, long startNanos) {
                MarathonSource.this.synced(endpoint, apps, startNanos);
            }

            @Override
            public void appSynced(MarathonEndpoint endpoint, String appId, MarathonApp app) {
                MarathonSource.this.appSynced(endpoint, appId, app);
            }
        });
        failover = new EndpointFailover(endpoints, client, loop, settings.pingTimeout(), clock, ep -> {
            stream.openOn(ep);
            sync.request("endpoint change");
        });
        log.info("Following Marathon at {}", endpoints.stream().map(e -> e.base).toList());
        loop.post(() -> stream.openOn(failover.active()));
        // The first full read waits for the stream to attach (StreamEvents.opened), so that it
        // covers everything after the subscription: reading first and again on attaching cost
        // Marathon two full reads per Pacer start (16.6 MB each at 10,000 apps). Should the
        // stream not open soon, the read starts anyway.
        loop.schedule(() -> {
            if (sync.syncs() == 0) {
                sync.request("start");
            }
        }, FIRST_SYNC_WITHOUT_STREAM.toNanos());
        loop.every(failover::pingAll, 0, settings.pingInterval());
        long watchdogPeriod = Math.max(TimeUnit.MILLISECONDS.toNanos(20),
                Math.min(TimeUnit.SECONDS.toNanos(1), settings.streamWatchdog().toNanos() / 4));
        loop.every(stream::watchdog, watchdogPeriod, Duration.ofNanos(watchdogPeriod));
        if (!settings.resyncInterval().isZero()) {
            loop.every(() -> sync.request("periodic"), settings.resyncInterval().toNanos(),
                    settings.resyncInterval());
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
        SyncLoop s = sync;
        return !closed && s != null && s.request("requested");
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
        EndpointFailover f = failover;
        EventStream es = stream;
        SyncLoop s = sync;
        DiscoveryLoop l = loop;
        List<MarathonStatus.EndpointHealth> health = new ArrayList<>(endpoints.size());
        if (f == null) {
            for (MarathonEndpoint e : endpoints) {
                health.add(e.health());
            }
        } else {
            health = f.health();
        }
        String streamUrl = es == null ? null : es.shownUrl();
        boolean connected = streamUrl != null;
        return new MarathonStatus(health, f == null ? null : f.active().base, connected, streamUrl,
                s == null ? null : s.lastSuccess(), s == null ? null : s.lastAttempt(),
                s == null ? null : s.lastError(), s == null ? null : s.lastDuration(), current.version(),
                s == null ? 0 : s.syncs(), s == null ? Map.of() : s.failures().snapshot(),
                eventsByType.snapshot(), malformedEvents.sum(),
                es == null ? 0 : es.streamsOpened(), es == null ? Map.of() : es.failures().snapshot(),
                s == null ? null : s.inFlightSince(), l == null ? 0 : l.unexpectedErrors(),
                s == null ? 0 : s.appReads(), drifts.sum(), driftedApps.sum());
    }

    /**
     * Why the routes may be stale (no sync yet, the last one failed, one stuck past its deadline),
     * or {@code null} when the last sync succeeded; for {@code /v1/health}.
     */
    public String syncProblem() {
        SyncLoop s = sync;
        Duration deadline = s == null ? settings.requestTimeout().plus(SyncLoop.DEADLINE_MARGIN) : s.deadline();
        return status().syncProblem(clock.instant(), deadline);
    }

    /** Stops following Marathon; waits briefly for work in progress. Idempotent. */
    @Override
    public void close() {
        DiscoveryLoop l;
        MarathonClient c;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            l = loop;
            c = client;
        }
        if (l != null) {
            EventStream s = stream;
            l.close(s::close);
        }
        if (c != null) {
            c.close();
        }
    }

    /**
     * For tests: whether no sync is in flight or pending, read on the loop so that it sees the
     * loop's own state.
     */
    boolean idle() throws Exception {
        return loop.call(() -> sync.idle(), Duration.ofSeconds(5));
    }

    // ---------------------------------------------------------------- events

    /** What the event stream's events mean; on the loop. */
    private final class StreamEvents implements EventStream.Listener {
        @Override
        public void opened(String shownUrl) {
            // What changed while no stream was open is only in /v2/apps; and until the next full
            // sync, the model is not the incremental one a drift check compares.
            streamEpoch++;
            sync.request("stream attached");
        }

        @Override
        public void event(String type, String data, boolean first, String shownUrl) {
            MarathonEvents.Event event = MarathonEvents.classify(type, data);
            eventsByType.increment(event.type());
            if (event.malformed()) {
                malformedEvents.increment();
                if (warnedMalformed.add(event.type())) {
                    log.warn("Malformed Marathon event {} from {} (resyncing; later ones of this type are logged at"
                            + " DEBUG): {}", event.type(), shownUrl, event.problem());
                } else {
                    log.debug("Malformed Marathon event {}: {}", event.type(), event.problem());
                }
                sync.request("malformed event");
                return;
            }
            if (!event.known() && loggedUnknown.add(event.type())) {
                log.info("Marathon sent an event of unknown type {}; resyncing on it", event.type());
            }
            if (MarathonEvents.ATTACHED.equals(event.type())) {
                // Our own attachment is the stream's first event: the subscription is live now, so
                // resync once more. Other clients attaching change nothing.
                if (first) {
                    sync.request("attached");
                }
                return;
            }
            if (event.resync()) {
                apply(ModelChange.of(event, data));
            }
        }

        @Override
        public void oversized(long bytes, String shownUrl) {
            malformedEvents.increment();
            eventsByType.increment(MarathonEvents.UNNAMED);
            log.warn("Skipped a Marathon event of {} bytes from {} (larger than {} bytes); resyncing", bytes,
                    shownUrl, SseParser.DEFAULT_MAX_EVENT_BYTES);
            sync.request("oversized event");
        }
    }

    // ---------------------------------------------------------------- the model

    /**
     * Applies what one event asks: a task change in place, an app read again or removed, or a
     * full sync. Changes applied while a full sync is in flight are kept to be applied again on
     * top of its answer, which may predate them.
     */
    private void apply(ModelChange change) {
        if (change instanceof ModelChange.None) {
            return;
        }
        if (change instanceof ModelChange.Resync r) {
            sync.request(r.why());
            return;
        }
        // Before the first full read has landed, or while one is in flight, its answer may
        // predate this event: the event is applied again on top of it.
        remember(() -> applyToModel(change));
        if (modelLoaded && applyToModel(change)) {
            publish(failover.active());
        }
    }

    /**
     * Applies one change to the model, asking for app reads where the model cannot tell.
     *
     * @return whether the model changed
     */
    private boolean applyToModel(ModelChange change) {
        if (change instanceof ModelChange.FetchApps f) {
            f.appIds().forEach(sync::requestApp);
            return false;
        }
        if (change instanceof ModelChange.RemoveApp r) {
            boolean had = model.contains(r.appId());
            model.remove(r.appId());
            return had;
        }
        AppsModel.Outcome outcome = model.apply(change);
        if (outcome == AppsModel.Outcome.FETCH_APP) {
            sync.requestApp(AppsModel.appOf(change));
        }
        return outcome == AppsModel.Outcome.CHANGED;
    }

    /**
     * Keeps a change to apply again after the full sync in flight, or the first one, whose answer
     * may be older than the change.
     */
    private void remember(Runnable change) {
        if (modelLoaded && !sync.fullInFlight()) {
            return;
        }
        if (replay.size() >= MAX_REPLAY) {
            replayOverflowed = true;
            return;
        }
        replay.add(change);
    }

    /** A full sync's answer: it replaces the model; changes made meanwhile are applied again. */
    private void synced(MarathonEndpoint ep, List<MarathonApp> parsed, long startNanos) {
        boolean checkDrift = modelLoaded && streamEpoch == epochOfLastFullSync && stream.connected();
        Map<String, App> before = checkDrift ? new LinkedHashMap<>(routed) : null;
        model.replace(parsed);
        modelLoaded = true;
        List<Runnable> changes = List.copyOf(replay);
        replay.clear();
        for (Runnable change : changes) {
            change.run();
        }
        boolean again = replayOverflowed;
        replayOverflowed = false;
        epochOfLastFullSync = streamEpoch;
        publish(ep);
        if (before != null) {
            checkDrift(before);
        }
        firstSync.countDown();
        if (again) {
            sync.request("too many events during the last full sync");
        }
    }

    /** One app read again: it replaces that app, or removes it when Marathon no longer has it. */
    private void appSynced(MarathonEndpoint ep, String appId, MarathonApp app) {
        Runnable change = app == null ? () -> model.remove(appId) : () -> model.put(app);
        remember(change);
        if (!modelLoaded) {
            return;
        }
        change.run();
        publish(ep);
    }

    /**
     * Counts and logs the apps whose routes a full sync found different from what events had
     * made of them: a sign that some event was missed or misread.
     */
    private void checkDrift(Map<String, App> before) {
        Set<String> differing = new LinkedHashSet<>();
        for (Map.Entry<String, App> e : before.entrySet()) {
            if (!e.getValue().equals(routed.get(e.getKey()))) {
                differing.add(e.getKey());
            }
        }
        for (String id : routed.keySet()) {
            if (!before.containsKey(id)) {
                differing.add(id);
            }
        }
        if (differing.isEmpty()) {
            return;
        }
        drifts.increment();
        driftedApps.add(differing.size());
        log.warn("Marathon full sync disagreed with the event-built routes of {} app(s), now corrected: {}",
                differing.size(), differing.stream().limit(5).toList());
    }

    // ---------------------------------------------------------------- publishing

    /**
     * The one place where Marathon's apps become the route table: the apps changed since the
     * last call are routed again by {@link AppRoutes} (all of them after a full sync, whose order
     * may settle prefix conflicts differently) through the {@link ElectionGuard}, which keeps a
     * task the table in force routes while Marathon lists it with no health result, as a new
     * leader does for a while; a table is published only when the routes changed.
     */
    private void publish(MarathonEndpoint ep) {
        AppsModel.Changes changes = model.takeChanged();
        marathonApps = model.snapshot();
        boolean changed;
        // The routes of the changed apps before and after, for the log line: diffing only these
        // keeps an event's cost from growing with the number of apps.
        List<App> was = new ArrayList<>();
        List<App> now = new ArrayList<>();
        if (changes.reordered()) {
            Map<String, App> next = new LinkedHashMap<>();
            for (App app : electionGuard.routedApps(marathonApps, settings.routeOptions(), current)) {
                next.put(app.id(), app);
            }
            changed = !next.equals(routed) || !List.copyOf(next.keySet()).equals(List.copyOf(routed.keySet()));
            routed = next;
        } else {
            changed = false;
            List<MarathonApp> toRoute = new ArrayList<>();
            for (String id : changes.appIds()) {
                App before = routed.get(id);
                if (before != null) {
                    was.add(before);
                }
                MarathonApp app = model.get(id);
                if (app != null) {
                    toRoute.add(app);
                }
            }
            // The guard needs only these apps' tasks in force, not the whole table's.
            RouteTable inForce = RouteTable.builder(current.version()).addAll(was).build();
            Map<String, App> fresh = new HashMap<>();
            for (App app : electionGuard.routedAppsOf(toRoute, settings.routeOptions(), inForce)) {
                fresh.put(app.id(), app);
            }
            for (String id : changes.appIds()) {
                App after = fresh.get(id);
                App before = after == null ? routed.remove(id) : routed.put(id, after);
                if (after != null) {
                    now.add(after);
                }
                changed |= !Objects.equals(before, after);
            }
        }
        if (published && !changed) {
            log.debug("Marathon {}: routes unchanged (v{})", ep.base, current.version());
            return;
        }
        List<App> list = List.copyOf(routed.values());
        RouteTable before = current;
        RouteTable table = AppRoutes.toTable(list, before.version() + 1);
        if (!published) {
            log.info("Marathon {} synced: {} apps, {} routes (v{})", ep.base, list.size(), table.routes().size(),
                    table.version());
        } else {
            RouteTableDiff diff = changes.reordered() ? RouteTableDiff.between(before, table)
                    : RouteTableDiff.between(RouteTable.builder(before.version()).addAll(was).build(),
                            RouteTable.builder(table.version()).addAll(now).build());
            log.info("Marathon {} changed: routes v{} -> v{}: {}{}", ep.base, before.version(), table.version(),
                    diff, AppsFileSource.details(diff));
        }
        // Recorded before the listener runs: a listener that throws is a bug to log, not a reason
        // to publish the same table again on the next sync.
        published = true;
        current = table;
        apps = list;
        try {
            listener.accept(table);
        } catch (Throwable t) {
            loop.unexpected("the route table listener on v" + table.version(), t);
        }
    }


    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
