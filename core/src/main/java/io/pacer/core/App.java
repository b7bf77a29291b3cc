package io.pacer.core;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An app as routing sees it: its Marathon id, the path prefixes it is served at, the virtual hosts
 * it is served at (each with its own path prefixes, {@code /} for the whole host) and the tasks
 * that currently take its traffic. Immutable except for the round-robin cursor, which is shared by
 * every event loop so that the tasks share the load evenly across connections.
 *
 * <p>Equality ignores the cursor: two apps are equal when their id, prefixes and tasks are.
 */
public final class App {

    private final String id;
    private final List<String> prefixes;
    private final List<Task> tasks;
    private final List<String> hosts;
    private final List<String> hostPrefixes;
    private final AppOptions options;
    private final AtomicInteger cursor = new AtomicInteger();

    /** An app served at path prefixes only. */
    public App(String id, List<String> prefixes, List<Task> tasks) {
        this(id, prefixes, tasks, List.of(), List.of("/"), AppOptions.DEFAULTS);
    }

    /**
     * @param hosts        host patterns ({@link HostPatterns}) the app is served at, whatever the path
     *                     prefixes say
     * @param hostPrefixes the path prefixes served on those hosts; {@code /} for every path
     */
    public App(String id, List<String> prefixes, List<Task> tasks, List<String> hosts, List<String> hostPrefixes) {
        this(id, prefixes, tasks, hosts, hostPrefixes, AppOptions.DEFAULTS);
    }

    /** @param options what the app's labels change of the proxy's behaviour */
    public App(String id, List<String> prefixes, List<Task> tasks, List<String> hosts, List<String> hostPrefixes,
               AppOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.id = Objects.requireNonNull(id, "id");
        this.prefixes = List.copyOf(prefixes);
        this.tasks = List.copyOf(tasks);
        this.hosts = List.copyOf(hosts);
        this.hostPrefixes = hostPrefixes.isEmpty() ? List.of("/") : List.copyOf(hostPrefixes);
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

    /** Host patterns, in the order the app's labels give them. */
    public List<String> hosts() {
        return hosts;
    }

    public AppOptions options() {
        return options;
    }

    /** Path prefixes served on {@link #hosts()}; {@code [/]} unless a label narrows them. */
    public List<String> hostPrefixes() {
        return hostPrefixes;
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
                && hosts.equals(other.hosts)
                && hostPrefixes.equals(other.hostPrefixes)
                && options.equals(other.options);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, prefixes, tasks, hosts, hostPrefixes, options);
    }

    @Override
    public String toString() {
        return "App{" + id + " " + prefixes + (hosts.isEmpty() ? "" : " hosts " + hosts + hostPrefixes) + " "
                + tasks.size() + " tasks}";
    }
}
