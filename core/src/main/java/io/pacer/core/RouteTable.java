package io.pacer.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of the routing table: path prefix to app, and virtual host (then path
 * prefix) to app. Built whole off the hot path and
 * published by swapping one reference, so a request always sees one consistent table.
 *
 * <p>Lookup is longest-prefix by path segment: {@code /api/} matches {@code /api/x} but never
 * {@code /apix}. Its cost depends on how deep the path is, not on how many apps there are, and it
 * allocates nothing (see {@link PrefixIndex}). A request whose {@code Host} names a virtual host
 * is routed by that host's prefixes first (see {@link HostIndex}), then by the table's own.
 */
public final class RouteTable {

    private static final RouteTable EMPTY = new Builder(0).build();

    private final long version;
    private final List<App> apps;
    private final Map<String, App> routes;
    private final List<PrefixConflict> conflicts;
    private final PrefixIndex index;
    private final Map<String, Map<String, App>> hostRoutes;
    private final List<HostConflict> hostConflicts;
    private final HostIndex hostIndex;
    private volatile Set<Task> tasks;

    private RouteTable(long version, List<App> apps, Map<String, App> routes, List<PrefixConflict> conflicts,
                       PrefixIndex index, Map<String, Map<String, App>> hostRoutes, List<HostConflict> hostConflicts,
                       HostIndex hostIndex) {
        this.version = version;
        this.apps = apps;
        this.routes = routes;
        this.conflicts = conflicts;
        this.index = index;
        this.hostRoutes = hostRoutes;
        this.hostConflicts = hostConflicts;
        this.hostIndex = hostIndex;
    }

    /** A table with no routes: every request answers 503. */
    public static RouteTable empty() {
        return EMPTY;
    }

    public static Builder builder(long version) {
        return new Builder(version);
    }

    /**
     * Finds what serves {@code uri} (a request target in origin form; the query, if any, is
     * ignored). Returns {@code null} when nothing does.
     */
    public RouteMatch lookup(String uri) {
        return index.lookup(uri);
    }

    /**
     * Finds what serves {@code uri} on {@code host} (a {@code Host} header value, port and case
     * ignored; may be {@code null}): the virtual host's prefixes when a host pattern matches and
     * one of its prefixes does, else the path prefixes. Returns {@code null} when nothing does.
     */
    public RouteMatch lookup(String host, String uri) {
        PrefixIndex vhost = hostIndex.lookup(host);
        if (vhost != null) {
            RouteMatch match = vhost.lookup(uri);
            if (match != null) {
                return match;
            }
        }
        return index.lookup(uri);
    }

    /** Monotonic number of this snapshot, for logs, metrics and the admin API. */
    public long version() {
        return version;
    }

    /** The apps that own at least one route, in the order they were added. */
    public List<App> apps() {
        return apps;
    }

    /**
     * Every task of every app, each once, in app order: what the data plane may hold connections
     * to. Computed on the first call and kept: with Marathon events applied one by one, a table of
     * 30,000 tasks is published for every event, and the data plane and discovery both ask.
     */
    public Set<Task> tasks() {
        Set<Task> out = tasks;
        if (out == null) {
            // A benign race: two threads may both compute it; both get equal sets.
            // Sized up front: growing a 30,000-entry set rehashes it several times.
            int count = 0;
            for (App app : apps) {
                count += app.tasks().size();
            }
            Set<Task> all = new LinkedHashSet<>(Math.max(16, (int) (count / 0.75f) + 1));
            for (App app : apps) {
                all.addAll(app.tasks());
            }
            out = Collections.unmodifiableSet(all);
            tasks = out;
        }
        return out;
    }

    /** Prefix (with trailing slash) to the app serving it, in insertion order. */
    public Map<String, App> routes() {
        return routes;
    }

    /** Prefixes that more than one app claimed; the first app kept each of them. */
    public List<PrefixConflict> conflicts() {
        return conflicts;
    }

    /** Host pattern to its prefixes and the app serving each, in insertion order. */
    public Map<String, Map<String, App>> hostRoutes() {
        return hostRoutes;
    }

