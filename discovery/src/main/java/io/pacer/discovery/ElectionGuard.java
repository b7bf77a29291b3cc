package io.pacer.discovery;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Marathon leader election from emptying the pool. A newly elected leader knows no health
 * check results: for a while it lists every task of every health-checked app with
 * {@code "healthCheckResults": []}, which by Nixy's rule means "not healthy". A task that the table
 * in force routes and that now comes back with no result at all keeps its traffic until a result
 * says otherwise; a task that was never routed (a new task still in its grace period) still waits
 * for its first result. Failing results always win: the guard only covers missing ones.
 *
 * <p>The same rule covers every shape of the event: a resync after the event stream reconnects to
 * the new leader, a resync that shows every app without results at once, or one app at a time. It
 * logs once when it starts keeping tasks and once when results are back, not on every sync.
 *
 * <p>Threading: one guard per discovery source, called from that source's sync thread.
 */
public final class ElectionGuard {

    private static final Logger log = LoggerFactory.getLogger(ElectionGuard.class);
    private static final int APPS_NAMED = 10;

    private boolean holding;
    /** Tasks kept without a health result, by app id, as the last call about each app found them. */
    private final Map<String, Integer> keptByApp = new LinkedHashMap<>();

    /**
     * The routing view of {@code marathonApps} (as {@link AppRoutes#apps}), keeping the tasks of
     * {@code inForce} that Marathon lists without any health result. {@code marathonApps} are all
     * the apps there are.
     */
    public synchronized List<App> routedApps(List<MarathonApp> marathonApps, RouteOptions options, RouteTable inForce) {
        keptByApp.clear();
        return route(marathonApps, options, inForce);
    }

    /**
     * As {@link #routedApps}, for some apps only (those a Marathon event changed): what the guard
     * knows of the other apps stays, so that it reports the election's start and end once, not
     * once per app. {@code inForce} needs to hold only these apps' routes.
     */
    public synchronized List<App> routedAppsOf(List<MarathonApp> someApps, RouteOptions options, RouteTable inForce) {
        for (MarathonApp app : someApps) {
            keptByApp.remove(app.id());
        }
        return route(someApps, options, inForce);
    }

    private List<App> route(List<MarathonApp> marathonApps, RouteOptions options, RouteTable inForce) {
        Set<String> routed = new HashSet<>();
        for (Task t : inForce.tasks()) {
            routed.add(t.id());
        }
        List<App> apps = AppRoutes.apps(marathonApps, options, (app, task) -> {
            if (!routed.contains(task.id())) {
                return false;
            }
            keptByApp.merge(app.id(), 1, Integer::sum);
            return true;
        });
        int kept = 0;
        for (int n : keptByApp.values()) {
            kept += n;
        }
        report(kept, keptByApp.keySet());
        return apps;
    }

    /** Tasks kept without health results, as the last calls found them. */
    public synchronized int keptTasks() {
        int kept = 0;
        for (int n : keptByApp.values()) {
            kept += n;
        }
        return kept;
    }

    private void report(int kept, Set<String> apps) {
        if (kept > 0 && !holding) {
            holding = true;
            List<String> named = new ArrayList<>(apps);
            String list = named.size() <= APPS_NAMED ? named.toString()
                    : named.subList(0, APPS_NAMED) + " and " + (named.size() - APPS_NAMED) + " more";
            log.warn("Marathon lists {} routed task(s) of {} app(s) with no health check result (a newly elected"
                    + " Marathon leader has not checked them yet); they keep their traffic until a result arrives: {}",
                    kept, apps.size(), list);
        } else if (kept == 0 && holding) {
            holding = false;
            log.info("Marathon has health check results for every routed task again; no task is kept without one");
        }
    }
}
