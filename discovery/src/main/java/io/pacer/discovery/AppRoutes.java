package io.pacer.discovery;

import io.pacer.core.App;
import io.pacer.core.HostPatterns;
import io.pacer.core.Prefixes;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which of Marathon's apps and tasks take traffic, and at which path prefixes.
 *
 * <p>Deterministic: the same apps give equal {@link App}s, so an unchanged Marathon model gives an
 * unchanged table and nothing is republished. Apps keep Marathon's order, because that order
 * settles prefix conflicts (the first app keeps the prefix).
 */
public final class AppRoutes {

    /** Only apps carrying this label with the configured realm are routed, as with Nixy. */
    public static final String REALM_LABEL = "NIXY_REALM";
    /** Space-separated names, each served at {@code /<name>/}, as Nixy's {@code Hosts}. */
    public static final String SUBDOMAIN_LABEL = "subdomain";
    /** Read when {@value #SUBDOMAIN_LABEL} is absent, as Nixy does. */
    public static final String MOXY_SUBDOMAIN_LABEL = "moxy_subdomain";
    /** Space-separated path prefixes, served before the app id's own. */
    public static final String PATH_LABEL = "PACER_PATH";
    /** Comma-separated virtual hosts: exact names or {@code *.example.org} wildcards. */
    public static final String VHOST_LABEL = "PACER_VHOST";
    /** marathon-lb's virtual hosts for the app's first port, read as {@value #VHOST_LABEL}. */
    public static final String HAPROXY_VHOST_LABEL = "HAPROXY_0_VHOST";
    /**
     * marathon-lb's path for the app's first port: with virtual hosts, the paths served on them;
     * without, path prefixes like {@value #PATH_LABEL}.
     */
    public static final String HAPROXY_PATH_LABEL = "HAPROXY_0_PATH";

    private static final Logger log = LoggerFactory.getLogger(AppRoutes.class);

    /** Marathon's own order is not guaranteed stable, so tasks are sorted to keep tables equal. */
    private static final Comparator<Task> TASK_ORDER = Comparator.comparing(Task::id)
            .thenComparing(Task::host).thenComparingInt(Task::port);

    private AppRoutes() { }

    /**
     * The routing view of {@code marathonApps}: every app of the realm, in Marathon's order, with
     * its prefixes and the tasks that may take traffic. An app with no such task is still listed,
     * with no tasks, so that it can be reported; the route table leaves it out.
     */
    public static List<App> apps(List<MarathonApp> marathonApps, RouteOptions options) {
        return apps(marathonApps, options, (app, task) -> false);
    }

    /**
     * Decides whether a task of an app with health checks, which Marathon lists with no result at
     * all, takes traffic anyway (see {@link ElectionGuard}).
     */
    @FunctionalInterface
    public interface WithoutHealthResults {
        boolean keeps(MarathonApp app, MarathonTask task);
    }

    /**
     * As {@link #apps(List, RouteOptions)}, but a running task whose app has health checks and that
     * Marathon lists with no result yet is routed when {@code withoutResults} says so.
     */
    public static List<App> apps(List<MarathonApp> marathonApps, RouteOptions options,
                                 WithoutHealthResults withoutResults) {
        List<App> out = new ArrayList<>(marathonApps.size());
        Set<String> seen = new HashSet<>();
        for (MarathonApp app : marathonApps) {
            if (options.realm() != null && !options.realm().equals(app.label(REALM_LABEL))) {
                continue;
            }
            if (!seen.add(app.id())) {
                log.warn("Marathon listed app {} twice; keeping the first", app.id());
                continue;
            }
            out.add(route(app, options, tasks(app, withoutResults)));
        }
        return List.copyOf(out);
    }