    /** Host and prefix pairs that more than one app claimed; the first app kept each of them. */
    public List<HostConflict> hostConflicts() {
        return hostConflicts;
    }

    /** Same routes to the same tasks, whatever the version. */
    public boolean sameRoutesAs(RouteTable other) {
        return routes.equals(other.routes) && hostRoutes.equals(other.hostRoutes);
    }

    @Override
    public String toString() {
        return "RouteTable{v" + version + ", " + routes.size() + " routes}";
    }

    /** A prefix claimed by {@code loser} while {@code owner} already held it. */
    public record PrefixConflict(String prefix, String owner, String loser) { }

    /** {@code host} and {@code prefix} claimed by {@code loser} while {@code owner} already held them. */
    public record HostConflict(String host, String prefix, String owner, String loser) { }

    /** Collects apps, resolves prefix conflicts (first come keeps it) and builds the index. */
    public static final class Builder {
        private final long version;
        private final Map<String, App> routes = new LinkedHashMap<>();
        private final List<App> apps = new ArrayList<>();
        private final List<PrefixConflict> conflicts = new ArrayList<>();
        private final Map<String, Map<String, App>> hostRoutes = new LinkedHashMap<>();
        private final List<HostConflict> hostConflicts = new ArrayList<>();

        private Builder(long version) {
            this.version = version;
        }

        /**
         * Adds every prefix of {@code app}. An app with no task is left out: its paths answer 503,
         * as for an unknown app. A prefix already taken stays with its first owner.
         *
         * @throws IllegalArgumentException when a prefix is invalid; nothing of the app is added
         */
        public Builder add(App app) {
            if (app.tasks().isEmpty()) {
                return this;
            }
            // Validate every prefix before adding any, so a rejected app leaves no route behind.
            List<String> prefixes = new ArrayList<>(app.prefixes().size());
            for (String raw : app.prefixes()) {
                prefixes.add(Prefixes.normalize(raw));
            }
            List<String> hosts = new ArrayList<>(app.hosts().size());
            for (String raw : app.hosts()) {
                hosts.add(HostPatterns.normalize(raw));
            }
            List<String> hostPrefixes = new ArrayList<>(app.hostPrefixes().size());
            for (String raw : app.hostPrefixes()) {
                hostPrefixes.add(Prefixes.normalize(raw));
            }
            boolean routed = false;
            for (String host : hosts) {
                Map<String, App> paths = hostRoutes.computeIfAbsent(host, h -> new LinkedHashMap<>());
                for (String prefix : hostPrefixes) {
                    App owner = paths.putIfAbsent(prefix, app);
                    if (owner == null) {
                        routed = true;
                    } else if (owner != app) {
                        hostConflicts.add(new HostConflict(host, prefix, owner.id(), app.id()));
                    }
                }
            }
            for (String prefix : prefixes) {
                App owner = routes.putIfAbsent(prefix, app);
                if (owner == null) {
                    routed = true;
                } else if (owner != app) {
                    conflicts.add(new PrefixConflict(prefix, owner.id(), app.id()));
                }
            }
            if (routed) {
                apps.add(app);
            }
            return this;
        }

        public Builder addAll(Iterable<App> all) {
            for (App app : all) {
                add(app);
            }
            return this;
        }

        public RouteTable build() {
            Map<String, App> frozen = Collections.unmodifiableMap(new LinkedHashMap<>(routes));
            Map<String, Map<String, App>> hosts = new LinkedHashMap<>();
            Map<String, PrefixIndex> hostIndexes = new LinkedHashMap<>();
            hostRoutes.forEach((host, paths) -> {
                Map<String, App> frozenPaths = Collections.unmodifiableMap(new LinkedHashMap<>(paths));
                hosts.put(host, frozenPaths);
                hostIndexes.put(host, PrefixIndex.of(frozenPaths));
            });
            return new RouteTable(version, List.copyOf(apps), frozen, List.copyOf(conflicts),
                    PrefixIndex.of(frozen), Collections.unmodifiableMap(hosts), List.copyOf(hostConflicts),
                    HostIndex.of(hostIndexes));
        }
    }
}
