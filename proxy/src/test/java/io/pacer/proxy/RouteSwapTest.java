package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestBodies;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Route tables are swapped with one volatile write (PacerServer.updateRoutes): the next request
 * sees the new table, requests already routed finish on the old one, keep-alive client connections
 * are not touched, and no request fails while tables change under load.
 */
class RouteSwapTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        // Proxy first (it was added last), then the upstreams.
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private TestUpstream upstream(String name) {
        TestUpstream up = TestUpstream.start(name, req -> Reply.ok(name + " " + req.uri()));
        toClose.add(up);
        return up;
    }

    private TestProxy proxy(RouteTable table) {
        TestProxy proxy = TestProxy.start(table);
        toClose.add(proxy);
        return proxy;
    }

    // ---- (a) the next request sees the new table -------------------------------------------

    @Test
    void aRouteChangeIsVisibleToTheNextRequest() throws Exception {
        TestUpstream u1 = upstream("u1");
        TestUpstream u2 = upstream("u2");
        TestUpstream u3 = upstream("u3");
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/a", u1)));

        try (RawHttp keepAlive = proxy.connect()) {
            assertAnswer(get(keepAlive, "/a/1"), "u1", "/a/1");
            assertEquals(503, getOnce(proxy, "/b/1").status(), "no app /b yet");

            // Add an app: the very next request is routed to it, on a new or an old connection.
            proxy.routes(TestProxy.table(TestProxy.app("/a", u1), TestProxy.app("/b", u2)));
            assertAnswer(get(keepAlive, "/b/2"), "u2", "/b/2");
            RawResponse redirect = getOnce(proxy, "/b?q=1");
            assertEquals(301, redirect.status(), "the new app's prefix without its slash redirects");
            assertEquals("/b/?q=1", redirect.header("Location"));
            assertAnswer(getOnce(proxy, "/b/3"), "u2", "/b/3");
            assertAnswer(get(keepAlive, "/a/2"), "u1", "/a/2");

            // Remove an app: 503 at once; the other app is unaffected.
            proxy.routes(TestProxy.table(TestProxy.app("/b", u2)));
            RawResponse gone = getOnce(proxy, "/a/3");
            assertEquals(503, gone.status());
            assertEquals("test-proxy", gone.header("X-Proxy"));
            assertAnswer(get(keepAlive, "/b/4"), "u2", "/b/4");

            // Move an app to another task: every later request goes to the new one.
            proxy.routes(TestProxy.table(TestProxy.app("/a", u3), TestProxy.app("/b", u2)));
            for (int i = 0; i < 5; i++) {
                assertAnswer(get(keepAlive, "/a/m" + i), "u3", "/a/m" + i);
            }
            assertAnswer(getOnce(proxy, "/a/fresh"), "u3", "/a/fresh");

            // And back again.
            proxy.routes(TestProxy.table(TestProxy.app("/a", u1), TestProxy.app("/b", u2)));
            assertAnswer(get(keepAlive, "/a/back"), "u1", "/a/back");
        }
        assertEquals(0, countPath(u1, "/a/m"), "u1 got a request after /a moved away");
        assertEquals(0, countPath(u2, "/a/"), "u2 never served /a");
        assertTrue(u3.requests().stream().allMatch(r -> r.uri().startsWith("/a/")), "u3 only ever served /a");
    }

    @Test
    void aKeepAliveConnectionSeesAnAppGoAndComeBack() throws Exception {
        TestUpstream u1 = upstream("u1");
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/a", u1)));
        try (RawHttp raw = proxy.connect()) {
            assertAnswer(get(raw, "/a/1"), "u1", "/a/1");

            proxy.routes(TestProxy.table());
            RawResponse gone = get(raw, "/a/2");
            assertEquals(503, gone.status());
            assertFalse(gone.headers().containsToken("Connection", "close"), "the 503 keeps the connection");

            // The app is back (a deployment finished): the same connection gets it.
            proxy.routes(TestProxy.table(TestProxy.app("/a", u1)));
            assertAnswer(get(raw, "/a/3"), "u1", "/a/3");
        }
    }

    // ---- pooled upstream connections across swaps ------------------------------------------

    @Test
    void idleConnectionsToATaskThatLeftAreClosedAtTheSwap() throws Exception {
        TestUpstream u1 = upstream("u1");
        TestUpstream u2 = upstream("u2");
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/p", u1)));
        try (RawHttp raw = proxy.connect()) {
            assertAnswer(get(raw, "/p/1"), "u1", "/p/1");
            assertEquals(1, u1.openConnections(), "the connection to u1 waits in the pool");

            proxy.routes(TestProxy.table(TestProxy.app("/p", u2)));
            Await.until(TIMEOUT, () -> u1.openConnections() == 0,
                    () -> "the idle connection to the task that left to close; open: " + u1.openConnections());
            assertAnswer(get(raw, "/p/2"), "u2", "/p/2");
        }
    }

    @Test
    void aSwapThatKeepsATaskKeepsItsPooledConnection() throws Exception {
        TestUpstream u1 = upstream("u1");
        TestUpstream other = upstream("other");
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/p", u1)));
        try (RawHttp raw = proxy.connect()) {
            assertAnswer(get(raw, "/p/0"), "u1", "/p/0");
            for (int i = 1; i <= 20; i++) {
                // A new table (new version, new App objects) in which u1 is still a task of /p,
                // while another app comes and goes.
                proxy.routes(i % 2 == 0 ? TestProxy.table(TestProxy.app("/p", u1))
                        : TestProxy.table(TestProxy.app("/q", other), TestProxy.app("/p", u1)));
                assertAnswer(get(raw, "/p/" + i), "u1", "/p/" + i);
            }
        }
        assertEquals(1, u1.connections(), "every request reused the one pooled connection to u1");
        assertTrue(u1.requests().stream().allMatch(r -> r.connection() == 1));
    }

    // ---- (b) a request in flight finishes on the table it started with ---------------------------

    @Test
    void aRequestInFlightWhenItsAppIsRemovedCompletesFromTheOldTask() throws Exception {
        TestUpstream slow = TestUpstream.start("slow",
                req -> Reply.ok("slow " + req.uri()).delayed(Duration.ofMillis(300)));
        toClose.add(slow);
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/s", slow)));

        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /s/in-flight HTTP/1.1\r\nHost: test\r\n\r\n");
            RecordedRequest arrived = slow.takeRequest(TIMEOUT);
            assertEquals("/s/in-flight", arrived.uri());

            proxy.routes(TestProxy.table());
            assertEquals(503, getOnce(proxy, "/s/after").status(), "the removal is already in force");

            RawResponse r = raw.readResponse(TIMEOUT);
            assertAnswer(r, "slow", "/s/in-flight");
        }
        assertEquals(1, slow.requestCount(), "no request after the removal reached the old task");
        // A busy connection to a task that left is closed when its exchange ends, not pooled.
        Await.until(TIMEOUT, () -> slow.openConnections() == 0,
                () -> "Pacer to close its connection to the removed task; open: " + slow.openConnections());
    }

    @Test
    void aRequestInFlightWhenItsAppMovesCompletesFromTheOldTask() throws Exception {
        TestUpstream slow = TestUpstream.start("slow",
                req -> Reply.ok("slow " + req.uri()).delayed(Duration.ofMillis(300)));
        toClose.add(slow);
        TestUpstream fresh = upstream("fresh");
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/s", slow)));

        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /s/old HTTP/1.1\r\nHost: test\r\n\r\n");
            slow.takeRequest(TIMEOUT);
            proxy.routes(TestProxy.table(TestProxy.app("/s", fresh)));

            assertAnswer(getOnce(proxy, "/s/new"), "fresh", "/s/new");
            assertAnswer(raw.readResponse(TIMEOUT), "slow", "/s/old");
            // The client connection carries on, on the new table.
            assertAnswer(get(raw, "/s/next"), "fresh", "/s/next");
        }
        assertEquals(1, slow.requestCount());
        Await.until(TIMEOUT, () -> slow.openConnections() == 0,
                () -> "Pacer to close its connection to the old task; open: " + slow.openConnections());
    }

    @Test
    void aRetryAfterTheSwapStillUsesTheTableTheRequestStartedWith() throws Exception {
        // The first task answers 502 (retryable) after a while; meanwhile the app leaves the table.
        TestUpstream bad = TestUpstream.start("bad",
                req -> Reply.status(502, "bad gateway from bad").delayed(Duration.ofMillis(300)));
        toClose.add(bad);
        TestUpstream good = upstream("good");
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/r", bad, good)));

        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /r/retry HTTP/1.1\r\nHost: test\r\n\r\n");
            bad.takeRequest(TIMEOUT);
            proxy.routes(TestProxy.table());
            assertEquals(503, getOnce(proxy, "/r/after").status());

            // The retry goes to the next task of the app as it was when the request arrived.
            assertAnswer(raw.readResponse(TIMEOUT), "good", "/r/retry");
        }
        assertEquals(1, good.requestCount());
        Await.until(TIMEOUT, () -> good.openConnections() == 0 && bad.openConnections() == 0,
                () -> "connections to tasks no table has to close; open: bad " + bad.openConnections()
                        + ", good " + good.openConnections());
    }

    @Test
    void aSmallUploadStreamingWhenItsAppIsRemovedCompletesOnTheOldTask() throws Exception {
        uploadAcrossARemoval(20_000);
    }

    /** As above with a body of a usual upload's size, which arrives over many socket reads. */
    @Test
    void aLargeUploadStreamingWhenItsAppIsRemovedCompletesOnTheOldTask() throws Exception {
        uploadAcrossARemoval(256 * 1024);
    }

    private void uploadAcrossARemoval(int size) throws Exception {
        TestUpstream echo = TestUpstream.echo("echo");
        toClose.add(echo);
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/u", echo)));
        byte[] body = TestBodies.bytes(0, size);

        try (RawHttp raw = proxy.connect()) {
            // The head and the first half now, the second half after the swap: the body is still
            // streaming from the client when the app leaves the table.
            raw.send("POST /u/upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + body.length + "\r\n\r\n");
            raw.send(Arrays.copyOfRange(body, 0, body.length / 2));
            Await.until(TIMEOUT, () -> echo.connections() == 1, "Pacer to connect to the task");
            proxy.routes(TestProxy.table());
            assertEquals(503, getOnce(proxy, "/u/after").status(), "the removal is already in force");
            raw.send(Arrays.copyOfRange(body, body.length / 2, body.length));

            RawResponse r = raw.readResponse(TIMEOUT.plusSeconds(2));
            assertEquals(200, r.status(), () -> size + "-byte upload: " + r + " " + r.bodyText());
            assertEquals("echo", r.header(TestUpstream.UPSTREAM_HEADER));
            assertTrue(Arrays.equals(body, r.body()), "the whole body went to the old task and back");
        }
        assertEquals(1, echo.requestCount());
    }

    // ---- (c) swap storm ----------------------------------------------------------------------

    @Test
    void noRequestFailsWhileTablesSwapEveryFewMilliseconds() throws Exception {
        TestUpstream[] as = {upstream("a1"), upstream("a2"), upstream("a3")};
        TestUpstream[] bs = {upstream("b1"), upstream("b2"), upstream("b3")};
        Set<String> aNames = Set.of("a1", "a2", "a3");
        Set<String> bNames = Set.of("b1", "b2", "b3");
        TestProxy proxy = proxy(stormTable(as, bs, 0));

        int clients = 8;
        long runNanos = TimeUnit.SECONDS.toNanos(4);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong requests = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicLong reconnects = new AtomicLong();
        AtomicInteger swaps = new AtomicInteger();
        Queue<String> samples = new ConcurrentLinkedQueue<>();
        Map<Long, Boolean> versions = new ConcurrentHashMap<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();

        for (int t = 0; t < clients; t++) {
            int id = t;
            threads.add(new Thread(() -> {
                RawHttp raw = null;
                try {
                    go.await();
                    raw = proxy.connect();
                    for (long n = 0; !stop.get() && n < 1_000_000; n++) {
                        boolean a = (n + id) % 2 == 0;
                        String path = (a ? "/a/" : "/b/") + "c" + id + "-" + n;
                        String problem;
                        try {
                            RawResponse r = get(raw, path);
                            String from = r.header(TestUpstream.UPSTREAM_HEADER);
                            if (r.status() != 200) {
                                problem = path + " -> " + r.status();
                            } else if (!(a ? aNames : bNames).contains(from)) {
                                problem = path + " answered by " + from + ", not a task of its app";
                            } else if (!(from + " " + path).equals(r.bodyText())) {
                                problem = path + " got the body '" + r.bodyText() + "'";
                            } else if (r.headers().containsToken("Connection", "close")) {
                                problem = path + " came with Connection: close";
                            } else {
                                problem = null;
                            }
                        } catch (IOException e) {
                            problem = path + " -> " + e;
                        }
                        requests.incrementAndGet();
                        if (problem != null) {
                            failures.incrementAndGet();
                            if (samples.size() < 10) {
                                samples.add(problem);
                            }
                            raw.close();
                            raw = proxy.connect();
                            reconnects.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    samples.add("client " + id + " died: " + e);
                } finally {
                    if (raw != null) {
                        try {
                            raw.close();
                        } catch (IOException ignored) {
                            // closing a socket we are done with
                        }
                    }
                }
            }, "storm-client-" + t));
        }
        Thread swapper = new Thread(() -> {
            try {
                go.await();
                long end = System.nanoTime() + runNanos;
                int i = 1;
                while (System.nanoTime() < end) {
                    RouteTable table = stormTable(as, bs, i++);
                    versions.put(table.version(), Boolean.TRUE);
                    proxy.routes(table);
                    swaps.incrementAndGet();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // the swap rate, not a wait
                }
            } catch (Exception e) {
                samples.add("swapper died: " + e);
                failures.incrementAndGet();
            } finally {
                stop.set(true);
            }
        }, "storm-swapper");
        threads.forEach(Thread::start);
        swapper.start();
        long t0 = System.nanoTime();
        go.countDown();
        swapper.join(TimeUnit.SECONDS.toMillis(20));
        stop.set(true);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(20));
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        for (Thread t : threads) {
            assertFalse(t.isAlive(), t.getName() + " did not stop");
        }
        assertFalse(swapper.isAlive(), "the swapper did not stop");

        long upstreamRequests = 0;
        for (TestUpstream up : as) {
            upstreamRequests += up.requestCount();
            assertTrue(up.requests().stream().allMatch(r -> r.uri().startsWith("/a/")), up.name() + " served /b");
        }
        for (TestUpstream up : bs) {
            upstreamRequests += up.requestCount();
            assertTrue(up.requests().stream().allMatch(r -> r.uri().startsWith("/b/")), up.name() + " served /a");
        }
        System.out.printf("swap storm: %d requests, %d swaps (%d distinct table versions), %d failures, "
                        + "%d reconnects, %d requests at the upstreams, in %d ms%n",
                requests.get(), swaps.get(), versions.size(), failures.get(), reconnects.get(), upstreamRequests, ms);

        assertEquals(0, failures.get(), () -> "failed requests during the swap storm, e.g. " + samples);
        assertEquals(0, reconnects.get(), "a client had to reconnect");
        assertTrue(swaps.get() >= 200, "too few swaps to mean anything: " + swaps.get());
        assertTrue(requests.get() >= 1000, "too few requests to mean anything: " + requests.get());
        assertEquals(requests.get(), upstreamRequests, "each request reached exactly one upstream, once");
        for (TestUpstream up : as) {
            assertTrue(up.requestCount() > 0, up.name() + " never served: the tables did not move the tasks");
        }
        for (TestUpstream up : bs) {
            assertTrue(up.requestCount() > 0, up.name() + " never served: the tables did not move the tasks");
        }
    }

    /** Table {@code i} of the storm: each app on two of its three tasks, the pair rotating with {@code i}. */
    private static RouteTable stormTable(TestUpstream[] as, TestUpstream[] bs, int i) {
        int x = i % 3;
        int y = (i + 1) % 3;
        App a = TestProxy.app("/a", as[x], as[(x + 1) % 3]);
        App b = TestProxy.app("/b", bs[y], bs[(y + 1) % 3]);
        // Both orders, so that the apps' order in the table changes too.
        return i % 2 == 0 ? TestProxy.table(a, b) : TestProxy.table(b, a);
    }

    // ---- (d) keep-alive client connections survive swaps ------------------------------------------

    @Test
    void aKeepAliveConnectionKeepsWorkingAcrossAHundredSwaps() throws Exception {
        TestUpstream u1 = upstream("u1");
        TestUpstream u2 = upstream("u2");
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/k", u1)));
        List<Set<String>> sets = List.of(Set.of("u1"), Set.of("u2"), Set.of("u1", "u2"));

        try (RawHttp raw = proxy.connect()) {
            int localPort = raw.localAddress().getPort();
            for (int i = 0; i < 100; i++) {
                Set<String> now = sets.get(i % 3);
                TestUpstream[] tasks = now.size() == 2 ? new TestUpstream[] {u1, u2}
                        : now.contains("u1") ? new TestUpstream[] {u1} : new TestUpstream[] {u2};
                proxy.routes(TestProxy.table(TestProxy.app("/k", tasks)));

                RawResponse r = get(raw, "/k/" + i);
                assertEquals(200, r.status(), "request " + i + ": " + r);
                assertTrue(now.contains(r.header(TestUpstream.UPSTREAM_HEADER)),
                        "request " + i + " after swapping to " + now + " answered by "
                                + r.header(TestUpstream.UPSTREAM_HEADER));
                assertFalse(r.headers().containsToken("Connection", "close"), "request " + i + " closes");
            }
            assertEquals(localPort, raw.localAddress().getPort());
            assertFalse(raw.isClosedByPeer(Duration.ofMillis(50)), "Pacer closed the client connection");
        }
        assertEquals(100, u1.requestCount() + u2.requestCount());
        assertTrue(u1.requestCount() >= 33 && u2.requestCount() >= 33,
                "u1 " + u1.requestCount() + ", u2 " + u2.requestCount());
    }

    // ---- (e) an app whose tasks change keeps serving -------------------------------------------

    @Test
    void anAppWhoseTaskSetChangesKeepsServingDuringTheChange() throws Exception {
        TestUpstream u1 = upstream("u1");
        TestUpstream u2 = upstream("u2");
        TestUpstream u3 = upstream("u3");
        TestProxy proxy = proxy(TestProxy.table(TestProxy.app("/c", u1)));

        int clients = 4;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
            int id = t;
            Thread thread = new Thread(() -> {
                RawHttp raw = null;
                try {
                    raw = proxy.connect();
                    for (long n = 0; !stop.get() && n < 1_000_000; n++) {
                        String path = "/c/" + id + "-" + n;
                        String problem = null;
                        try {
                            RawResponse r = get(raw, path);
                            String from = r.header(TestUpstream.UPSTREAM_HEADER);
                            if (r.status() != 200 || !(from + " " + path).equals(r.bodyText())) {
                                problem = path + " -> " + r + " from " + from;
                            }
                        } catch (IOException e) {
                            problem = path + " -> " + e;
                        }
                        if (problem == null) {
                            ok.incrementAndGet();
                        } else {
                            failures.incrementAndGet();
                            firstFailure.compareAndSet(null, problem);
                            raw.close();
                            raw = proxy.connect();
                        }
                    }
                } catch (Exception e) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet(null, "client " + id + " died: " + e);
                } finally {
                    if (raw != null) {
                        try {
                            raw.close();
                        } catch (IOException ignored) {
                            // done with it
                        }
                    }
                }
            }, "task-change-client-" + t);
            threads.add(thread);
            thread.start();
        }
        try {
            Await.until(TIMEOUT, () -> u1.requestCount() >= 50, "traffic on u1");

            // Scale up: u2 joins, u1 keeps serving.
            proxy.routes(TestProxy.table(TestProxy.app("/c", u1, u2)));
            awaitMore(u2, 50);
            int u1Before = u1.requestCount();
            awaitMore(u1, 20);
            assertTrue(u1.requestCount() > u1Before);

            // u1 leaves (then dies, as a killed task does): only u2 serves.
            proxy.routes(TestProxy.table(TestProxy.app("/c", u2)));
            int u1AtSwap = u1.requestCount();
            awaitMore(u2, 50);
            u1.close();
            assertTrue(u1.requestCount() <= u1AtSwap + clients,
                    "u1 got " + (u1.requestCount() - u1AtSwap) + " requests after it left; at most " + clients
                            + " (one in flight per client) may arrive");

            // Rolling replacement: u3 joins, then u2 leaves.
            proxy.routes(TestProxy.table(TestProxy.app("/c", u2, u3)));
            awaitMore(u3, 50);
            proxy.routes(TestProxy.table(TestProxy.app("/c", u3)));
            int u2AtSwap = u2.requestCount();
            awaitMore(u3, 100);
            assertTrue(u2.requestCount() <= u2AtSwap + clients,
                    "u2 got " + (u2.requestCount() - u2AtSwap) + " requests after it left");
        } finally {
            stop.set(true);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(20));
            }
        }
        System.out.printf("task set changes: %d requests answered, %d failed%n", ok.get(), failures.get());
        assertEquals(0, failures.get(), () -> "requests failed while the task set changed, first: " + firstFailure);
        assertTrue(ok.get() >= 250, "too few requests: " + ok.get());
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static void awaitMore(TestUpstream up, int more) {
        int target = up.requestCount() + more;
        Await.until(TIMEOUT, () -> up.requestCount() >= target,
                () -> up.name() + " to get " + more + " more requests; has " + up.requestCount());
    }

    private static RawResponse get(RawHttp raw, String path) throws IOException {
        raw.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
        return raw.readResponse(TIMEOUT);
    }

    /** A request on a connection of its own. */
    private static RawResponse getOnce(TestProxy proxy, String path) throws IOException {
        try (RawHttp raw = proxy.connect()) {
            return get(raw, path);
        }
    }

    private static void assertAnswer(RawResponse r, String upstream, String path) {
        assertEquals(200, r.status(), () -> path + ": " + r + " " + r.bodyText());
        assertEquals(upstream, r.header(TestUpstream.UPSTREAM_HEADER), () -> path + " answered by the wrong task");
        assertEquals(upstream + " " + path, r.bodyText());
        assertEquals("test-proxy", r.header("X-Proxy"));
    }

    private static long countPath(TestUpstream up, String prefix) {
        return up.requests().stream().filter(r -> r.uri().startsWith(prefix)).count();
    }
}
