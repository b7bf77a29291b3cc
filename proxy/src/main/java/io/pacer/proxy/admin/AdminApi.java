package io.pacer.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.core.TaskState;
import io.pacer.core.TaskStates;
import io.pacer.proxy.BuildInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the admin endpoints answer, kept apart from the channel code so it can be tested as a
 * function: Nixy's {@code /}, {@code /v1/health}, {@code /v1/config}, {@code /v1/reload} and
 * {@code /v1/metrics} with Nixy's shapes, and Pacer's {@code /v1/routes}.
 */
public final class AdminApi {

    /** An answer: status, content type, body and any headers of its own ({@code Allow}, {@code WWW-Authenticate}). */
    public record Answer(int status, String contentType, String body, Map<String, String> headers) {
        public Answer {
            headers = Map.copyOf(headers);
        }

        public Answer(int status, String contentType, String body) {
            this(status, contentType, body, Map.of());
        }

        static Answer text(int status, String body) {
            return new Answer(status, "text/plain; charset=utf-8", body);
        }

        static Answer json(int status, String body) {
            return new Answer(status, "application/json", body);
        }

        static Answer methodNotAllowed(String allow) {
            return new Answer(405, "text/plain; charset=utf-8", "method not allowed; use " + allow + "\n",
                    Map.of("Allow", allow));
        }

        static Answer unauthorized(String challenge, String body) {
            return new Answer(401, "text/plain; charset=utf-8", body, Map.of("WWW-Authenticate", challenge));
        }
    }

    /** One Marathon endpoint as the admin API reports it. */
    public record Endpoint(String url, boolean healthy, String message) { }

    /** What discovery tells the admin API; implemented for the apps file and for Marathon. */
    public interface Discovery {
        /** {@code marathon}, {@code apps file <path>} or {@code none}. */
        String source();

        RouteTable table();

        /** Every app known, those without a routable task included. */
        List<App> apps();

        /** Nixy's per-app details (labels, env, health checks ...), by app id; may be empty. */
        Map<String, Map<String, Object>> details();

        List<Endpoint> endpoints();

        /** When the table was last confirmed against the source, or {@code null}. */
        Instant lastSync();

        /**
         * Why the table may be stale (discovery cannot sync), or {@code null} when it is current
         * or there is nothing to sync with.
         */
        default String syncProblem() {
            return null;
        }

        /** Queues a resync; {@code false} when one is already queued. */
        boolean requestResync();
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String xproxy;
    private final String realm;
    private final Discovery discovery;
    private final Supplier<String> metrics;
    private final Supplier<String> notReady;
    private final Clock clock;
    private final TaskStates taskStates;
    private final Dashboard dashboard;
    private volatile long tableVersion = -1;
    private volatile Instant tableSince;

    /**
     * @param notReady why this instance should get no traffic now (no table yet, draining), or
     *     {@code null} when it should: {@code /v1/ready} then answers 503
     */
    public AdminApi(String xproxy, String realm, Discovery discovery, Supplier<String> metrics,
                    Supplier<String> notReady, Clock clock) {
        this(xproxy, realm, discovery, metrics, notReady, clock, (TaskStates) null);
    }

    /**
     * @param taskStates the data plane's memory of each task, shown per task on {@code /v1/routes};
     *     {@code null} for none
     */
    public AdminApi(String xproxy, String realm, Discovery discovery, Supplier<String> metrics,
                    Supplier<String> notReady, Clock clock, TaskStates taskStates) {
        this(xproxy, realm, discovery, metrics, notReady, clock, taskStates, null);
    }

    /** As the other constructors, with the dashboard ({@code /ui/}, {@code /v1/dashboard}); {@code null} for none. */
    public AdminApi(String xproxy, String realm, Discovery discovery, Supplier<String> metrics,
             Supplier<String> notReady, Clock clock, TaskStates taskStates, Dashboard dashboard) {
        this.taskStates = taskStates;
        this.dashboard = dashboard;
        this.xproxy = xproxy;
        this.realm = realm == null ? "" : realm;
        this.discovery = discovery;
        this.metrics = metrics;
        this.notReady = notReady;
        this.clock = clock;
        this.tableSince = clock.instant();
    }

