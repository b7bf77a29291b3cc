package io.pacer.core;

import static io.pacer.core.Fixtures.appWithoutTasks;
import static io.pacer.core.Fixtures.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteTableDiffTest {

    private static final Task T1 = new Task("t1", "10.0.0.1", 31001);
    private static final Task T2 = new Task("t2", "10.0.0.2", 31002);
    private static final Task T3 = new Task("t3", "10.0.0.3", 31003);
    private static final Task T4 = new Task("t4", "::1", 31004);

    private static App app(String id, String prefix, Task... tasks) {
        return new App(id, List.of(prefix), List.of(tasks));
    }

    @Test
    void identicalTablesHaveNoDifference() {
        RouteTable a = table(app("a", "/a/", T1, T2), app("b", "/b/", T3));
        RouteTable b = table(app("a", "/a/", T1, T2), app("b", "/b/", T3));
        RouteTableDiff diff = RouteTableDiff.between(a, b);
        assertTrue(diff.isEmpty());
        assertEquals("+0/-0 apps, +0/-0 tasks", diff.toString());
    }

    @Test
    void tableTasksListEachTaskOnceInAppOrder() {
        // One task behind two apps (a shared host port) is one set of connections to hold.
        RouteTable t = table(app("a", "/a/", T2, T1), app("b", "/b/", T1, T3));
        assertEquals(List.of(T2, T1, T3), List.copyOf(t.tasks()));
        assertThrows(UnsupportedOperationException.class, () -> t.tasks().add(T4));
        assertTrue(RouteTable.empty().tasks().isEmpty());
    }

    @Test
    void emptyToEmptyIsEmpty() {
        assertTrue(RouteTableDiff.between(RouteTable.empty(), RouteTable.empty()).isEmpty());
    }

    @Test
    void appsAndTheirTasksComeAndGo() {
        RouteTable before = table(app("a", "/a/", T1), app("b", "/b/", T2));
        RouteTable after = table(app("b", "/b/", T2), app("c", "/c/", T3, T4));
        RouteTableDiff diff = RouteTableDiff.between(before, after);
        assertEquals(List.of("c"), diff.appsAdded());
        assertEquals(List.of("a"), diff.appsRemoved());
        assertEquals(List.of(T3, T4), diff.tasksAdded());
        assertEquals(List.of(T1), diff.tasksRemoved());
        assertFalse(diff.isEmpty());
        assertEquals("+1/-1 apps, +2/-1 tasks", diff.toString());
    }

    @Test
    void tasksReplacedWithinAnAppAreReported() {
        RouteTableDiff diff = RouteTableDiff.between(table(app("a", "/a/", T1, T2)), table(app("a", "/a/", T2, T3)));
        assertTrue(diff.appsAdded().isEmpty());
        assertTrue(diff.appsRemoved().isEmpty());
        assertEquals(List.of(T3), diff.tasksAdded());
        assertEquals(List.of(T1), diff.tasksRemoved());
    }

    @Test
    void aTaskThatChangedPortIsOneRemovedAndOneAdded() {
        Task moved = new Task("t1", "10.0.0.1", 31999);
        RouteTableDiff diff = RouteTableDiff.between(table(app("a", "/a/", T1)), table(app("a", "/a/", moved)));
        assertEquals(List.of(moved), diff.tasksAdded());
        assertEquals(List.of(T1), diff.tasksRemoved());
    }

    @Test
    void aTaskMovingBetweenAppsIsNotATaskChange() {
        RouteTableDiff diff = RouteTableDiff.between(
                table(app("a", "/a/", T1), app("b", "/b/", T2)),
                table(app("a", "/a/", T2), app("b", "/b/", T1)));
        assertTrue(diff.isEmpty(), diff.toString());
    }

    @Test
    void aPrefixChangeAloneIsNotADifference() {
        // The diff is app by app, for logs and connection pools; routing changes show in sameRoutesAs.
        RouteTable before = table(app("a", "/a/", T1));
        RouteTable after = table(app("a", "/z/", T1));
        assertTrue(RouteTableDiff.between(before, after).isEmpty());
        assertFalse(before.sameRoutesAs(after));
    }

    @Test
    void appsThatAreNotRoutedDoNotCount() {
        RouteTable before = table(app("a", "/a/", T1));
        RouteTable after = table(app("a", "/a/", T1), appWithoutTasks("idle", "/idle/"), app("loser", "/a/", T2));
        assertTrue(RouteTableDiff.between(before, after).isEmpty());
        assertEquals(Set.of("10.0.0.1:31001"), RouteTableDiff.addresses(after));
    }

    @Test
    void everythingRemovedAndEverythingAdded() {
        RouteTable full = table(app("a", "/a/", T1, T2), app("b", "/b/", T3));
        RouteTableDiff gone = RouteTableDiff.between(full, RouteTable.empty());
        assertEquals(Set.of("a", "b"), new HashSet<>(gone.appsRemoved()));
        assertEquals(Set.of(T1, T2, T3), new HashSet<>(gone.tasksRemoved()));
        assertTrue(gone.appsAdded().isEmpty() && gone.tasksAdded().isEmpty());
        RouteTableDiff back = RouteTableDiff.between(RouteTable.empty(), full);
        assertEquals(Set.of("a", "b"), new HashSet<>(back.appsAdded()));
        assertEquals(Set.of(T1, T2, T3), new HashSet<>(back.tasksAdded()));
    }

    @Test
    void aTaskSharedByTwoAppsIsListedOnce() {
        RouteTableDiff diff = RouteTableDiff.between(RouteTable.empty(),
                table(app("a", "/a/", T1), app("b", "/b/", T1)));
        assertEquals(List.of(T1), diff.tasksAdded());
    }

    @Test
    void addressesListEveryTaskOnce() {
        RouteTable t = table(app("a", "/a/", T1, T2), app("b", "/b/", T2, T4));
        assertEquals(Set.of("10.0.0.1:31001", "10.0.0.2:31002", "[::1]:31004"), RouteTableDiff.addresses(t));
        assertTrue(RouteTableDiff.addresses(RouteTable.empty()).isEmpty());
    }

    @Test
    void listsAreReadOnly() {
        RouteTableDiff diff = RouteTableDiff.between(RouteTable.empty(), table(app("a", "/a/", T1)));
        assertThrows(UnsupportedOperationException.class, () -> diff.appsAdded().add("x"));
        assertThrows(UnsupportedOperationException.class, () -> diff.tasksAdded().clear());
    }

    @Test
    void anUnchangedModelGivesAnEmptyDiffEvenWhenRebuilt() {
        App a = Fixtures.appWithTasks("a", 3, "/a/");
        App aAgain = Fixtures.appWithTasks("a", 3, "/a/");
        assertTrue(RouteTableDiff.between(table(a, Fixtures.app("x", "/x/")), table(aAgain, Fixtures.app("x", "/x/"))).isEmpty());
    }
}
