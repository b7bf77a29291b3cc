package io.pacer.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.pacer.core.App;
import io.pacer.core.RetryCondition;
import io.pacer.core.RouteTable;
import io.pacer.core.TaskStates;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics of failure memory: {@code pacer_upstream_failures_total{app,reason}}, counted on the
 * request path, and {@code pacer_upstream_marked_tasks{app}}, sampled from the task states at each
 * scrape.
 *
 * <p>Both are sparse, so they cost nothing for the apps that never fail: a failure counter is
 * registered the first time its app fails for its reason, and the gauge has a series only for apps
 * that have a task marked right now (alert on {@code pacer_upstream_marked_tasks > 0}).
 */
final class UpstreamHealthMeters {

    private static final RetryCondition[] CONDITIONS = RetryCondition.values();

    private final MeterRegistry registry;
    /** By app id: one counter slot per {@link RetryCondition}, filled when first used. */
    private final ConcurrentHashMap<String, Counter[]> failures = new ConcurrentHashMap<>();
    private final MultiGauge marked;

    UpstreamHealthMeters(MeterRegistry registry) {
        this.registry = registry;
        this.marked = MultiGauge.builder("pacer.upstream.marked.tasks")
                .description("Tasks of the app skipped after failing max_fails times within fail_timeout")
                .register(registry);
    }

    /** On the event loop of the failed attempt: a map lookup and an increment once registered. */
    void failed(String appId, RetryCondition reason) {
        Counter[] counters = failures.computeIfAbsent(appId, id -> new Counter[CONDITIONS.length]);
        Counter c = counters[reason.ordinal()];
        if (c == null) {
            c = register(appId, reason, counters);
        }
        c.increment();
    }

    private Counter register(String appId, RetryCondition reason, Counter[] counters) {
        synchronized (counters) {
            Counter c = counters[reason.ordinal()];
            if (c == null) {
                c = Counter.builder("pacer.upstream.failures")
                        .description("Failed attempts that count against their task (max_fails), by app and reason")
                        .tags("app", appId, "reason", reason.nginxName())
                        .register(registry);
                counters[reason.ordinal()] = c;
            }
            return c;
        }
    }

    /** Samples the marked tasks of every app in {@code table}; called at each scrape. */
    void sample(RouteTable table, TaskStates states) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        if (states.markedCount() > 0) {
            for (App app : table.apps()) {
                int n = 0;
                for (var task : app.tasks()) {
                    if (states.get(task).marked()) {
                        n++;
                    }
                }
                if (n > 0) {
                    rows.add(MultiGauge.Row.of(Tags.of("app", app.id()), n));
                }
            }
        }
        marked.register(rows, true);
    }

    /** Drops the failure counters of apps no longer routed. */
    void retainApps(RouteTable table) {
        if (failures.isEmpty()) {
            return; // the usual case: no set of every app id to build
        }
        Set<String> appIds = new HashSet<>();
        for (App app : table.apps()) {
            appIds.add(app.id());
        }
        failures.entrySet().removeIf(e -> {
            if (appIds.contains(e.getKey())) {
                return false;
            }
            synchronized (e.getValue()) {
                for (Counter c : e.getValue()) {
                    if (c != null) {
                        registry.remove(c);
                    }
                }
            }
            return true;
        });
    }
}