    /**
     * The answer to {@code method} on {@code path}. {@code /v1/reload} changes something and takes
     * {@code POST} only (Nixy took any method, so a crawler or a prefetching browser could queue
     * resyncs); everything else reads and takes {@code GET} and {@code HEAD}. Others get 405 with
     * {@code Allow}.
     */
    public Answer handle(String method, String path) {
        if (path.equals("/v1/reload")) {
            if (!method.equals("POST")) {
                return Answer.methodNotAllowed("POST");
            }
            return new Answer(202, "text/plain; charset=utf-8", discovery.requestResync() ? "queued" : "queue is full");
        }
        Answer answer = read(path);
        if (answer.status() != 404 && !method.equals("GET") && !method.equals("HEAD")) {
            return Answer.methodNotAllowed("GET, HEAD");
        }
        return answer;
    }

    /** The dashboard, whose live events {@link AdminServer} streams; {@code null} when there is none. */
    Dashboard dashboard() {
        return dashboard;
    }

    private Answer read(String path) {
        if (dashboard != null && (path.equals("/ui") || path.startsWith("/ui/"))) {
            return DashboardPage.answer(path);
        }
        switch (path) {
            case "/": {
                BuildInfo build = BuildInfo.CURRENT;
                return Answer.text(200, "version: " + build.version() + "\ncommit: " + build.commit()
                        + "\ndate: " + build.date() + "\n");
            }
            case "/v1/health":
                return health();
            case "/v1/ready":
                return ready();
            case "/v1/config":
                return json(200, config());
            case "/v1/metrics":
            case "/metrics":
                return new Answer(200, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
            case "/v1/routes":
                return json(200, routes());
            case "/v1/dashboard":
                return dashboard == null ? Answer.text(404, "404 page not found\n")
                        : Answer.json(200, dashboard.sampler().next() + "\n");
            default:
                return Answer.text(404, "404 page not found\n");
        }
    }

    /**
     * Whether this instance should get traffic: a table is loaded and it is not draining. 200
     * {@code ready}, else 503 with the reason. Marathon being down does not matter here: the last
     * good table keeps serving.
     */
    private Answer ready() {
        String reason = notReady.get();
        return reason == null ? Answer.text(200, "ready\n") : Answer.text(503, "not ready: " + reason + "\n");
    }

    private Answer health() {
        List<Endpoint> endpoints = discovery.endpoints();
        List<Map<String, Object>> list = new ArrayList<>();
        boolean anyHealthy = endpoints.isEmpty();
        for (Endpoint e : endpoints) {
            anyHealthy |= e.healthy();
            list.add(ordered("Endpoint", e.url(), "Healthy", e.healthy(), "Message", e.message()));
        }
        String reason = notReady.get();
        String syncProblem = discovery.syncProblem();
        Map<String, Object> body = ordered(
                "Config", ordered("Healthy", true, "Message", "OK"),
                "Template", ordered("Healthy", true, "Message", "OK (Pacer renders no template)"),
                "Endpoints", list,
                "Sync", ordered("Healthy", syncProblem == null, "Message", syncProblem == null ? "OK" : syncProblem),
                "Ready", ordered("Healthy", reason == null, "Message", reason == null ? "OK" : reason));
        // Nixy's semantics: 500 when no Marathon answers, else 200. Whether to send traffic here is
        // /v1/ready's answer; Ready is shown for people reading this one. A failing sync changes
        // only the body: the last good table still routes, and every Pacer of a cluster shares the
        // same Marathon, so failing them all over to nothing would help no one.
        return json(anyHealthy ? 200 : 500, body);
    }

    private Map<String, Object> config() {
        Instant lastSync = discovery.lastSync();
        String sync = lastSync == null ? null : lastSync.toString();
        Map<String, Map<String, Object>> details = discovery.details();
        Map<String, Object> apps = new LinkedHashMap<>();
        for (App app : discovery.apps()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            List<String> tasks = new ArrayList<>();
            for (Task t : app.tasks()) {
                tasks.add(t.address());
            }
            entry.put("Tasks", tasks);
            List<String> hosts = new ArrayList<>();
            for (String prefix : app.prefixes()) {
                hosts.add(prefix.replaceAll("^/+|/+$", ""));
            }
            entry.put("Hosts", hosts);
            entry.put("Prefixes", app.prefixes());
            entry.putAll(details.getOrDefault(app.id(), Map.of()));
            if (entry.get("Env") instanceof Map<?, ?> env) {
                entry.put("Env", SecretEnv.mask(env));
            }
            apps.put(app.id(), entry);
        }
        return ordered("Xproxy", xproxy, "Realm", realm, "Source", discovery.source(),
                "LastUpdates", ordered("LastSync", sync, "LastConfigRendered", sync,
                        "LastConfigValid", sync, "LastNginxReload", null),
                "Apps", apps);
    }

    private Map<String, Object> routes() {
        RouteTable table = discovery.table();
        if (table.version() != tableVersion) {
            tableVersion = table.version();
            tableSince = clock.instant();
        }
        List<Map<String, Object>> routes = new ArrayList<>();
        long now = System.nanoTime();
        table.routes().forEach((prefix, app) -> routes.add(route(ordered("prefix", prefix), app, now)));
        List<Map<String, Object>> hosts = new ArrayList<>();
        table.hostRoutes().forEach((host, paths) -> paths.forEach((prefix, app) ->
                hosts.add(route(ordered("host", host, "prefix", prefix), app, now))));
        List<Map<String, Object>> conflicts = new ArrayList<>();
        for (RouteTable.PrefixConflict c : table.conflicts()) {
            conflicts.add(ordered("prefix", c.prefix(), "owner", c.owner(), "loser", c.loser()));
        }
        for (RouteTable.HostConflict c : table.hostConflicts()) {
            conflicts.add(ordered("host", c.host(), "prefix", c.prefix(), "owner", c.owner(), "loser", c.loser()));
        }
        return ordered("version", table.version(),
                "age_seconds", Duration.between(tableSince, clock.instant()).toMillis() / 1000.0,
                "source", discovery.source(),
                "routes", routes,
                "hosts", hosts,
                "conflicts", conflicts);
    }

    /** {@code where} (prefix, or host and prefix) with its app, tasks, label problems and task states. */
    private Map<String, Object> route(Map<String, Object> where, App app, long now) {
        List<String> tasks = new ArrayList<>();
        for (Task t : app.tasks()) {
            tasks.add(t.address());
        }
        where.put("app", app.id());
        where.put("tasks", tasks);
        if (!app.options().problems().isEmpty()) {
            where.put("label_problems", app.options().problems());
        }
        if (app.options().closedReason() != null) {
            where.put("closed", app.options().closedReason());
        }
        if (taskStates != null) {
            where.put("task_states", taskStates(app, now));
        }
        return where;
    }

    /**
     * Per task: requests in flight from this Pacer, failures counted in the current
     * {@code fail_timeout} window, and, for a task skipped after failures, when it gets its next
     * request (a probe): {@code 0} once its time is up and the probe is awaited.
     */
    private List<Map<String, Object>> taskStates(App app, long now) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Task t : app.tasks()) {
            TaskState s = taskStates.get(t);
            long until = s.markedUntil();
            Map<String, Object> entry = ordered("address", t.address(), "id", t.id(),
                    "in_flight", s.inFlight(), "recent_failures", s.recentFailures(), "marked", until != 0);
            if (until != 0) {
                entry.put("back_in_seconds", Math.max(0, until - now) / 1_000_000 / 1000.0);
            }
            out.add(entry);
        }
        return out;
    }

    private static Answer json(int status, Object body) {
        try {
            return Answer.json(status, JSON.writeValueAsString(body) + "\n");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A map that keeps its keys in the order given, so answers read like Nixy's. */
    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
