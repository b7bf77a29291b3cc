package io.pacer.proxy.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.core.TaskState;
import io.pacer.core.TaskStates;
import io.pacer.proxy.metrics.AppTotals;
import io.pacer.proxy.metrics.DiscoveryMetricsSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the dashboard at {@code /ui/} shows, as one JSON document: every app with its prefixes,
 * hosts and tasks, its requests/s, 5xx ratio and retries/s, and the discovery's state (source,
 * table version, Marathon's stream, last sync, endpoints). Rates come from two readings of the
 * metrics' counters, so each viewer has a {@link Sampler} of its own.
 */
public final class Dashboard {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminApi.Discovery discovery;
    private final Supplier<? extends DiscoveryMetricsSource> marathon;
    private final Supplier<Map<String, AppTotals>> totals;
    private final Supplier<String> notReady;
    private final Clock clock;
    private final TaskStates taskStates;

    /**
     * @param marathon discovery's counters, or a supplier of {@code null} without Marathon
     * @param totals   each app's counters now (see {@link io.pacer.proxy.metrics.PacerMetrics#appTotals()})
     * @param notReady why this instance should get no traffic, or {@code null}
     * @param taskStates the data plane's memory of each task's failures; {@code null} shows every
     *     task in the table as healthy
     */
    public Dashboard(AdminApi.Discovery discovery, Supplier<? extends DiscoveryMetricsSource> marathon,
              Supplier<Map<String, AppTotals>> totals, Supplier<String> notReady, Clock clock,
              TaskStates taskStates) {
        this.taskStates = taskStates;
        this.discovery = discovery;
        this.marathon = marathon;
        this.totals = totals;
        this.notReady = notReady;
        this.clock = clock;
    }

    Sampler sampler() {
        return new Sampler();
    }

    /** Successive readings for one viewer; the first has no rates yet ({@code null}). Not thread-safe. */
    final class Sampler {
        private Map<String, AppTotals> last;
        private long lastNanos;

        String next() {
            long now = System.nanoTime();
            Map<String, AppTotals> current = totals.get();
            double seconds = last == null ? 0 : (now - lastNanos) / 1e9;
            String json = render(current, last, seconds);
            last = current;
            lastNanos = now;
            return json;
        }
    }

    /**
     * In the table means running with passing health checks; the data plane may still have marked
     * it (skipped after max_fails failures) or seen it fail lately.
     */
    private String state(Task task) {
        if (taskStates == null) {
            return "healthy";
        }
        TaskState s = taskStates.get(task);
        return s.marked() ? "marked" : s.recentFailures() > 0 ? "failing" : "healthy";
    }

    /**
     * The virtual hosts the app is served on when Pacer routes by Host; else its names as Nixy's
     * Hosts (from Marathon's details); else, from an apps file, its prefixes without slashes.
     */
    private static List<?> hosts(App app, Map<String, Object> details) {
        if (!app.hosts().isEmpty()) {
            return app.hosts();
        }
        if (details != null && details.get("Hosts") instanceof List<?> names) {
            return names;
        }
        List<String> hosts = new ArrayList<>();
        for (String prefix : app.prefixes()) {
            hosts.add(prefix.replaceAll("^/+|/+$", ""));
        }
        return hosts;
    }

    private String render(Map<String, AppTotals> current, Map<String, AppTotals> previous, double seconds) {
        RouteTable table = discovery.table();
        Map<String, App> routed = new LinkedHashMap<>();
        for (App app : table.apps()) {
            routed.put(app.id(), app);
        }
        Map<String, Map<String, Object>> details = discovery.details();
        List<Map<String, Object>> apps = new ArrayList<>();
        for (App known : discovery.apps()) {
            App app = routed.getOrDefault(known.id(), known);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", app.id());
            entry.put("prefixes", app.prefixes());
            entry.put("hosts", hosts(app, details.get(app.id())));
            List<Map<String, Object>> tasks = new ArrayList<>();
            for (Task t : app.tasks()) {
                Map<String, Object> task = new LinkedHashMap<>();
                task.put("id", t.id());
                task.put("address", t.address());
                task.put("state", routed.containsKey(app.id()) ? state(t) : "not routed");
                tasks.add(task);
            }
            entry.put("tasks", tasks);
            AppTotals now = current.getOrDefault(app.id(), AppTotals.ZERO);
            AppTotals before = previous == null ? null : previous.getOrDefault(app.id(), AppTotals.ZERO);
            if (before == null || seconds <= 0) {
                entry.put("requestsPerSecond", null);
                entry.put("errorRatio", null);
                entry.put("retriesPerSecond", null);
            } else {
                double requests = Math.max(0, now.requests() - before.requests());
                double errors = Math.max(0, now.errors() - before.errors());
                entry.put("requestsPerSecond", requests / seconds);
                entry.put("errorRatio", requests == 0 ? 0.0 : errors / requests);
                entry.put("retriesPerSecond", Math.max(0, now.retries() - before.retries()) / seconds);
            }
            apps.add(entry);
        }
        Map<String, Object> sync = new LinkedHashMap<>();
        DiscoveryMetricsSource m = marathon.get();
        sync.put("streamConnected", m == null ? null : m.streamConnected());
        Instant lastSync = discovery.lastSync();
        sync.put("lastSync", lastSync == null ? null : lastSync.toString());
        sync.put("lastSyncAgeSeconds", lastSync == null ? null
                : Math.max(0, Duration.between(lastSync, clock.instant()).toMillis() / 1000.0));
        List<Map<String, Object>> endpoints = new ArrayList<>();
        for (AdminApi.Endpoint e : discovery.endpoints()) {
            Map<String, Object> endpoint = new LinkedHashMap<>();
            endpoint.put("url", e.url());
            endpoint.put("healthy", e.healthy());
            endpoint.put("message", e.message());
            endpoints.add(endpoint);
        }
        sync.put("endpoints", endpoints);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time", clock.instant().toString());
        out.put("version", table.version());
        out.put("source", discovery.source());
        out.put("notReady", notReady.get());
        out.put("sync", sync);
        out.put("apps", apps);
        try {
            return JSON.writeValueAsString(out);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