    /**
     * The app's routes: in path mode its prefixes, plus its explicit virtual hosts; in host mode
     * (Nixy's default template) its Nixy names as {@code NAME} and {@code NAME.*}, plus the explicit
     * ones, and only the prefixes a label asks for.
     */
    private static App route(MarathonApp app, RouteOptions options, List<Task> tasks) {
        List<String> vhosts = vhosts(app);
        List<String> haproxyPaths = normalizedPrefixes(app, HAPROXY_PATH_LABEL, app.label(HAPROXY_PATH_LABEL));
        List<String> prefixes;
        List<String> hosts = new ArrayList<>(vhosts);
        if (options.byHost()) {
            prefixes = normalizedPrefixes(app, PATH_LABEL, app.label(PATH_LABEL));
            for (String name : nixyNames(app)) {
                hosts.add(name);
                hosts.add(name + ".*");
            }
        } else {
            prefixes = prefixes(app);
        }
        List<String> hostPrefixes = List.of("/");
        if (!haproxyPaths.isEmpty()) {
            if (hosts.isEmpty()) {
                Set<String> all = new LinkedHashSet<>(haproxyPaths);
                all.addAll(prefixes);
                prefixes = List.copyOf(all);
            } else {
                hostPrefixes = haproxyPaths;
            }
        }
        return new App(app.id(), prefixes, tasks, List.copyOf(new LinkedHashSet<>(hosts)), hostPrefixes,
                AppLabels.options(app));
    }

    /** {@value #VHOST_LABEL} then {@value #HAPROXY_VHOST_LABEL}, normalized; bad names are logged and skipped. */
    static List<String> vhosts(MarathonApp app) {
        Set<String> out = new LinkedHashSet<>();
        for (String label : List.of(VHOST_LABEL, HAPROXY_VHOST_LABEL)) {
            String value = app.label(label);
            if (value == null || value.isBlank()) {
                continue;
            }
            for (String raw : value.split("[,\\s]+")) {
                if (raw.isEmpty()) {
                    continue;
                }
                try {
                    out.add(HostPatterns.normalize(raw));
                } catch (IllegalArgumentException e) {
                    log.warn("App {}: ignoring label {} entry '{}': {}", app.id(), label, raw, e.getMessage());
                }
            }
        }
        return List.copyOf(out);
    }

    private static List<String> normalizedPrefixes(MarathonApp app, String label, String value) {
        List<String> out = new ArrayList<>();
        for (String raw : words(value)) {
            try {
                out.add(Prefixes.normalize(raw));
            } catch (IllegalArgumentException e) {
                log.warn("App {}: ignoring label {} entry '{}': {}", app.id(), label, raw, e.getMessage());
            }
        }
        return out;
    }

    /**
     * The app's names as Nixy gives them, in Nixy's order: those of {@value #SUBDOMAIN_LABEL}
     * (else {@value #MOXY_SUBDOMAIN_LABEL}), else its id reversed and dotted ({@code cart.shop}).
     */
    public static List<String> nixyNames(MarathonApp app) {
        String label = SUBDOMAIN_LABEL;
        String names = app.label(SUBDOMAIN_LABEL);
        if (names == null || names.isBlank()) {
            label = MOXY_SUBDOMAIN_LABEL;
            names = app.label(MOXY_SUBDOMAIN_LABEL);
        }
        List<String> out = new ArrayList<>();
        for (String name : words(names)) {
            if (isDnsLabel(name)) {
                out.add(name);
            } else {
                log.warn("App {}: ignoring label {} name '{}': not a valid DNS label", app.id(), label, name);
            }
        }
        if (out.isEmpty()) {
            String nixyName = nixyName(app.id());
            if (nixyName != null) {
                out.add(nixyName);
            }
        }
        return out;
    }

    /**
     * The route table for {@code apps}. Prefixes claimed twice stay with the first app; each such
     * conflict is logged, since the losing app is silently unreachable at that prefix otherwise.
     */
    public static RouteTable toTable(List<App> apps, long version) {
        RouteTable table = RouteTable.builder(version).addAll(apps).build();
        for (RouteTable.PrefixConflict c : table.conflicts()) {
            log.warn("Prefix {} of app {} is already served by app {}; {} is not routed there",
                    c.prefix(), c.loser(), c.owner(), c.loser());
        }
        for (RouteTable.HostConflict c : table.hostConflicts()) {
            log.warn("Host {} (prefix {}) of app {} is already served by app {}; {} is not routed there",
                    c.host(), c.prefix(), c.loser(), c.owner(), c.loser());
        }
        return table;
    }

    /**
     * The app's prefixes, without duplicates: those of {@value #PATH_LABEL}, then the app id,
     * then one per name of {@value #SUBDOMAIN_LABEL} (else {@value #MOXY_SUBDOMAIN_LABEL}).
     */
    /** {@code /shop/cart} as Nixy names it, {@code cart.shop}; {@code null} when not a valid name. */
    static String nixyName(String id) {
        List<String> parts = new java.util.ArrayList<>();
        for (String part : id.split("/")) {
            if (!part.isEmpty()) {
                parts.add(0, part);
            }
        }
        if (parts.isEmpty()) {
            return null;
        }
        for (String part : parts) {
            if (!isDnsLabel(part)) {
                return null;
            }
        }
        return String.join(".", parts);
    }

