package io.pacer.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Small builders that keep the route tests readable. */
final class Fixtures {

    private Fixtures() { }

    /** An app with one task and the given prefixes. */
    static App app(String id, String... prefixes) {
        return new App(id, Arrays.asList(prefixes), List.of(task(id, 0)));
    }

    /** An app with {@code taskCount} tasks on distinct ports of 10.0.0.1 and the given prefixes. */
    static App appWithTasks(String id, int taskCount, String... prefixes) {
        List<Task> tasks = new ArrayList<>();
        for (int i = 0; i < taskCount; i++) {
            tasks.add(task(id, i));
        }
        return new App(id, Arrays.asList(prefixes), tasks);
    }

    /** An app that has no running task. */
    static App appWithoutTasks(String id, String... prefixes) {
        return new App(id, Arrays.asList(prefixes), List.of());
    }

    /** A deterministic task: id {@code <app>.<n>}, host 10.0.0.1, port 20000 + n. */
    static Task task(String appId, int n) {
        return new Task(appId + "." + n, "10.0.0.1", 20000 + n);
    }

    static RouteTable table(App... apps) {
        return RouteTable.builder(1).addAll(Arrays.asList(apps)).build();
    }
}
