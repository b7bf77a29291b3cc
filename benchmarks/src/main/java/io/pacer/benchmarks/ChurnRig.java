package io.pacer.benchmarks;

import io.pacer.config.ConfigLoader;
import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.RouteTableDiff;
import io.pacer.core.Task;
import io.pacer.proxy.Pacer;
import io.pacer.proxy.http.PacerServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pacer under route churn: starts Pacer exactly as {@code java -jar pacer.jar -f FILE} does (same
 * configuration, discovery from its {@code apps_file}, metrics observer), then swaps its route
 * table {@code rate} times a second for {@code duration} seconds, much faster than the apps file
 * source could (it polls once a second). The swaps cycle through four tables built from the loaded
 * one: tasks in the loaded order, reversed, with a third task (a new task id on the first task's
 * address) and reversed again. A task that leaves the table has its idle pooled connections closed,
 * so this exercises the pools as a rolling deployment would.
 *
 * <pre>java -Dpacer.log.level=WARN -cp benchmarks/target/benchmarks.jar io.pacer.benchmarks.ChurnRig \
 *     -f pacer.toml [--rate 10] [--duration 60] [--delay 0] [--mode add-remove|reorder]</pre>
 *
 * <p>{@code --mode reorder} only reorders the tasks (no task ever leaves, so no pooled connection
 * is closed), to tell the cost of publishing tables from the cost of reconnecting.
 * {@code --rate 0} starts Pacer without churn, for a baseline in the same setup. {@code --delay}
 * waits that many seconds before the first swap (to let a load generator warm up). On exit it
 * prints how many swaps it made.
 */
public final class ChurnRig {

    private ChurnRig() { }

    public static void main(String[] args) throws Exception {
        Path file = null;
        double rate = 10;
        double duration = 60;
        double delay = 0;
        boolean addRemove = true;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "-f", "--file" -> file = Path.of(need(args[i], value));
                case "--rate" -> rate = Double.parseDouble(need(args[i], value));
                case "--duration" -> duration = Double.parseDouble(need(args[i], value));
                case "--delay" -> delay = Double.parseDouble(need(args[i], value));
                case "--mode" -> addRemove = switch (need(args[i], value)) {
                    case "add-remove" -> true;
                    case "reorder" -> false;
                    default -> {
                        usage("--mode is add-remove or reorder");
                        yield true;
                    }
                };
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (file == null) {
            usage("-f FILE is required");
        }
        PacerConfig config = ConfigLoader.load(file);
        Pacer pacer = Pacer.start(config, file);
        PacerServer server = pacer.server();
        long deadline = System.nanoTime() + (long) ((delay + duration) * 1e9);
        AtomicBoolean closed = new AtomicBoolean();
        Runnable close = () -> {
            if (closed.compareAndSet(false, true)) {
                pacer.close();
            }
        };
        Runtime.getRuntime().addShutdownHook(new Thread(close, "churn-shutdown"));
        RouteTable loaded = waitForRoutes(server, deadline);
        System.out.println("churn rig: pacer on " + server.localAddress() + " (" + server.transportName() + "), "
                + loaded.routes().size() + " routes, " + rate + " swaps/s (" + (addRemove ? "add-remove" : "reorder") + ") for "
                + duration + " s after " + delay + " s");
        if (rate <= 0) {
            sleepUntil(deadline);
            close.run();
            System.out.println("churn rig: 0 swaps (baseline)");
            System.exit(0);
        }
        Thread.sleep((long) (delay * 1000));
        List<RouteTable> cycle = cycle(loaded, addRemove);
        long periodNanos = (long) (1e9 / rate);
        long next = System.nanoTime();
        long swaps = 0;
        long tasksRemoved = 0;
        RouteTable current = loaded;
        long version = loaded.version() + 1_000_000;
        while (System.nanoTime() < deadline) {
            RouteTable shape = cycle.get((int) (swaps % cycle.size()));
            RouteTable table = RouteTable.builder(version++).addAll(shape.apps()).build();
            // What a real swap does besides publishing: the diff for its log line.
            tasksRemoved += RouteTableDiff.between(current, table).tasksRemoved().size();
            server.updateRoutes(table);
            current = table;
            swaps++;
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        close.run();
        System.out.println("churn rig: " + swaps + " swaps, " + tasksRemoved + " task removals");
        System.exit(0);
    }

    /**
     * Four tables over the same apps: as loaded, reversed, plus a task (or, with
     * {@code addRemove} false, as loaded again), reversed.
     */
    static List<RouteTable> cycle(RouteTable loaded, boolean addRemove) {
        List<List<App>> shapes = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (App app : loaded.apps()) {
            List<Task> tasks = app.tasks();
            List<Task> reversed = new ArrayList<>(tasks);
            java.util.Collections.reverse(reversed);
            Task first = tasks.get(0);
            List<Task> plus = new ArrayList<>(tasks);
            plus.add(new Task(first.id() + ".churn", first.host(), first.port()));
            shapes.get(0).add(app);
            shapes.get(1).add(new App(app.id(), app.prefixes(), reversed));
            shapes.get(2).add(addRemove ? new App(app.id(), app.prefixes(), plus) : new App(app.id(), app.prefixes(), tasks));
            shapes.get(3).add(new App(app.id(), app.prefixes(), reversed));
        }
        List<RouteTable> out = new ArrayList<>();
        for (List<App> apps : shapes) {
            out.add(RouteTable.builder(0).addAll(apps).build());
        }
        return out;
    }

    private static RouteTable waitForRoutes(PacerServer server, long deadline) throws InterruptedException {
        while (server.routes().apps().isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no routes loaded from the apps file");
            }
            Thread.sleep(50);
        }
        return server.routes();
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        }
    }

    private static String need(String flag, String value) {
        if (value == null) {
            usage(flag + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("churn rig: " + problem);
        System.err.println("usage: ChurnRig -f pacer.toml [--rate SWAPS_PER_S] [--duration S] [--delay S] [--mode add-remove|reorder]");
        System.exit(2);
    }
}
