package io.pacer.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What changed between two route tables, app by app: for the one log line per table change and
 * for closing pooled connections to tasks that left.
 */
public record RouteTableDiff(List<String> appsAdded, List<String> appsRemoved,
                             List<Task> tasksAdded, List<Task> tasksRemoved) {

    public static RouteTableDiff between(RouteTable before, RouteTable after) {
        Map<String, App> old = byId(before);
        Map<String, App> now = byId(after);
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        for (String id : now.keySet()) {
            if (!old.containsKey(id)) {
                added.add(id);
            }
        }
        for (String id : old.keySet()) {
            if (!now.containsKey(id)) {
                removed.add(id);
            }
        }
        Set<Task> oldTasks = before.tasks();
        Set<Task> newTasks = after.tasks();
        List<Task> tasksAdded = new ArrayList<>();
        for (Task t : newTasks) {
            if (!oldTasks.contains(t)) {
                tasksAdded.add(t);
            }
        }
        List<Task> tasksRemoved = new ArrayList<>();
        for (Task t : oldTasks) {
            if (!newTasks.contains(t)) {
                tasksRemoved.add(t);
            }
        }
        return new RouteTableDiff(List.copyOf(added), List.copyOf(removed),
                List.copyOf(tasksAdded), List.copyOf(tasksRemoved));
    }

    public boolean isEmpty() {
        return appsAdded.isEmpty() && appsRemoved.isEmpty() && tasksAdded.isEmpty() && tasksRemoved.isEmpty();
    }

    /** Every {@code host:port} that some task of {@code table} listens on. */
    public static Set<String> addresses(RouteTable table) {
        Set<String> out = new HashSet<>();
        for (Task t : table.tasks()) {
            out.add(t.address());
        }
        return out;
    }

    private static Map<String, App> byId(RouteTable table) {
        Map<String, App> out = new HashMap<>();
        for (App app : table.apps()) {
            out.put(app.id(), app);
        }
        return out;
    }

    @Override
    public String toString() {
        return "+" + appsAdded.size() + "/-" + appsRemoved.size() + " apps, +"
                + tasksAdded.size() + "/-" + tasksRemoved.size() + " tasks";
    }
}
