package io.pacer.discovery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Marathon's apps as Pacer knows them, in Marathon's order, kept current by full syncs, by
 * single-app reads and by task events applied in place. It records which apps changed since the
 * last {@link #takeChanged()}, so that only those are routed again.
 *
 * <p>Threading: confined to the discovery loop; {@link #snapshot()} hands out an immutable copy.
 */
final class AppsModel {

    /** What applying an event did. */
    enum Outcome {
        /** The model changed. */
        CHANGED,
        /** The model already said so. */
        UNCHANGED,
        /** The event names something the model does not hold (a new task, an unknown app): read the app. */
        FETCH_APP
    }

    private final LinkedHashMap<String, MarathonApp> apps = new LinkedHashMap<>();
    private Set<String> changed = new LinkedHashSet<>();
    private boolean reordered;

    /** Replaces everything with a full sync's apps (the first of a duplicated id wins). */
    void replace(List<MarathonApp> all) {
        Map<String, MarathonApp> before = new LinkedHashMap<>(apps);
        apps.clear();
        for (MarathonApp app : all) {
            apps.putIfAbsent(app.id(), app);
        }
        for (Map.Entry<String, MarathonApp> e : apps.entrySet()) {
            if (!e.getValue().equals(before.remove(e.getKey()))) {
                changed.add(e.getKey());
            }
        }
        changed.addAll(before.keySet());
        // Marathon's order settles prefix conflicts; a full sync may bring a new one.
        reordered = true;
    }

    /** A single-app read: the app as Marathon has it now. */
    void put(MarathonApp app) {
        MarathonApp old = apps.put(app.id(), app);
        if (!app.equals(old)) {
            changed.add(app.id());
        }
    }

    void remove(String appId) {
        if (apps.remove(appId) != null) {
            changed.add(appId);
        }
    }

    boolean contains(String appId) {
        return apps.containsKey(appId);
    }

    MarathonApp get(String appId) {
        return apps.get(appId);
    }

    int size() {
        return apps.size();
    }

    /** Every app, in Marathon's order. */
    List<MarathonApp> snapshot() {
        return List.copyOf(apps.values());
    }

    /**
     * The ids of apps changed (added, updated or removed) since the last call, and whether the
     * order may have changed too; clears both.
     */
    Changes takeChanged() {
        Changes out = new Changes(changed, reordered);
        changed = new LinkedHashSet<>();
        reordered = false;
        return out;
    }

    /** Apps changed since the last {@link #takeChanged()}. */
    record Changes(Set<String> appIds, boolean reordered) {
        boolean none() {
            return appIds.isEmpty() && !reordered;
        }
    }

    /** Applies a task event's change. */
    Outcome apply(ModelChange change) {
        MarathonApp app = apps.get(appOf(change));
        if (app != null && app.hasReadinessChecks() && !app.readinessCheckResults().isEmpty()) {
            // A deployment is checking readiness, whose results no event carries.
            return Outcome.FETCH_APP;
        }
        if (change instanceof ModelChange.TaskState t) {
            return setState(t.appId(), task -> task.id().equals(t.taskId()), t.state(), true);
        }
        if (change instanceof ModelChange.InstanceState i) {
            return setState(i.appId(), task -> instanceOf(task.id()).equals(i.instanceId()), i.state(), false);
        }
        if (change instanceof ModelChange.InstanceHealth h) {
            return setHealth(h);
        }
        throw new IllegalArgumentException("not a task change: " + change);
    }

    static String appOf(ModelChange change) {
        if (change instanceof ModelChange.TaskState t) {
            return t.appId();
        }
        if (change instanceof ModelChange.InstanceState i) {
            return i.appId();
        }
        if (change instanceof ModelChange.InstanceHealth h) {
            return h.appId();
        }
        throw new IllegalArgumentException("not a task change: " + change);
    }

    private Outcome setState(String appId, java.util.function.Predicate<MarathonTask> which, String state,
                             boolean oneTask) {
        MarathonApp app = apps.get(appId);
        if (app == null) {
            return ModelChange.TERMINAL.contains(state) ? Outcome.UNCHANGED : Outcome.FETCH_APP;
        }
        boolean terminal = ModelChange.TERMINAL.contains(state);
        List<MarathonTask> tasks = new ArrayList<>(app.tasks().size());
        boolean found = false;
        boolean differs = false;
        for (MarathonTask task : app.tasks()) {
            if (!which.test(task)) {
                tasks.add(task);
                continue;
            }
            found = true;
            if (terminal) {
                differs = true;
            } else if (!state.equals(task.state())) {
                differs = true;
                tasks.add(withState(task, state));
            } else {
                tasks.add(task);
            }
        }
        if (!found) {
            // A task we have not seen: only Marathon knows its ports, health and readiness.
            return terminal ? Outcome.UNCHANGED : Outcome.FETCH_APP;
        }
        if (!differs) {
            return Outcome.UNCHANGED;
        }
        put(app.withTasks(tasks));
        return Outcome.CHANGED;
    }

    private Outcome setHealth(ModelChange.InstanceHealth h) {
        MarathonApp app = apps.get(h.appId());
        if (app == null) {
            return Outcome.FETCH_APP;
        }
        if (h.perCheck() && app.healthCheckCount() > 1) {
            // One check's verdict says nothing about the others: read them all.
            return Outcome.FETCH_APP;
        }
        List<Boolean> results = h.healthy() == null ? List.of()
                : h.healthy() ? nCopies(Math.max(1, app.healthCheckCount()), true) : List.of(false);
        List<MarathonTask> tasks = new ArrayList<>(app.tasks().size());
        boolean found = false;
        boolean differs = false;
        for (MarathonTask task : app.tasks()) {
            if (instanceOf(task.id()).equals(h.instanceId())) {
                found = true;
                if (!task.healthCheckResults().equals(results)) {
                    differs = true;
                    task = withHealth(task, results);
                }
            }
            tasks.add(task);
        }
        if (!found) {
            return Outcome.FETCH_APP;
        }
        if (!differs) {
            return Outcome.UNCHANGED;
        }
        put(app.withTasks(tasks));
        return Outcome.CHANGED;
    }

    private static List<Boolean> nCopies(int n, boolean value) {
        return java.util.Collections.nCopies(n, value);
    }

    /**
     * The id of the instance a task belongs to, as Marathon derives it: a task
     * {@code app.instance-<uuid>._app.1} (Marathon 1.4 and later) belongs to
     * {@code app.instance-<uuid>}; a task of the older form {@code app.<uuid>} to
     * {@code app.marathon-<uuid>}.
     */
    static String instanceOf(String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        int marker = taskId.indexOf(".instance-");
        if (marker >= 0) {
            int end = taskId.indexOf('.', marker + ".instance-".length());
            return end < 0 ? taskId : taskId.substring(0, end);
        }
        int dot = taskId.lastIndexOf('.');
        if (dot < 0) {
            return taskId;
        }
        return taskId.substring(0, dot) + ".marathon-" + taskId.substring(dot + 1);
    }

    private static MarathonTask withState(MarathonTask t, String state) {
        return new MarathonTask(t.id(), t.appId(), t.host(), t.ports(), t.ipAddresses(), state,
                t.healthCheckResults(), t.servicePorts(), t.slaveId(), t.stagedAt(), t.startedAt(), t.version());
    }

    private static MarathonTask withHealth(MarathonTask t, List<Boolean> results) {
        return new MarathonTask(t.id(), t.appId(), t.host(), t.ports(), t.ipAddresses(), t.state(),
                results, t.servicePorts(), t.slaveId(), t.stagedAt(), t.startedAt(), t.version());
    }
}
