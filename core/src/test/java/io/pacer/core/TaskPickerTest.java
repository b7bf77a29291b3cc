package io.pacer.core;

import static io.pacer.core.Fixtures.appWithTasks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TaskPickerTest {

    private static final long S = Duration.ofSeconds(1).toNanos();
    private static final long NOW = 1_000 * S;

    private static TaskStates statesOf(App app) {
        TaskStates states = new TaskStates(FailurePolicy.DEFAULT);
        states.retainOnly(new HashSet<>(app.tasks()));
        return states;
    }

    static Set<Task> allAttempts(TaskPicker picker) {
        Set<Task> seen = new HashSet<>();
        TaskState s;
        while ((s = picker.next(NOW)) != null) {
            assertTrue(seen.add(s.task()), "tried twice: " + s.task());
        }
        return seen;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 63, 64, 65, 130})
    void everyTaskOnceThenNull(int n) {
        for (Balance b : Balance.values()) {
            App app = appWithTasks("a", n, "/a/");
            TaskStates states = statesOf(app);
            states.get(app.tasks().get(0)).failed(NOW, FailurePolicy.DEFAULT); // marked ones come last, not never
            assertEquals(new HashSet<>(app.tasks()), allAttempts(new TaskPicker(app, states, b)), b.name());
        }
    }

    @Test
    void roundRobinTurnsAcrossRequests() {
        App app = appWithTasks("a", 3, "/a/");
        TaskStates states = statesOf(app);
        Map<Task, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            firsts.merge(new TaskPicker(app, states, Balance.ROUND_ROBIN).next(NOW).task(), 1, Integer::sum);
        }
        assertEquals(Map.of(app.tasks().get(0), 10, app.tasks().get(1), 10, app.tasks().get(2), 10), firsts);
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void markedTasksAreSkippedWhileOthersServe(Balance balance) {
        App app = appWithTasks("a", 3, "/a/");
        TaskStates states = statesOf(app);
        Task bad = app.tasks().get(1);
        states.get(bad).failed(NOW, FailurePolicy.DEFAULT);
        for (int i = 0; i < 100; i++) {
            assertNotEquals(bad, new TaskPicker(app, states, balance).next(NOW + S).task());
        }
        // fail_timeout later exactly one request probes it.
        int probes = 0;
        for (int i = 0; i < 100; i++) {
            if (new TaskPicker(app, states, balance).next(NOW + 11 * S).task().equals(bad)) {
                probes++;
            }
        }
        assertEquals(1, probes);
    }

    @ParameterizedTest
    @EnumSource(Balance.class)
    void whenEveryTaskIsMarkedTheyAreTriedAnyway(Balance balance) {
        App app = appWithTasks("a", 3, "/a/");
        TaskStates states = statesOf(app);
        for (Task t : app.tasks()) {
            states.get(t).failed(NOW, FailurePolicy.DEFAULT);
        }
        assertEquals(new HashSet<>(app.tasks()), allAttempts(new TaskPicker(app, states, balance)));
    }

    @Test
    void aLoneTaskIsNeverLockedOut() {
        App app = appWithTasks("a", 1, "/a/");
        TaskStates states = statesOf(app);
        states.get(app.tasks().get(0)).failed(NOW, FailurePolicy.DEFAULT);
        TaskPicker picker = new TaskPicker(app, states, Balance.ROUND_ROBIN);
        assertEquals(app.tasks().get(0), picker.next(NOW + S).task());
        assertNull(picker.next(NOW + S));
    }

    @Test
    void leastRequestPrefersTheLessBusyTask() {
        App app = appWithTasks("a", 2, "/a/");
        TaskStates states = statesOf(app);
        Task busy = app.tasks().get(0);
        for (int i = 0; i < 5; i++) {
            states.get(busy).attemptStarted();
        }
        for (int i = 0; i < 200; i++) {
            assertEquals(app.tasks().get(1), new TaskPicker(app, states, Balance.LEAST_REQUEST).next(NOW).task());
        }
    }

    @Test
    void leastRequestSpreadsEvenlyWhenIdle() {
        App app = appWithTasks("a", 4, "/a/");
        TaskStates states = statesOf(app);
        Map<Task, Integer> counts = new HashMap<>();
        for (int i = 0; i < 4_000; i++) {
            counts.merge(new TaskPicker(app, states, Balance.LEAST_REQUEST).next(NOW).task(), 1, Integer::sum);
        }
        for (Task t : app.tasks()) {
            int c = counts.getOrDefault(t, 0);
            assertTrue(c > 700 && c < 1300, t + " got " + c + " of 4000");
        }
    }

    @Test
    void aTaskMissingFromTheStatesStillServes() {
        App app = appWithTasks("a", 2, "/a/");
        TaskStates empty = new TaskStates(FailurePolicy.DEFAULT);
        assertEquals(new HashSet<>(app.tasks()), allAttempts(new TaskPicker(app, empty, Balance.LEAST_REQUEST)));
    }

    @Test
    void statesSurviveATableSwapForTasksThatStay() {
        App app = appWithTasks("a", 2, "/a/");
        TaskStates states = statesOf(app);
        Task stays = app.tasks().get(0);
        TaskState before = states.get(stays);
        before.failed(NOW, FailurePolicy.DEFAULT);
        states.retainOnly(Set.of(new Task(stays.id(), stays.host(), stays.port())));
        assertTrue(states.get(stays) == before && before.marked());
        assertEquals(1, states.all().size());
    }

    @Test
    void aStickyTokenPinsTheFirstAttemptUnlessItsTaskIsOut() {
        App app = appWithTasks("a", 3, "/a/");
        TaskStates states = statesOf(app);
        Task pinned = app.tasks().get(2);
        String token = TaskPicker.stickyToken(pinned);
        for (int i = 0; i < 10; i++) {
            assertEquals(pinned, new TaskPicker(app, states, Balance.ROUND_ROBIN).prefer(token).next(NOW).task());
        }
        TaskPicker retry = new TaskPicker(app, states, Balance.LEAST_REQUEST).prefer(token);
        assertEquals(pinned, retry.next(NOW).task());
        assertNotEquals(pinned, retry.next(NOW).task(), "a retry goes elsewhere");
        states.get(pinned).failed(NOW, FailurePolicy.DEFAULT);
        assertNotEquals(pinned, new TaskPicker(app, states, Balance.ROUND_ROBIN).prefer(token).next(NOW).task(),
                "a marked task loses its sessions to the balancer");
        assertTrue(new TaskPicker(app, states, Balance.ROUND_ROBIN).prefer("unknown").next(NOW) != null);
    }

    /** A restarted picker is a new one: every task again, to the new app, and no preference left over. */
    @ParameterizedTest
    @ValueSource(ints = {2, 130})
    void aRestartedPickerForgetsTheLastRequest(int n) {
        App first = appWithTasks("a", n, "/a/");
        App second = appWithTasks("b", 3, "/b/");
        Set<Task> both = new HashSet<>(first.tasks());
        both.addAll(second.tasks());
        TaskStates states = new TaskStates(FailurePolicy.DEFAULT);
        states.retainOnly(both);
        TaskPicker picker = new TaskPicker(first, states, Balance.ROUND_ROBIN)
                .prefer(TaskPicker.stickyToken(first.tasks().get(1)));
        assertEquals(new HashSet<>(first.tasks()), allAttempts(picker));
        assertEquals(new HashSet<>(first.tasks()), allAttempts(picker.restart(first, Balance.LEAST_REQUEST)));
        picker.restart(first, Balance.ROUND_ROBIN).prefer(TaskPicker.stickyToken(first.tasks().get(1)));
        assertEquals(first.tasks().get(1), picker.next(NOW).task());
        assertEquals(new HashSet<>(second.tasks()), allAttempts(picker.restart(second, Balance.ROUND_ROBIN)));
    }
}
