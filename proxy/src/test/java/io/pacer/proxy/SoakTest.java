package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.core.Task;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.SoakMarathon;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short, CI variant of the soak run ({@code benchmarks/soak.sh} is the 10-minute one): a whole
 * Pacer through {@link Pacer#start}, following a fake Marathon, under steady keep-alive load while
 * <ul>
 *   <li>the fake changes the app's task set and announces it on the event stream every 100 ms
 *   (route churn; at least one live task always listed);</li>
 *   <li>upstream tasks are rotated every second: a new one is started and listed, the oldest is
 *   delisted, and closed only once Pacer's table no longer has it (as a rolling deploy does);</li>
 *   <li>the fake ends Marathon's event stream every 2 s, and Pacer reopens it.</li>
 * </ul>
 * Every request must get a 200 from a live task; this JVM's open file descriptors must not grow
 * (Linux only); leaked buffers are caught by the LeakCheckExtension. Duration: system property
 * {@code pacer.soak.seconds} (default 15).
 */
class SoakTest {

    private static final int CLIENTS = 8;
    private static final int INITIAL_TASKS = 3;
    private static final int FD_SLACK = 20;
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(10);
    private static final Path FD_DIR = Path.of("/proc/self/fd");
    private static final String REQUEST = "GET /app/soak?n=1 HTTP/1.1\r\nHost: soak.test\r\n\r\n";

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final List<String> failureSamples = new CopyOnWriteArrayList<>();
    private final List<Throwable> problems = new CopyOnWriteArrayList<>();
    private final AtomicInteger swaps = new AtomicInteger();
    private final AtomicInteger rotations = new AtomicInteger();
    private final AtomicInteger upstreamNames = new AtomicInteger();
    /**
     * Upstreams not closed yet. Not each tracked by the Closer: a test upstream records every
     * request, and a closed one kept reachable would make the heap figures meaningless.
     */
    private final Set<TestUpstream> upstreams = ConcurrentHashMap.newKeySet();

    @Test
    void steadyLoadWithChurnUpstreamRestartsAndStreamDropsFailsNothingAndLeaksNothing() throws Exception {
        long seconds = Long.getLong("pacer.soak.seconds", 15);
        SoakMarathon marathon = open.track(new SoakMarathon(0));
        open.track(() -> upstreams.forEach(TestUpstream::close));
        List<TestUpstream> live = new CopyOnWriteArrayList<>();
        for (int i = 0; i < INITIAL_TASKS; i++) {
            live.add(newUpstream());
        }
        marathon.publish(ports(live));

        PacerConfig config = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("soak")
                .workerThreads(2)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(IO_TIMEOUT)
                .streamWatchdog(Duration.ofSeconds(5))
                .marathon(List.of(marathon.uri()))
                .build();
        Pacer pacer = open.track(Pacer.start(config, dir.resolve("pacer.toml")));
        Await.until(Duration.ofSeconds(10), () -> routedPorts(pacer).containsAll(ports(live)),
                () -> "Pacer routes " + ports(live) + "; it has " + routedPorts(pacer));
        InetSocketAddress proxy = pacer.server().localAddress();

        // Load: CLIENTS keep-alive connections, each a closed loop of GETs, until told to stop.
        AtomicLong stopAt = new AtomicLong(System.nanoTime() + TimeUnit.DAYS.toNanos(1));
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, daemon("soak-client"));
        open.track(() -> shutdown(clients));
        List<Future<?>> loops = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            loops.add(clients.submit(() -> clientLoop(proxy, stopAt)));
        }
        Await.until(Duration.ofSeconds(10), () -> requests.sum() >= 2_000, "2000 warm-up requests");

        // Start figures, then the disturbances, then the run.
        Figures start = Figures.take();
        ScheduledExecutorService churn = Executors.newScheduledThreadPool(2, daemon("soak-churn"));
        open.track(() -> shutdown(churn));
        AtomicInteger tick = new AtomicInteger();
        churn.scheduleWithFixedDelay(guarded(() -> {
            List<Integer> ports = ports(live);
            int n = tick.incrementAndGet();
            if (n % 2 == 1 && ports.size() > 1) {
                ports.remove(n / 2 % ports.size()); // an odd tick delists one task, an even one lists all again
            }
            marathon.publish(ports);
            swaps.incrementAndGet();
        }), 100, 100, TimeUnit.MILLISECONDS);
        churn.scheduleWithFixedDelay(guarded(marathon::dropStreams), 2, 2, TimeUnit.SECONDS);
        churn.scheduleWithFixedDelay(guarded(() -> rotate(pacer, marathon, live)), 1, 1, TimeUnit.SECONDS);

        stopAt.set(System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
        for (Future<?> loop : loops) {
            loop.get(seconds + 30, TimeUnit.SECONDS);
        }
        churn.shutdown();
        assertTrue(churn.awaitTermination(30, TimeUnit.SECONDS), "the churn and rotation tasks finished");
        int drops = marathon.drops();
        Await.until(Duration.ofSeconds(10), () -> marathon.streamsOpened() > drops,
                () -> "Pacer reopened the event stream after the last of " + drops + " drops ("
                        + marathon.streamsOpened() + " opened)");

        // End figures: the last rotation's upstream is closed synchronously, so its descriptors are
        // gone; anything above the slack that does not settle within the deadline is a leak.
        Figures end = Figures.take();
        if (start.fds >= 0) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (end.fds > start.fds + FD_SLACK && System.nanoTime() < deadline) {
                end = Figures.take();
            }
        }
        System.out.printf("SoakTest: %ds, %d requests, %d failed, %d route swaps, %d upstream rotations, "
                        + "%d stream drops (%d streams opened), fds %d -> %d, heap used %d KiB -> %d KiB%n",
                seconds, requests.sum(), failures.sum(), swaps.get(), rotations.get(), drops,
                marathon.streamsOpened(), start.fds, end.fds, start.heap / 1024, end.heap / 1024);

        assertEquals(List.of(), problems, "the churn, rotation and stream-drop tasks ran without error");
        assertEquals(0, failures.sum(), () -> failures.sum() + " of " + requests.sum()
                + " requests failed; first: " + failureSamples);
        assertTrue(requests.sum() > 2_000, "load was applied: " + requests.sum());
        assertTrue(rotations.get() >= Math.max(1, seconds / 2), "upstreams were rotated: " + rotations.get());
        assertTrue(drops >= Math.max(1, seconds / 4), "the event stream was dropped: " + drops);
        assertTrue(swaps.get() >= seconds * 5, "routes were churned: " + swaps.get());
        if (start.fds >= 0) {
            assertTrue(end.fds <= start.fds + FD_SLACK,
                    "open file descriptors grew from " + start.fds + " to " + end.fds);
        }
    }

    // ---- load ----------------------------------------------------------------------------------

    private void clientLoop(InetSocketAddress proxy, AtomicLong stopAt) {
        RawHttp connection = null;
        try {
            while (System.nanoTime() - stopAt.get() < 0) {
                try {
                    if (connection == null) {
                        connection = RawHttp.connect(proxy);
                    }
                    RawResponse response = connection.send(REQUEST).readResponse(IO_TIMEOUT);
                    requests.increment();
                    if (response.status() != 200 || !response.bodyText().startsWith("up-")) {
                        fail(response.status() + " " + response.bodyText());
                    }
                    if ("close".equalsIgnoreCase(response.header("Connection"))) {
                        fail("Pacer closed a keep-alive connection");
                        connection.close();
                        connection = null;
                    }
                } catch (IOException e) {
                    requests.increment();
                    fail(e.toString());
                    closeQuietly(connection);
                    connection = null;
                }
            }
        } finally {
            closeQuietly(connection);
        }
    }

    private void fail(String what) {
        failures.increment();
        if (failureSamples.size() < 5) {
            failureSamples.add(what);
        }
    }

    // ---- upstream rotation ---------------------------------------------------------------------

    private TestUpstream newUpstream() {
        String name = "soak-" + upstreamNames.incrementAndGet();
        AtomicInteger port = new AtomicInteger();
        TestUpstream up = TestUpstream.start(name, req -> Reply.ok("up-" + port.get()));
        upstreams.add(up);
        port.set(up.port());
        return up;
    }

    /**
     * A rolling restart of one task: the new one is listed first, then the oldest is delisted and
     * closed once Pacer no longer routes to it (a table built from a {@code /v2/apps} answer given
     * after the delisting is in force), after its connections drained or 3 s, whichever is first.
     */
    private void rotate(Pacer pacer, SoakMarathon marathon, List<TestUpstream> live) {
        TestUpstream fresh = newUpstream();
        live.add(fresh);
        TestUpstream old = live.remove(0);
        long delisted = marathon.publish(ports(live));
        int port = old.port();
        Await.until(Duration.ofSeconds(10),
                () -> marathon.servedGeneration() >= delisted && !routedPorts(pacer).contains(port),
                () -> "Pacer dropped task " + port + "; it routes " + routedPorts(pacer));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (old.openConnections() > 0 && System.nanoTime() - deadline < 0) {
            Thread.onSpinWait();
            Thread.yield();
        }
        assertEquals(List.of(), old.errors(), old + " saw no handler errors");
        old.close();
        upstreams.remove(old);
        rotations.incrementAndGet();
    }

    private static List<Integer> ports(List<TestUpstream> upstreams) {
        List<Integer> out = new ArrayList<>();
        for (TestUpstream up : upstreams) {
            out.add(up.port());
        }
        return out;
    }

    private static Set<Integer> routedPorts(Pacer pacer) {
        Set<Integer> out = ConcurrentHashMap.newKeySet();
        for (App app : pacer.server().routes().apps()) {
            for (Task task : app.tasks()) {
                out.add(task.port());
            }
        }
        return out;
    }

    // ---- figures -------------------------------------------------------------------------------

    /** Open descriptors of this JVM (-1 where /proc is missing) and heap used after a collection. */
    private record Figures(long fds, long heap) {
        static Figures take() throws IOException {
            long fds = -1;
            if (Files.isDirectory(FD_DIR)) {
                try (Stream<Path> entries = Files.list(FD_DIR)) {
                    fds = entries.count();
                }
            }
            Runtime rt = Runtime.getRuntime();
            System.gc();
            return new Figures(fds, rt.totalMemory() - rt.freeMemory());
        }
    }

    // ---- plumbing ------------------------------------------------------------------------------

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                problems.add(t);
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void shutdown(ExecutorService executor) throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(15, TimeUnit.SECONDS), executor + " stopped");
    }

    private static void closeQuietly(RawHttp connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (IOException ignored) {
                // closing after a failure
            }
        }
    }
}
