package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The leader-election rule: routed tasks keep traffic while Marathon lists no health result for them. */
class ElectionGuardTest {

    private static MarathonTask task(String id, int port, List<Boolean> results) {
        return new MarathonTask(id, "/web", "h", List.of(port), List.of(), MarathonTask.RUNNING, results);
    }

    private static MarathonApp web(MarathonTask... tasks) {
        return new MarathonApp("/web", Map.of(), 1, 0, List.of(), List.of(tasks), List.of());
    }

    private static List<String> taskIds(List<App> apps) {
        return apps.get(0).tasks().stream().map(Task::id).toList();
    }

    @Test
    void routedTasksWithoutResultsKeepTrafficNewOnesWait() {
        ElectionGuard guard = new ElectionGuard();
        List<App> healthy = guard.routedApps(List.of(web(task("a", 1, List.of(true)), task("b", 2, List.of(true)))),
                RouteOptions.defaults(), RouteTable.empty());
        assertEquals(List.of("a", "b"), taskIds(healthy));
        RouteTable inForce = AppRoutes.toTable(healthy, 1);

        try (LogCapture log = LogCapture.of(ElectionGuard.class)) {
            // The new leader knows no results, and a new task "c" is still in its grace period.
            List<MarathonApp> election = List.of(web(task("a", 1, List.of()), task("b", 2, List.of()),
                    task("c", 3, List.of())));
            assertEquals(List.of("a", "b"), taskIds(guard.routedApps(election, RouteOptions.defaults(), inForce)));
            assertEquals(2, guard.keptTasks());
            // The next resyncs of the same election: still kept, not logged again.
            assertEquals(List.of("a", "b"), taskIds(guard.routedApps(election, RouteOptions.defaults(), inForce)));
            assertEquals(1, log.warnings().size(), () -> "one warning per election: " + log.warnings());
            assertTrue(log.warnings().get(0).contains("2 routed task(s) of 1 app(s)"), log.warnings().get(0));
            assertTrue(log.warnings().get(0).contains("/web"), log.warnings().get(0));
        }

        // A failing result always wins; results back end the hold.
        List<App> back = guard.routedApps(List.of(web(task("a", 1, List.of(true)), task("b", 2, List.of(false)),
                task("c", 3, List.of(true)))), RouteOptions.defaults(), inForce);
        assertEquals(List.of("a", "c"), taskIds(back));
        assertEquals(0, guard.keptTasks());
    }

    @Test
    void aFirstSyncWithoutResultsRoutesNothingAsNixyWould() {
        ElectionGuard guard = new ElectionGuard();
        List<App> apps = guard.routedApps(List.of(web(task("a", 1, List.of()))), RouteOptions.defaults(),
                RouteTable.empty());
        assertEquals(List.of(), taskIds(apps));
    }

    @Test
    void aTaskThatFailedBeforeTheElectionIsNotBroughtBack() {
        ElectionGuard guard = new ElectionGuard();
        RouteTable inForce = AppRoutes.toTable(guard.routedApps(List.of(web(task("a", 1, List.of(true)),
                task("b", 2, List.of(false)))), RouteOptions.defaults(), RouteTable.empty()), 1);
        List<App> election = guard.routedApps(List.of(web(task("a", 1, List.of()), task("b", 2, List.of()))),
                RouteOptions.defaults(), inForce);
        assertEquals(List.of("a"), taskIds(election));
    }

    private static MarathonApp app(String id, MarathonTask... tasks) {
        return new MarathonApp(id, Map.of(), 1, 0, List.of(), List.of(tasks), List.of());
    }

    private static MarathonTask taskOf(String app, String id, int port, List<Boolean> results) {
        return new MarathonTask(id, app, "h", List.of(port), List.of(), MarathonTask.RUNNING, results);
    }

    @Test
    void appsRoutedOneByOneEndTheHoldOnceWhenTheLastGetsResults() {
        ElectionGuard guard = new ElectionGuard();
        RouteTable inForce = AppRoutes.toTable(guard.routedApps(List.of(
                app("/a", taskOf("/a", "a1", 1, List.of(true))), app("/b", taskOf("/b", "b1", 2, List.of(true)))),
                RouteOptions.defaults(), RouteTable.empty()), 1);
        try (LogCapture log = LogCapture.of(ElectionGuard.class)) {
            guard.routedApps(List.of(app("/a", taskOf("/a", "a1", 1, List.of())),
                    app("/b", taskOf("/b", "b1", 2, List.of()))), RouteOptions.defaults(), inForce);
            assertEquals(2, guard.keptTasks());
            // Events bring results back app by app: /b is still held after /a is back.
            List<App> a = guard.routedAppsOf(List.of(app("/a", taskOf("/a", "a1", 1, List.of(true)))),
                    RouteOptions.defaults(), inForce);
            assertEquals(List.of("a1"), taskIds(a));
            assertEquals(1, guard.keptTasks());
            guard.routedAppsOf(List.of(app("/b", taskOf("/b", "b1", 2, List.of(true)))), RouteOptions.defaults(),
                    inForce);
            assertEquals(0, guard.keptTasks());
            assertEquals(1, log.warnings().size(), () -> "one warning per election: " + log.warnings());
        }
    }
}
