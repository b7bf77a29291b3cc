package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.core.RetryCondition;
import io.pacer.core.RetryPolicy;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestUpstream;
import io.pacer.proxy.testing.TestProxy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's "Retries" contract ({@code proxy_next_upstream error timeout invalid_header http_500
 * http_502 http_503 http_504}) checked end to end: a real Pacer in front of real upstreams on loopback.
 *
 * <p>A fresh route table per test: its app's round-robin cursor starts at task 0, so the first
 * request of a test tries the tasks in the order they are listed. Later requests of a test start
 * further along, and assertions on them only rely on each task being tried at most once.
 */
class RetriesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Short, so that hanging tasks cost little, yet long enough for a good task on a loaded machine. */
    private static final Duration READ_TIMEOUT = Duration.ofMillis(750);
    private static final String PACER_PAGE = "<center>pacer</center>";

    @RegisterExtension
    final Closer open = new Closer();

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    // ---- fixtures -------------------------------------------------------------------------------

    /** How a task fails, the retry condition Pacer must see, and what the client gets when it stops there. */
    enum Fault {
        REFUSED(RetryCondition.ERROR, 502),
        RESET_BEFORE_HEAD(RetryCondition.ERROR, 502),
        HANGING(RetryCondition.TIMEOUT, 504),
        GARBAGE_HEAD(RetryCondition.INVALID_HEADER, 502);

        final RetryCondition condition;
        final int statusWhenNotRetried;

        Fault(RetryCondition condition, int statusWhenNotRetried) {
            this.condition = condition;
            this.statusWhenNotRetried = statusWhenNotRetried;
        }
    }

    /** A failing task: its port, and the upstream behind it when there is one (to count requests). */
    private record Bad(int port, TestUpstream upstream) {
        int requestCount() {
            return upstream == null ? 0 : upstream.requestCount();
        }
    }

    private Bad bad(Fault fault, String name) {
        return switch (fault) {
            case REFUSED -> new Bad(TestUpstream.refusing(), null);
            case RESET_BEFORE_HEAD -> badUpstream(TestUpstream.resetting(name));
            case HANGING -> badUpstream(TestUpstream.hanging(name));
            case GARBAGE_HEAD -> badUpstream(TestUpstream.garbage(name));
        };
    }

    private Bad badUpstream(TestUpstream up) {
        track(up);
        return new Bad(up.port(), up);
    }

    private TestUpstream good(String name) {
        return track(TestUpstream.start(name, req -> Reply.ok("answer from " + name)));
    }

    private TestUpstream echo(String name) {
        return track(TestUpstream.echo(name));
    }

    private TestUpstream answering(String name, int status) {
        return track(TestUpstream.start(name, req -> Reply.status(status, status + " from " + name)));
    }

    private static App app(int... ports) {
        return TestProxy.app("/app", List.of("/app"), ports);
    }

    private static App app(TestUpstream... upstreams) {
        return TestProxy.app("/app", upstreams);
    }

    /** Short timeouts so that failing attempts cost little; {@code extra} adjusts them. */
    private TestProxy proxy(App app, UnaryOperator<PacerConfig.Builder> extra) {
        return track(TestProxy.startWithShortTimeouts(app, READ_TIMEOUT, extra));
    }

    private TestProxy proxy(App app) {
        return proxy(app, UnaryOperator.identity());
    }

    private static UnaryOperator<PacerConfig.Builder> policy(RetryPolicy policy) {
        return cfg -> cfg.retryPolicy(policy);
    }

    private static Set<RetryCondition> defaultsPlus(RetryCondition extra) {
        EnumSet<RetryCondition> set = EnumSet.copyOf(RetryPolicy.DEFAULT_CONDITIONS);
        set.add(extra);
        return set;
    }

    private static Set<RetryCondition> defaultsWithout(RetryCondition removed) {
        EnumSet<RetryCondition> set = EnumSet.copyOf(RetryPolicy.DEFAULT_CONDITIONS);
        set.remove(removed);
        return set;
    }

    // ---- requests -------------------------------------------------------------------------------

    private static byte[] request(String method, String target, byte[] body) {
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: test\r\n");
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** {@code body} with {@code Transfer-Encoding: chunked}, in chunks of {@code chunk} bytes. */
    private static byte[] chunkedRequest(String method, String target, byte[] body, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        for (int off = 0; off < body.length; off += chunk) {
            int n = Math.min(chunk, body.length - off);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, off, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        return out.toByteArray();
    }

    /** One request on a new client connection. */
    private RawResponse exchange(TestProxy proxy, byte[] request) throws IOException {
        try (RawHttp raw = proxy.connect()) {
            return raw.send(request).readResponse(TIMEOUT);
        }
    }

    private RawResponse get(TestProxy proxy) throws IOException {
        return exchange(proxy, request("GET", "/app/x", null));
    }

    /** Bytes of every value, in an order that a shifted or truncated copy cannot match. */
    private static byte[] binaryBody(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + (i >>> 8) * 7);
        }
        return b;
    }

    private static void assertAnsweredBy(String upstream, RawResponse r) {
        assertEquals(200, r.status(), () -> "status of " + r + ": " + r.bodyText());
        assertEquals(upstream, r.header(TestUpstream.UPSTREAM_HEADER), () -> "X-Upstream of " + r);
        assertEquals("answer from " + upstream, r.bodyText());
        assertEquals("test-proxy", r.header("X-Proxy"));
    }

    private static void assertPacerError(int status, RawResponse r) {
        assertEquals(status, r.status(), () -> "status of " + r + ": " + r.bodyText());
        assertEquals("test-proxy", r.header("X-Proxy"), "X-Proxy on Pacer's own answer");
        assertEquals(null, r.header(TestUpstream.UPSTREAM_HEADER), "no upstream answered");
        assertTrue(r.bodyText().contains(PACER_PAGE), () -> "Pacer's page, got: " + r.bodyText());
    }

    private static void assertUpstreamStatus(int status, String upstream, RawResponse r) {
        assertEquals(status, r.status(), () -> "status of " + r + ": " + r.bodyText());
        assertEquals(upstream, r.header(TestUpstream.UPSTREAM_HEADER), () -> "X-Upstream of " + r);
        assertEquals(status + " from " + upstream, r.bodyText(), "the upstream's own body, not a Pacer page");
        assertEquals("test-proxy", r.header("X-Proxy"));
    }

    // ---- each retry condition -------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Fault.class)
    void failedAttemptGoesToTheNextTask(Fault fault) throws Exception {
        Bad bad = bad(fault, "bad");
        TestUpstream good = good("good");
        TestProxy proxy = proxy(app(bad.port(), good.port()));

        long started = System.nanoTime();
        assertAnsweredBy("good", get(proxy)); // first request of a fresh table: the bad task first
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(1, good.requestCount(), "the good task got the request once");
        if (bad.upstream() != null) {
            assertEquals(1, bad.requestCount(), "the failing task was tried once");
        }
        if (fault == Fault.HANGING) {
            assertTrue(tookMillis >= READ_TIMEOUT.toMillis() - 50,
                    "moved on after the read timeout, not before: " + tookMillis + " ms");
        }

        // The second request starts at the good task: answered there, the bad one is not touched.
        assertAnsweredBy("good", get(proxy));
        assertEquals(2, good.requestCount());
        if (bad.upstream() != null) {
            assertEquals(1, bad.requestCount(), "no attempt after a good answer");
        }
    }

    @ParameterizedTest
    @EnumSource(Fault.class)
    void failureIsClassifiedAsItsNginxCondition(Fault fault) throws Exception {
        // Only the fault's own condition listed: retried.
        Bad bad = bad(fault, "bad");
        TestUpstream good = good("good");
        TestProxy only = proxy(app(bad.port(), good.port()),
                policy(new RetryPolicy(EnumSet.of(fault.condition), false, 0, 0)));
        assertAnsweredBy("good", get(only));

        // Every default condition but the fault's own: not retried, Pacer answers for the failure.
        TestProxy allBut = proxy(app(bad.port(), good.port()),
                policy(new RetryPolicy(defaultsWithout(fault.condition), false, 0, 0)));
        assertPacerError(fault.statusWhenNotRetried, get(allBut));
        assertEquals(1, good.requestCount(), "the good task got only the first proxy's request");
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void retryableStatusGoesToTheNextTask(int status) throws Exception {
        TestUpstream bad = answering("bad", status);
        TestUpstream good = good("good");
        TestProxy proxy = proxy(app(bad, good));

        assertAnsweredBy("good", get(proxy));
        assertEquals(1, bad.requestCount());
        assertEquals(1, good.requestCount());
    }

    @ParameterizedTest
    @ValueSource(ints = {500, 502, 503, 504})
    void statusLeftOutOfNextUpstreamIsPassedThrough(int status) throws Exception {
        TestUpstream bad = answering("bad", status);
        TestUpstream good = good("good");
        RetryCondition condition = RetryCondition.ofStatus(status);
        TestProxy proxy = proxy(app(bad, good), policy(new RetryPolicy(defaultsWithout(condition), false, 0, 0)));

        assertUpstreamStatus(status, "bad", get(proxy));
        assertEquals(0, good.requestCount());
    }

    @ParameterizedTest
    @ValueSource(ints = {403, 404, 429})
    void statusNotInTheDefaultListIsNotRetried(int status) throws Exception {
        TestUpstream bad = answering("bad", status);
        TestUpstream good = good("good");
        TestProxy proxy = proxy(app(bad, good));

        try (RawHttp raw = track(proxy.connect())) {
            assertUpstreamStatus(status, "bad", raw.send(request("GET", "/app/x", null)).readResponse(TIMEOUT));
            assertEquals(1, bad.requestCount());
            assertEquals(0, good.requestCount(), "a " + status + " is an answer, not a failure");
            // The connection carries on: the next request starts at the good task.
            assertAnsweredBy("good", raw.send(request("GET", "/app/y", null)).readResponse(TIMEOUT));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {403, 404, 429})
    void statusAddedToNextUpstreamIsRetried(int status) throws Exception {
        TestUpstream bad = answering("bad", status);
        TestUpstream good = good("good");
        RetryCondition condition = RetryCondition.ofStatus(status);
        assertNotNull(condition);
        TestProxy proxy = proxy(app(bad, good), policy(new RetryPolicy(defaultsPlus(condition), false, 0, 0)));

        assertAnsweredBy("good", get(proxy));
        assertEquals(1, bad.requestCount());
        assertEquals(1, good.requestCount());
    }

    // ---- how far retries go ---------------------------------------------------------------------

    @Test
    void everyTaskAnswering503GivesTheLastUpstreamsAnswer() throws Exception {
        TestUpstream a = answering("a", 503);
        TestUpstream b = answering("b", 503);
        TestUpstream c = answering("c", 503);
        TestProxy proxy = proxy(app(a, b, c));

        // Started at a: tried a, b, c; c's answer is the client's.
        RawResponse first = get(proxy);
        assertUpstreamStatus(503, "c", first);
        assertEquals("text/plain; charset=utf-8", first.header("Content-Type"));
        assertEquals(List.of(1, 1, 1), List.of(a.requestCount(), b.requestCount(), c.requestCount()),
                "each task tried exactly once");

        // Started at b: tried b, c, a; a's answer is the client's.
        assertUpstreamStatus(503, "a", get(proxy));
        assertEquals(List.of(2, 2, 2), List.of(a.requestCount(), b.requestCount(), c.requestCount()));
    }

    @Test
    void triesAboveTheTaskCountStillTryEachTaskOnce() throws Exception {
        TestUpstream a = answering("a", 502);
        TestUpstream b = answering("b", 502);
        TestProxy proxy = proxy(app(a, b), policy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 5, 0)));

        assertUpstreamStatus(502, "b", get(proxy));
        assertEquals(1, a.requestCount());
        assertEquals(1, b.requestCount());
    }

    @Test
    void everyTaskRefusingGives502() throws Exception {
        TestProxy proxy = proxy(app(TestUpstream.refusing(), TestUpstream.refusing(), TestUpstream.refusing()));

        RawResponse r = get(proxy);
        assertPacerError(502, r);
        assertEquals("pacer", r.header("Server"));
    }

    @Test
    void everyTaskHangingGives504AfterTryingEachOnce() throws Exception {
        TestUpstream a = track(TestUpstream.hanging("a"));
        TestUpstream b = track(TestUpstream.hanging("b"));
        TestProxy proxy = proxy(app(a, b));

        long started = System.nanoTime();
        RawResponse r = get(proxy);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertPacerError(504, r);
        assertEquals(1, a.requestCount());
        assertEquals(1, b.requestCount());
        assertTrue(tookMillis >= 2 * READ_TIMEOUT.toMillis() - 100, "two read timeouts: " + tookMillis + " ms");
        Await.until(TIMEOUT, () -> a.openConnections() == 0 && b.openConnections() == 0,
                () -> "the timed-out connections are closed, not pooled: " + a.openConnections() + ", "
                        + b.openConnections());
    }

    @Test
    void nextUpstreamTriesLimitsTheAttempts() throws Exception {
        TestUpstream a = answering("a", 503);
        TestUpstream b = answering("b", 503);
        TestUpstream c = answering("c", 503);
        TestProxy proxy = proxy(app(a, b, c), policy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 2, 0)));

        assertUpstreamStatus(503, "b", get(proxy));
        assertEquals(List.of(1, 1, 0), List.of(a.requestCount(), b.requestCount(), c.requestCount()),
                "next_upstream_tries = 2: two attempts");
    }

    @Test
    void nextUpstreamTriesLimitsConnectFailuresToo() throws Exception {
        TestUpstream good = good("good");
        TestProxy proxy = proxy(app(TestUpstream.refusing(), TestUpstream.refusing(), good.port()),
                policy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 2, 0)));

        assertPacerError(502, get(proxy));
        assertEquals(0, good.requestCount(), "a third attempt would have reached the good task");
    }

    @Test
    void nextUpstreamOffReturnsTheFirstFailure() throws Exception {
        TestUpstream good = good("good");
        RetryPolicy off = new RetryPolicy(Set.of(), false, 0, 0);
        TestProxy refused = proxy(app(TestUpstream.refusing(), good.port()), policy(off));
        assertPacerError(502, get(refused));

        TestUpstream busy = answering("busy", 503);
        TestProxy unavailable = proxy(app(busy.port(), good.port()), policy(off));
        assertUpstreamStatus(503, "busy", get(unavailable));

        TestUpstream hanging = track(TestUpstream.hanging("hanging"));
        TestProxy timedOut = proxy(app(hanging.port(), good.port()), policy(off));
        assertPacerError(504, get(timedOut));

        assertEquals(0, good.requestCount(), "off: never a second attempt");
    }

    @Test
    void nextUpstreamTimeoutStopsFurtherAttemptsAfterATimeout() throws Exception {
        TestUpstream a = track(TestUpstream.hanging("a"));
        TestUpstream b = track(TestUpstream.hanging("b"));
        TestUpstream good = good("good");
        TestProxy proxy = proxy(app(a.port(), b.port(), good.port()),
                policy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 0, TimeUnit.MILLISECONDS.toNanos(150))));

        assertPacerError(504, get(proxy));
        assertEquals(1, a.requestCount());
        assertEquals(0, b.requestCount(), "no new attempt once next_upstream_timeout passed");
        assertEquals(0, good.requestCount());
    }

    @Test
    void nextUpstreamTimeoutStopsFurtherAttemptsAfterASlowStatus() throws Exception {
        TestUpstream a = track(TestUpstream.start("a", req -> Reply.status(503, "503 from a")
                .delayed(Duration.ofMillis(200))));
        TestUpstream good = good("good");
        TestProxy proxy = proxy(app(a, good),
                policy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 0, TimeUnit.MILLISECONDS.toNanos(100))));

        assertUpstreamStatus(503, "a", get(proxy));
        assertEquals(0, good.requestCount());

        // Control: the same answer, quick enough, is retried.
        TestUpstream quick = answering("quick", 503);
        TestProxy control = proxy(app(quick, good),
                policy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, false, 0, TimeUnit.SECONDS.toNanos(3))));
        assertAnsweredBy("good", get(control));
    }

    // ---- methods that must not be replayed ------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH", "LOCK"})
    void nonIdempotentRequestAnswered503IsNotRetried(String method) throws Exception {
        TestUpstream bad = answering("bad", 503);
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(bad, good));

        byte[] body = "order #1".getBytes(StandardCharsets.UTF_8);
        assertUpstreamStatus(503, "bad", exchange(proxy, request(method, "/app/orders", body)));
        RecordedRequest seen = bad.takeRequest(TIMEOUT);
        assertEquals(method, seen.method());
        assertArrayEquals(body, seen.body());
        assertEquals(0, good.requestCount(), method + " reached a task: it must not be sent twice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH", "LOCK"})
    void nonIdempotentRequestIsRetriedWhenTheConnectionWasRefused(String method) throws Exception {
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(TestUpstream.refusing(), good.port()));

        byte[] body = binaryBody(3000);
        RawResponse r = exchange(proxy, request(method, "/app/orders", body));
        assertEquals(200, r.status(), () -> r + ": " + r.bodyText());
        assertEquals("good", r.header(TestUpstream.UPSTREAM_HEADER));
        assertArrayEquals(body, r.body());
        assertEquals(1, good.requestCount(), "received once");
        RecordedRequest seen = good.takeRequest(TIMEOUT);
        assertEquals(method, seen.method());
        assertArrayEquals(body, seen.body(), "the whole body");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH", "LOCK"})
    void nonIdempotentRequestResetAfterItsHeadIsNotRetried(String method) throws Exception {
        TestUpstream resetting = track(TestUpstream.resetting("resetting"));
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(resetting, good));

        assertPacerError(502, exchange(proxy, request(method, "/app/orders", binaryBody(2000))));
        assertEquals(method, resetting.takeRequest(TIMEOUT).method());
        assertEquals(0, good.requestCount(), "it may have been processed: no other task gets it");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PATCH", "LOCK"})
    void nonIdempotentRequestTimedOutIsNotRetried(String method) throws Exception {
        TestUpstream hanging = track(TestUpstream.hanging("hanging"));
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(hanging, good));

        assertPacerError(504, exchange(proxy, request(method, "/app/orders", "x=1".getBytes(StandardCharsets.UTF_8))));
        assertEquals(1, hanging.requestCount());
        assertEquals(0, good.requestCount());
    }

    @Test
    void nonIdempotentFlagReplaysAPostAfter503() throws Exception {
        TestUpstream bad = answering("bad", 503);
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(bad, good),
                policy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, true, 0, 0)));

        byte[] body = binaryBody(5000);
        RawResponse r = exchange(proxy, request("POST", "/app/orders", body));
        assertEquals(200, r.status(), () -> r + ": " + r.bodyText());
        assertEquals("good", r.header(TestUpstream.UPSTREAM_HEADER));
        assertArrayEquals(body, r.body());
        assertArrayEquals(body, bad.takeRequest(TIMEOUT).body());
        assertArrayEquals(body, good.takeRequest(TIMEOUT).body(), "replayed byte for byte");
        assertEquals(1, good.requestCount());
    }

    @Test
    void nonIdempotentFlagDoesNotReplayABodyLargerThanTheReplayBuffer() throws Exception {
        TestUpstream bad = answering("bad", 503);
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(bad, good), cfg -> cfg
                .retryPolicy(new RetryPolicy(RetryPolicy.DEFAULT_CONDITIONS, true, 0, 0))
                .replayBufferSize(1024));

        byte[] body = binaryBody(8 * 1024);
        assertUpstreamStatus(503, "bad", exchange(proxy, request("POST", "/app/orders", body)));
        assertArrayEquals(body, bad.takeRequest(TIMEOUT).body(), "streamed through whole");
        assertEquals(0, good.requestCount(), "no copy kept, so no replay");

        // Control on the same proxy: a body that fits is replayed (this request starts at the good task,
        // so send two; the one that starts at the bad task must be retried).
        byte[] small = binaryBody(600);
        for (int i = 0; i < 2; i++) {
            RawResponse r = exchange(proxy, request("POST", "/app/orders", small));
            assertEquals(200, r.status(), () -> r + ": " + r.bodyText());
            assertArrayEquals(small, r.body());
        }
    }

    // ---- idempotent methods are replayed --------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "DELETE"})
    void idempotentRequestIsReplayedWithItsBodyAfter503(String method) throws Exception {
        TestUpstream bad = answering("bad", 503);
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(bad, good));

        byte[] body = binaryBody(20_000);
        RawResponse r = exchange(proxy, request(method, "/app/doc/1", body));
        assertEquals(200, r.status(), () -> r + ": " + r.bodyText());
        assertEquals("good", r.header(TestUpstream.UPSTREAM_HEADER));
        assertArrayEquals(body, r.body());

        RecordedRequest first = bad.takeRequest(TIMEOUT);
        RecordedRequest replay = good.takeRequest(TIMEOUT);
        assertEquals(method, replay.method());
        assertEquals("/app/doc/1", replay.uri());
        assertArrayEquals(body, first.body());
        assertArrayEquals(body, replay.body(), "replayed byte for byte");
        assertEquals(String.valueOf(body.length), replay.header("Content-Length"));
        assertEquals(1, good.requestCount());
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUT", "DELETE"})
    void idempotentChunkedRequestIsReplayedWithItsBodyAfter503(String method) throws Exception {
        TestUpstream bad = answering("bad", 503);
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(bad, good));

        byte[] body = binaryBody(30_001);
        RawResponse r = exchange(proxy, chunkedRequest(method, "/app/doc/2", body, 4096));
        assertEquals(200, r.status(), () -> r + ": " + r.bodyText());
        assertEquals("good", r.header(TestUpstream.UPSTREAM_HEADER));
        assertArrayEquals(body, r.body());
        assertArrayEquals(body, bad.takeRequest(TIMEOUT).body());
        assertArrayEquals(body, good.takeRequest(TIMEOUT).body(), "replayed byte for byte");
        assertEquals(1, good.requestCount());
    }

    @Test
    void idempotentRequestResetBeforeTheResponseIsReplayedWithItsBody() throws Exception {
        TestUpstream resetting = track(TestUpstream.resetting("resetting"));
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(resetting, good));

        byte[] body = binaryBody(12_345);
        RawResponse r = exchange(proxy, request("PUT", "/app/doc/4", body));
        assertEquals(200, r.status(), () -> r + ": " + r.bodyText());
        assertEquals("good", r.header(TestUpstream.UPSTREAM_HEADER));
        assertEquals(1, resetting.requestCount());
        assertArrayEquals(body, good.takeRequest(TIMEOUT).body(), "replayed byte for byte");
    }

    @Test
    void discardedAnswerOfARetriedAttemptDoesNotReachTheClient() throws Exception {
        // A status with a large body, whole or chunked: both are dropped before the retry.
        TestUpstream bad503 = track(TestUpstream.start("bad503", req -> req.path().endsWith("/chunked")
                ? Reply.status(503, "x".repeat(256 * 1024)).chunkedBy(4096)
                : Reply.status(503, "y".repeat(256 * 1024))));
        TestUpstream good = good("good");
        // Without failure memory, so that bad503 is tried again after its first 503.
        TestProxy proxy = proxy(app(bad503, good), cfg -> cfg.maxFails(0));

        try (RawHttp raw = track(proxy.connect())) {
            // Requests start at bad503, good, bad503, good: the first and third are retried.
            for (String path : List.of("/app/whole", "/app/x", "/app/chunked", "/app/y")) {
                RawResponse r = raw.send(request("GET", path, null)).readResponse(TIMEOUT);
                assertAnsweredBy("good", r);
            }
        }
        assertEquals(List.of("/app/whole", "/app/chunked"),
                bad503.requests().stream().map(RecordedRequest::path).toList());
        assertEquals(4, good.requestCount());
    }

    @Test
    void idempotentRequestLargerThanTheReplayBufferIsNotRetriedOnceSent() throws Exception {
        TestUpstream bad = answering("bad", 503);
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(bad, good), cfg -> cfg.replayBufferSize(1024));

        byte[] body = binaryBody(8 * 1024);
        assertUpstreamStatus(503, "bad", exchange(proxy, request("PUT", "/app/doc/3", body)));
        assertArrayEquals(body, bad.takeRequest(TIMEOUT).body());
        assertEquals(0, good.requestCount());
    }

    @Test
    void bodyLargerThanTheReplayBufferIsStillRetriedWhenNothingWasSent() throws Exception {
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(TestUpstream.refusing(), good.port()), cfg -> cfg.replayBufferSize(1024));

        byte[] body = binaryBody(8 * 1024);
        RawResponse r = exchange(proxy, request("POST", "/app/upload", body));
        assertEquals(200, r.status(), () -> r + ": " + r.bodyText());
        assertArrayEquals(body, r.body());
        assertArrayEquals(body, good.takeRequest(TIMEOUT).body(), "the whole body, once");
        assertEquals(1, good.requestCount());
    }

    @Test
    void largeUploadStreamsThroughAfterARetryOfItsConnect() throws Exception {
        // As above with a body that comes in many reads: after the retry it must keep streaming.
        TestUpstream good = echo("good");
        TestProxy proxy = proxy(app(TestUpstream.refusing(), good.port()), cfg -> cfg.replayBufferSize(1024));

        byte[] body = binaryBody(200_000);
        RawResponse r = exchange(proxy, request("POST", "/app/upload", body));
        assertEquals(200, r.status(), () -> r + ": " + r.bodyText());
        assertArrayEquals(body, r.body());
        assertArrayEquals(body, good.takeRequest(TIMEOUT).body(), "the whole body, once");
        assertEquals(1, good.requestCount());
    }

    // ---- keep-alive connections to upstreams ----------------------------------------------------

    @Test
    void requestAfterTheUpstreamClosedItsPooledConnectionSucceeds() throws Exception {
        TestUpstream up = good("up");
        TestProxy proxy = proxy(app(up));

        try (RawHttp raw = track(proxy.connect())) {
            for (int i = 0; i < 3; i++) {
                assertAnsweredBy("up", raw.send(request("GET", "/app/" + i, null)).readResponse(TIMEOUT));
                // The upstream drops its idle keep-alive connection, as servers do after their own timeout.
                up.closeConnections();
                Await.until(TIMEOUT, () -> up.openConnections() == 0, "upstream closed its connections");
            }
        }
        assertEquals(3, up.requestCount());
        assertEquals(3, up.connections(), "a new connection for each request after the close");
    }

    @Test
    void connectionCloseFromTheUpstreamIsNotPooled() throws Exception {
        TestUpstream up = track(TestUpstream.start("up", req -> Reply.ok("answer from up").closeAfter()));
        TestProxy proxy = proxy(app(up));

        try (RawHttp raw = track(proxy.connect())) {
            for (int i = 0; i < 5; i++) {
                RawResponse r = raw.send(request("GET", "/app/" + i, null)).readResponse(TIMEOUT);
                assertAnsweredBy("up", r);
                assertFalse("close".equalsIgnoreCase(r.header("Connection")),
                        "the upstream's Connection: close is hop-by-hop; the client connection stays open");
            }
        }
        assertEquals(5, up.connections());
        Set<Integer> connections = new HashSet<>();
        for (RecordedRequest seen : up.requests()) {
            assertEquals(1, seen.sequence(), "one request per upstream connection");
            connections.add(seen.connection());
        }
        assertEquals(5, connections.size());
    }

    @Test
    void getOnAStalePooledConnectionThatIsResetIsRetriedOnAFreshConnectionToTheSameTask() throws Exception {
        // a answers the first request of each connection, then resets the connection on the next one:
        // a keep-alive connection the server dropped just as Pacer reused it.
        TestUpstream a = track(TestUpstream.start("a", req -> req.sequence() == 1
                ? Reply.ok("answer from a") : Reply.abort()));
        TestUpstream b = good("b");
        TestProxy proxy = proxy(app(a, b));

        try (RawHttp raw = track(proxy.connect())) {
            assertAnsweredBy("a", raw.send(request("GET", "/app/1", null)).readResponse(TIMEOUT));
            assertAnsweredBy("b", raw.send(request("GET", "/app/2", null)).readResponse(TIMEOUT));
            // Starts at a, on the pooled connection: reset before any answer. As Nginx does, a dead
            // pooled connection is not held against the task: a fresh connection to a answers.
            assertAnsweredBy("a", raw.send(request("GET", "/app/3", null)).readResponse(TIMEOUT));
        }
        assertEquals(3, a.requestCount(), "the third request reached a twice: pooled, then fresh");
        assertEquals(2, a.requests().get(1).sequence());
        assertEquals(1, a.requests().get(2).sequence());
        assertEquals(1, b.requestCount());
    }

    @Test
    void postOnAStalePooledConnectionIsNotReplayed() throws Exception {
        TestUpstream a = track(TestUpstream.start("a", req -> req.sequence() == 1
                ? Reply.ok("answer from a") : Reply.abort()));
        TestProxy proxy = proxy(app(a));

        try (RawHttp raw = track(proxy.connect())) {
            assertAnsweredBy("a", raw.send(request("GET", "/app/1", null)).readResponse(TIMEOUT));
            RawResponse r = raw.send(request("POST", "/app/2", "payload".getBytes(java.nio.charset.StandardCharsets.UTF_8))).readResponse(TIMEOUT);
            assertEquals(502, r.status(), () -> r + ": " + r.bodyText());
        }
        Await.until(Duration.ofSeconds(2), () -> a.requestCount() == 2, "the POST reached a once");
        assertEquals(2, a.requestCount(), "a POST that may have been seen is never sent again");
    }

}