    static List<String> prefixes(MarathonApp app) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : words(app.label(PATH_LABEL))) {
            try {
                out.add(Prefixes.normalize(raw));
            } catch (IllegalArgumentException e) {
                log.warn("App {}: ignoring label {} entry '{}': {}", app.id(), PATH_LABEL, raw, e.getMessage());
            }
        }
        try {
            out.add(Prefixes.normalize(app.id()));
        } catch (IllegalArgumentException e) {
            log.warn("App {}: its id is not a usable path prefix: {}", app.id(), e.getMessage());
        }
        // A blank subdomain label names nothing, so it does not hide moxy_subdomain. Without names,
        // Nixy's own name for the app, its id reversed and dotted (/shop/cart is cart.shop), which
        // the seed's template served at /cart.shop/: those URLs keep working.
        for (String name : nixyNames(app)) {
            out.add("/" + name + "/");
        }
        return List.copyOf(out);
    }

    /**
     * An RFC 1123 host name label: 1 to 63 letters, digits and hyphens, not starting or ending
     * with a hyphen. Such a name is always a safe path segment too.
     */
    static boolean isDnsLabel(String name) {
        int n = name.length();
        if (n == 0 || n > 63 || name.charAt(0) == '-' || name.charAt(n - 1) == '-') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static List<Task> tasks(MarathonApp app, WithoutHealthResults withoutResults) {
        List<Task> out = new ArrayList<>(app.tasks().size());
        for (MarathonTask task : app.tasks()) {
            Task routed = route(app, task, withoutResults);
            if (routed != null) {
                out.add(routed);
            }
        }
        out.sort(TASK_ORDER);
        return out;
    }

    /** Where {@code task} takes traffic, or {@code null} when it must not get any. */
    static Task route(MarathonApp app, MarathonTask task) {
        return route(app, task, (a, t) -> false);
    }

    private static Task route(MarathonApp app, MarathonTask task, WithoutHealthResults withoutResults) {
        if (!task.isRunning() || !healthy(app, task, withoutResults) || !ready(app, task)) {
            return null;
        }
        String host;
        int port;
        if (!task.ports().isEmpty()) {
            host = task.host();
            port = task.ports().get(0);
        } else if (!task.ipAddresses().isEmpty() && !app.portMappings().isEmpty()) {
            // On a container network the task has no host port: it listens on its own IP at the
            // container port Marathon maps first, as Marathon's own service discovery reads it.
            host = task.ipAddresses().get(0);
            port = app.portMappings().get(0).containerPort();
        } else {
            return null;
        }
        if (host.isEmpty()) {
            return null;
        }
        try {
            return new Task(task.id(), host, port);
        } catch (IllegalArgumentException e) {
            log.warn("App {}: task {} is not routable: {}", app.id(), task.id(), e.getMessage());
            return null;
        }
    }

    /**
     * With health checks, every result must be alive, and there must be some: a task still in
     * its grace period has none yet and may not be serving. A task with no result at all is asked
     * about: after a Marathon leader election every task looks like that for a while.
     */
    private static boolean healthy(MarathonApp app, MarathonTask task, WithoutHealthResults withoutResults) {
        if (!app.hasHealthChecks()) {
            return true;
        }
        if (task.healthCheckResults().isEmpty()) {
            return withoutResults.keeps(app, task);
        }
        return !task.healthCheckResults().contains(Boolean.FALSE);
    }

    /**
     * Marathon reports readiness only for tasks a deployment is still waiting on, so a task with
     * no result is ready; one with a result saying otherwise is not yet.
     */
    private static boolean ready(MarathonApp app, MarathonTask task) {
        if (!app.hasReadinessChecks()) {
            return true;
        }
        for (MarathonApp.ReadinessResult r : app.readinessCheckResults()) {
            if (!r.ready() && r.taskId().equals(task.id())) {
                return false;
            }
        }
        return true;
    }

    private static List<String> words(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return List.of(value.strip().split("\\s+"));
    }
}
