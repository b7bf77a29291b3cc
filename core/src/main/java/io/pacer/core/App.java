package io.pacer.core;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app as routing sees it: its Marathon id, the path prefixes it is served at, the tasks
 * that currently take its traffic and what it asks of HTTPS. Immutable except for the round-robin cursor, which is shared by
 * every event loop so that the tasks share the load evenly across connections.
 *
 * <p>Equality ignores the cursor: two apps are equal when their id, prefixes, tasks and HTTPS
 * policy are.
 */
public final class App {

    private final String id;
    private final List<String> prefixes;
    private final List<Task> tasks;
    private final HttpsPolicy https;
    private final AtomicInteger cursor = new AtomicInteger();

    public App(String id, List<String> prefixes, List<Task> tasks) {
        this(id, prefixes, tasks, HttpsPolicy.NONE);
    }

    public App(String id, List<String> prefixes, List<Task> tasks, HttpsPolicy https) {
        this.id = Objects.requireNonNull(id, "id");
        this.prefixes = List.copyOf(prefixes);
        this.tasks = List.copyOf(tasks);
        this.https = Objects.requireNonNull(https, "https");
    }

    public String id() {
        return id;
    }

    public List<String> prefixes() {
        return prefixes;
    }

    public List<Task> tasks() {
        return tasks;
    }

    /** Redirect to HTTPS and HSTS, from the app's labels. */
    public HttpsPolicy https() {
        return https;
    }

    /**
     * Where a new request starts in the task list. Attempt {@code k} of that request goes to
     * {@link #task(int, int) task(start, k)}, so a retry never lands on a task already tried for
     * the same request until every task was tried once.
     */
    public int nextStart() {
        return cursor.getAndIncrement() & Integer.MAX_VALUE;
    }

    /** The task for attempt {@code attempt} (0-based) of a request that started at {@code start}. */
    public Task task(int start, int attempt) {
        return tasks.get((int) (((long) start + attempt) % tasks.size()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof App other
                && id.equals(other.id)
                && prefixes.equals(other.prefixes)
                && tasks.equals(other.tasks)
                && https.equals(other.https);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, prefixes, tasks, https);
    }

    @Override
    public String toString() {
        return "App{" + id + " " + prefixes + " " + tasks.size() + " tasks}";
    }
}
