package io.pacer.discovery;

import io.pacer.core.RouteTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A route table listener that records what it was given, when, and on which thread. */
final class Published implements Consumer<RouteTable> {

    record Entry(RouteTable table, long nanos, String thread) { }

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    @Override
    public void accept(RouteTable table) {
        entries.add(new Entry(table, System.nanoTime(), Thread.currentThread().getName()));
    }

    List<Entry> entries() {
        return entries;
    }

    int count() {
        return entries.size();
    }

    RouteTable last() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1).table();
    }

    /** Waits until the last published table routes exactly {@code expected}; returns it. */
    RouteTable await(Map<String, Set<String>> expected) {
        return await(expected, Await.DEFAULT);
    }

    RouteTable await(Map<String, Set<String>> expected, Duration timeout) {
        Await.until(() -> "routes " + expected + ", last published: "
                        + (last() == null ? "nothing" : "v" + last().version() + " " + MarathonModel.view(last())),
                timeout, () -> last() != null && MarathonModel.view(last()).equals(expected));
        return last();
    }
}
