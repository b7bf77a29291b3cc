package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.core.Task;
import io.pacer.core.TaskState;
import io.pacer.proxy.http.PacerServer;
import io.pacer.proxy.metrics.PacerMetrics;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Failure memory ({@code max_fails}, {@code fail_timeout}) and least-request balancing end to end:
 * a real Pacer in front of real upstreams on loopback that hang, refuse, answer 503 or are slow.
 */
class FailureMemoryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofMillis(400);
    private static final Duration FAIL_TIMEOUT = Duration.ofSeconds(2);

    @RegisterExtension
    final Closer open = new Closer();

    /** What a switchable upstream does with the next request. */
    enum Mode { HEALTHY, HANG, STATUS_503 }

    /** An upstream whose behaviour the test switches while it runs. */
    private TestUpstream switchable(String name, AtomicReference<Mode> mode) {
        CountDownLatch never = new CountDownLatch(1);
        open.track(never::countDown);
        return open.track(TestUpstream.start(name, req -> switch (mode.get()) {
            case HEALTHY -> Reply.ok("answer from " + name);
            case STATUS_503 -> Reply.status(503, "busy " + name);
            case HANG -> {
                never.await(10, TimeUnit.SECONDS); // Pacer's read timeout gives up long before
                yield Reply.ok("too late");
            }
        }));
    }

    private TestProxy proxy(App app, UnaryOperator<PacerConfig.Builder> extra) {
        return open.track(TestProxy.start(TestProxy.table(app), cfg -> extra.apply(cfg
                .connectTimeout(Duration.ofMillis(500))
                .readTimeout(READ_TIMEOUT)
                .failTimeout(FAIL_TIMEOUT))));
    }

    private static RawResponse get(TestProxy proxy) throws IOException {
        try (RawHttp raw = proxy.connect()) {
            return raw.send("GET /app/x HTTP/1.1\r\nHost: test\r\n\r\n").readResponse(TIMEOUT);
        }
    }

    private static TaskState state(TestProxy proxy, Task task) {
        return proxy.server().taskStates().get(task);
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"HANG", "STATUS_503"})
    void aFailingTaskIsSkippedAfterOneFailureAndReturnsAfterFailTimeout(Mode fault) throws Exception {
        AtomicReference<Mode> mode = new AtomicReference<>(fault);
        TestUpstream bad = switchable("bad", mode);
        TestUpstream good = open.track(TestUpstream.echo("good"));
        App app = TestProxy.app("/app", bad, good);
        TestProxy proxy = proxy(app, UnaryOperator.identity());
        Task badTask = app.tasks().get(0);

        // The table is new, so the first request starts at the first task: bad fails once, good answers.
        RawResponse first = get(proxy);
        assertEquals(200, first.status());
        assertEquals("good", first.header(TestUpstream.UPSTREAM_HEADER));
        assertTrue(state(proxy, badTask).marked(), "one failure marks the task (max_fails = 1)");

        // While it is marked, every request goes straight to the good task: no timeout, no retry.
        int served = 0;
        while (served < 12 && state(proxy, badTask).skipped(System.nanoTime())) {
            long start = System.nanoTime();
            RawResponse r = get(proxy);
            assertEquals(200, r.status());
            assertEquals("good", r.header(TestUpstream.UPSTREAM_HEADER));
            assertTrue(System.nanoTime() - start < READ_TIMEOUT.toNanos(), "answered without waiting on bad");
            served++;
        }
        assertTrue(served >= 6, "the mark lasted for " + served + " requests");
        assertEquals(1, bad.requestCount(), "bad saw only the first request");

        // The task recovers; after fail_timeout one request probes it and it is back in rotation.
        mode.set(Mode.HEALTHY);
        Await.until(Duration.ofSeconds(10), () -> {
            try {
                return get(proxy).status() == 200 && bad.requestCount() > 1 && !state(proxy, badTask).marked();
            } catch (IOException e) {
                return false;
            }
        }, "bad is probed and back");
        int before = bad.requestCount();
        for (int i = 0; i < 10; i++) {
            assertEquals(200, get(proxy).status());
        }
        assertEquals(before + 5, bad.requestCount(), "round robin again: half of 10 requests");
    }

    @Test
    void aRefusingTaskCostsOneConnectionAttemptPerFailTimeout() throws Exception {
        TestUpstream good = open.track(TestUpstream.echo("good"));
        App app = TestProxy.app("/app", List.of("/app"), TestUpstream.refusing(), good.port());
        TestProxy proxy = proxy(app, UnaryOperator.identity());
        TaskState refusing = state(proxy, app.tasks().get(0));
        assertEquals(200, get(proxy).status());
        assertTrue(refusing.marked());
        long failedAt = refusing.lastFailureNanos();
        for (int i = 0; i < 10 && refusing.skipped(System.nanoTime()); i++) {
            assertEquals(200, get(proxy).status());
        }
        assertEquals(failedAt, refusing.lastFailureNanos(), "not tried again while marked");
        // After fail_timeout the probe fails again, and the task stays out for another fail_timeout.
        Await.until(Duration.ofSeconds(10), () -> {
            try {
                return get(proxy).status() == 200 && refusing.lastFailureNanos() != failedAt;
            } catch (IOException e) {
                return false;
            }
        }, "the probe after fail_timeout");
        assertTrue(refusing.skipped(System.nanoTime()), "a failed probe marks it again");
    }

    @Test
    void whenEveryTaskIsMarkedTheRequestTriesThemAnyway() throws Exception {
        AtomicReference<Mode> mode = new AtomicReference<>(Mode.STATUS_503);
        TestUpstream one = switchable("one", mode);
        TestUpstream two = switchable("two", mode);
        App app = TestProxy.app("/app", one, two);
        TestProxy proxy = proxy(app, cfg -> cfg.failTimeout(Duration.ofMinutes(5)));
        assertEquals(503, get(proxy).status(), "both tried, the last answer is the client's");
        assertTrue(state(proxy, app.tasks().get(0)).marked() && state(proxy, app.tasks().get(1)).marked());

        mode.set(Mode.HEALTHY); // back well within fail_timeout: Nginx would answer 502 until it ends
        RawResponse r = get(proxy);
        assertEquals(200, r.status());
        assertFalse(state(proxy, app.tasks().get(0)).marked() && state(proxy, app.tasks().get(1)).marked(),
                "the task that answered is back");
    }

    @Test
    void aLoneTaskIsNeverLockedOut() throws Exception {
        AtomicReference<Mode> mode = new AtomicReference<>(Mode.STATUS_503);
        TestUpstream only = switchable("only", mode);
        App app = TestProxy.app("/app", only);
        TestProxy proxy = proxy(app, cfg -> cfg.failTimeout(Duration.ofMinutes(5)));
        assertEquals(503, get(proxy).status());
        mode.set(Mode.HEALTHY);
        assertEquals(200, get(proxy).status());
        assertFalse(state(proxy, app.tasks().get(0)).marked());
    }

    @Test
    void maxFailsZeroKeepsTryingEveryTask() throws Exception {
        AtomicReference<Mode> mode = new AtomicReference<>(Mode.STATUS_503);
        TestUpstream bad = switchable("bad", mode);
        TestUpstream good = open.track(TestUpstream.echo("good"));
        TestProxy proxy = proxy(TestProxy.app("/app", bad, good), cfg -> cfg.maxFails(0));
        for (int i = 0; i < 6; i++) {
            assertEquals(200, get(proxy).status());
        }
        assertEquals(3, bad.requestCount(), "without failure memory, every other request starts at bad");
    }

    @Test
    void leastRequestSendsMostTrafficToTheFastTask() throws Exception {
        TestUpstream slow = open.track(TestUpstream.start("slow", req -> {
            Thread.sleep(100);
            return Reply.ok("slow");
        }));
        TestUpstream fast = open.track(TestUpstream.echo("fast"));
        TestProxy proxy = proxy(TestProxy.app("/app", slow, fast),
                cfg -> cfg.balance("least_request").readTimeout(Duration.ofSeconds(5)));
        ExecutorService clients = Executors.newFixedThreadPool(8);
        open.track(clients::shutdownNow);
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            loops.add(clients.submit(() -> {
                for (int i = 0; i < 25; i++) {
                    assertEquals(200, get(proxy).status());
                }
                return null;
            }));
        }
        for (Future<?> loop : loops) {
            loop.get(60, TimeUnit.SECONDS);
        }
        assertEquals(200, slow.requestCount() + fast.requestCount());
        assertTrue(fast.requestCount() > 150, "fast got " + fast.requestCount() + " of 200, slow "
                + slow.requestCount());
        assertEquals(0, proxy.server().taskStates().get(TestProxy.app("/app", slow, fast).tasks().get(0)).inFlight(),
                "nothing is left counted in flight");
    }

    @Test
    void failuresAndMarkedTasksAreExported() throws Exception {
        AtomicReference<Mode> mode = new AtomicReference<>(Mode.HANG);
        TestUpstream bad = switchable("bad", mode);
        TestUpstream good = open.track(TestUpstream.echo("good"));
        App app = TestProxy.app("/app", bad, good);
        PacerMetrics metrics = open.track(new PacerMetrics());
        PacerServer server = open.track(PacerServer.start(PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .workerThreads(2)
                .readTimeout(READ_TIMEOUT)
                .failTimeout(Duration.ofMinutes(5))
                .build(), TestProxy.table(app), metrics));
        metrics.bind(server);
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            assertEquals(200, raw.send("GET /app/ HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(TIMEOUT).status());
        }
        String scrape = metrics.scrape();
        assertTrue(scrape.contains("pacer_upstream_failures_total{app=\"/app\",reason=\"timeout\"} 1.0"), scrape);
        assertTrue(scrape.contains("pacer_upstream_marked_tasks{app=\"/app\"} 1.0"), scrape);
        assertTrue(scrape.contains("pacer_retries_total{app=\"/app\",reason=\"timeout\"} 1.0"), scrape);
    }
}
