package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestBodies;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upstreams that fail after they started answering, lie about their framing, or go away, and the
 * upstream connection pool around them. A client must never take a broken answer for a whole one,
 * and one bad answer must never leak into the next request.
 */
class UpstreamFailuresTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Duration READ_TIMEOUT = Duration.ofMillis(1000);
    private static final String GET = "GET /app/x HTTP/1.1\r\nHost: test\r\n\r\n";

    @RegisterExtension
    final Closer open = new Closer();

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    private TestProxy proxy(App app, UnaryOperator<PacerConfig.Builder> extra) {
        return track(TestProxy.startWithShortTimeouts(app, READ_TIMEOUT, extra));
    }

    private TestProxy proxy(App app) {
        return proxy(app, UnaryOperator.identity());
    }

    private RawHttp client(TestProxy proxy) throws IOException {
        return track(proxy.connect());
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    private static void assertOk(String upstream, String body, RawResponse r) {
        assertEquals(200, r.status(), () -> "status of " + r + ": " + r.bodyText());
        assertEquals(upstream, r.header(TestUpstream.UPSTREAM_HEADER), () -> "X-Upstream of " + r);
        assertEquals(body, r.bodyText());
    }

    /** Everything until the client connection closes; fails if it is still open after {@code within}. */
    private static String readUntilClosed(RawHttp raw, Duration within) throws IOException {
        long started = System.nanoTime();
        String text = raw.readRawText(within.plusSeconds(1));
        long took = System.nanoTime() - started;
        assertTrue(took < within.toNanos(), "client connection still open after " + within.toMillis()
                + " ms; received so far: " + text);
        return text;
    }

    private static String bodyOf(String rawResponse) {
        int end = rawResponse.indexOf("\r\n\r\n");
        assertTrue(end > 0, () -> "a response head in: " + rawResponse);
        return rawResponse.substring(end + 4);
    }

    // ---- dying or stalling in the middle of a body ---------------------------------------------

    @Test
    void upstreamClosingBeforeContentLengthBytesClosesTheClientConnection() throws Exception {
        TestUpstream up = track(TestUpstream.start("cut", req -> Reply.ok("short")
                .header("Content-Length", 100).closeAfter()));
        TestProxy proxy = proxy(TestProxy.app("/app", up));

        String text = readUntilClosed(client(proxy).send(GET), TIMEOUT);
        assertTrue(text.startsWith("HTTP/1.1 200 "), () -> "the head was passed on: " + text);
        assertTrue(text.toLowerCase(java.util.Locale.ROOT).contains("content-length: 100\r\n"),
                () -> "with the upstream's length: " + text);
        assertEquals("short", bodyOf(text), "5 of the 100 announced bytes, then the connection closed");

        // The same, seen by a client that parses: it cannot take the answer for a whole one.
        EOFException e = assertThrows(EOFException.class, () -> client(proxy).send(GET).readResponse(TIMEOUT));
        assertTrue(e.getMessage().contains("5 of 100"), e.getMessage());
    }

    @Test
    void upstreamClosingInTheMiddleOfAChunkedBodySendsNoLastChunk() throws Exception {
        RawUpstream up = track(new RawUpstream(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n", true));
        TestProxy proxy = proxy(TestProxy.app("/app", List.of("/app"), up.port()));

        String text = readUntilClosed(client(proxy).send(GET), TIMEOUT);
        assertTrue(text.startsWith("HTTP/1.1 200 "), () -> "the head was passed on: " + text);
        assertTrue(text.contains("hello") && text.contains(" world"), () -> "the chunks that came: " + text);
        assertFalse(text.contains("\r\n0\r\n"), () -> "no terminating chunk: " + text);

        EOFException e = assertThrows(EOFException.class, () -> client(proxy).send(GET).readResponse(TIMEOUT));
        assertTrue(e.getMessage().contains("before the last chunk"), e.getMessage());
    }

    @Test
    void closeDelimitedBodyEndingWithTheConnectionIsWhole() throws Exception {
        // Contrast: without a length, the upstream's close is the end of the body, not a failure.
        RawUpstream up = track(new RawUpstream("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it", true));
        TestProxy proxy = proxy(TestProxy.app("/app", List.of("/app"), up.port()));

        RawHttp raw = client(proxy);
        RawResponse r = raw.send(GET).readResponse(TIMEOUT);
        assertEquals(200, r.status());
        assertEquals("all of it", r.bodyText());
        assertTrue(r.chunked(), "re-framed for the keep-alive client");
        assertEquals(200, raw.send(GET).readResponse(TIMEOUT).status(), "and the client connection carries on");
        assertEquals(2, up.requestCount());
    }

    @Test
    void upstreamClosedDuringALargeDownloadClosesTheClientBeforeTheEnd() throws Exception {
        long size = 512L * 1024 * 1024;
        TestUpstream up = track(TestUpstream.downloading("dl", size));
        TestProxy proxy = proxy(TestProxy.app("/app", up));

        RawHttp raw = client(proxy).send(GET);
        Socket socket = raw.socket();
        socket.setSoTimeout((int) TIMEOUT.toMillis());
        InputStream in = socket.getInputStream();
        byte[] head = readHead(in);
        String headText = new String(head, StandardCharsets.ISO_8859_1);
        assertTrue(headText.startsWith("HTTP/1.1 200 "), headText);
        assertTrue(headText.toLowerCase(java.util.Locale.ROOT).contains("content-length: " + size + "\r\n"), headText);

        byte[] buffer = new byte[64 * 1024];
        long received = 0;
        long firstMismatch = -1;
        while (received < 1024 * 1024) {
            int n = in.read(buffer);
            assertTrue(n > 0, "the download flows");
            if (firstMismatch < 0) {
                long m = TestBodies.firstMismatch(received, buffer, 0, n);
                firstMismatch = m < 0 ? -1 : m;
            }
            received += n;
        }
        assertEquals(-1, firstMismatch, "the bytes that came are the upstream's");

        up.closeConnections(); // the task dies mid-stream
        boolean closed = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try {
            while (System.nanoTime() < deadline) {
                int n = in.read(buffer);
                if (n < 0) {
                    closed = true;
                    break;
                }
                received += n;
            }
        } catch (SocketException reset) {
            closed = true;
        } catch (SocketTimeoutException stillOpen) {
            closed = false;
        }
        assertTrue(closed, "Pacer closed the client connection after " + received + " body bytes");
        assertTrue(received < size, "the client did not get " + size + " bytes: " + received);
    }

    @Test
    void upstreamStallingInTheMiddleOfTheBodyClosesTheClientAfterTheReadTimeout() throws Exception {
        TestUpstream up = track(TestUpstream.start("stall", req -> Reply.ok("partial").header("Content-Length", 1000)));
        TestProxy proxy = proxy(TestProxy.app("/app", up));

        long started = System.nanoTime();
        String text = readUntilClosed(client(proxy).send(GET), TIMEOUT);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(text.startsWith("HTTP/1.1 200 "), () -> "the head was passed on: " + text);
        assertEquals("partial", bodyOf(text));
        assertTrue(tookMillis >= READ_TIMEOUT.toMillis() - 50, "closed after the read timeout: " + tookMillis + " ms");
        Await.until(TIMEOUT, () -> up.openConnections() == 0, "the stalled upstream connection is closed too");
    }

    // ---- lying framing --------------------------------------------------------------------------

    /**
     * The upstream announces 5 bytes and sends more, in the same write. Nginx passes on the 5 bytes and
     * does not keep such a connection ("upstream sent more data than specified in Content-Length").
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "stray bytes",
            "HTTP/1.1 418 Stray\r\nX-Stray: yes\r\n",
            "HTTP/1.1 418 Stray\r\nContent-Length: 0\r\n\r\n"})
    void bytesBeyondTheContentLengthNeverReachTheNextRequest(String stray) throws Exception {
        TestUpstream up = track(TestUpstream.start("liar", req -> Reply.ok("hello" + stray)
                .header("Content-Length", 5)));
        TestProxy proxy = proxy(TestProxy.app("/app", up));

        RawHttp raw = client(proxy);
        for (int i = 0; i < 3; i++) {
            RawResponse r = raw.send(get("/app/" + i)).readResponse(TIMEOUT);
            assertOkAfterStray(up, "request " + (i + 1) + " on the first client connection", r);
            assertEquals("5", r.header("Content-Length"));
        }
        for (int i = 0; i < 3; i++) {
            assertOkAfterStray(up, "request on new client connection " + (i + 1),
                    client(proxy).send(get("/app/new" + i)).readResponse(TIMEOUT));
        }
        // Exactly the announced bytes reached the client: nothing more is waiting on the first connection.
        raw.send(get("/app/last"));
        assertOkAfterStray(up, "last request on the first client connection", raw.readResponse(TIMEOUT));

        List<RecordedRequest> seen = up.requests();
        assertEquals(7, seen.size());
        Set<Integer> connections = new HashSet<>();
        for (RecordedRequest r : seen) {
            connections.add(r.connection());
        }
        assertEquals(seen.size(), connections.size(),
                "an upstream connection that sent more than its Content-Length is never reused: " + seen);
    }

    private static void assertOkAfterStray(TestUpstream up, String which, RawResponse r) {
        assertEquals(200, r.status(), () -> which + ": " + r + " " + r.headers() + r.bodyText()
                + "\nrequests the upstream received (connection #, sequence on it): " + up.requests());
        assertEquals("liar", r.header(TestUpstream.UPSTREAM_HEADER), which);
        assertEquals("hello", r.bodyText(), which);
    }

    /**
     * Bytes that arrive on a pooled connection while it is idle answer no request: Nginx closes such
     * a connection (its keepalive close handler), and so must Pacer, or they prefix the next answer.
     */
    @Test
    void unsolicitedBytesOnAnIdlePooledConnectionMakeItUnusable() throws Exception {
        CountDownLatch answered = new CountDownLatch(1);
        RawUpstream up = track(new RawUpstream("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false,
                "HTTP/1.1 418 Stray\r\nX-Stray: yes\r\n", answered));
        TestProxy proxy = proxy(TestProxy.app("/app", List.of("/app"), up.port()));

        RawHttp raw = client(proxy);
        RawResponse first = raw.send(GET).readResponse(TIMEOUT);
        assertEquals(200, first.status());
        assertEquals("hello", first.bodyText());

        answered.countDown(); // the answer is over and its connection pooled: now the stray bytes
        Await.until(Duration.ofSeconds(2), () -> up.closedByPeer() == 1,
                "Pacer closes the idle pooled connection that received bytes nobody asked for");

        RawResponse second = raw.send(GET).readResponse(TIMEOUT);
        assertEquals(200, second.status(), () -> second + " " + second.headers() + second.bodyText());
        assertEquals("hello", second.bodyText());
        assertNull(second.header("X-Stray"));
        assertEquals(2, up.connections(), "the second request went on a new upstream connection");
    }

    @Test
    void oversizedResponseHeadIs502() throws Exception {
        String big = "b".repeat(70 * 1024);
        TestUpstream up = track(TestUpstream.start("big", req -> Reply.ok("never seen").header("X-Big", big)));
        TestProxy proxy = proxy(TestProxy.app("/app", up));

        RawHttp raw = client(proxy);
        RawResponse r = raw.send(GET).readResponse(TIMEOUT);
        assertEquals(502, r.status(), () -> r + ": " + r.bodyText());
        assertEquals("test-proxy", r.header("X-Proxy"));
        assertNull(r.header("X-Big"));
        assertNull(r.header(TestUpstream.UPSTREAM_HEADER));
        assertEquals(1, up.requestCount());
    }

    @Test
    void oversizedResponseHeadIsRetriedOnTheNextTask() throws Exception {
        String big = "b".repeat(70 * 1024);
        TestUpstream bad = track(TestUpstream.start("big", req -> Reply.ok("never seen").header("X-Big", big)));
        TestUpstream good = track(TestUpstream.start("good", req -> Reply.ok("fine")));
        TestProxy proxy = proxy(TestProxy.app("/app", bad, good));

        RawResponse r = client(proxy).send(GET).readResponse(TIMEOUT);
        assertOk("good", "fine", r);
        assertNull(r.header("X-Big"));
        assertEquals(1, bad.requestCount());
        assertEquals(1, good.requestCount());
    }

    // ---- a bad task among good ones -------------------------------------------------------------

    @Test
    void taskAnswering500ToEverythingDoesNotFailAnyRequest() throws Exception {
        TestUpstream broken = track(TestUpstream.start("broken", req -> Reply.status(500, "oops")));
        TestUpstream good = track(TestUpstream.start("good", req -> Reply.ok("fine")));
        TestProxy proxy = proxy(TestProxy.app("/app", broken, good));

        RawHttp raw = client(proxy);
        for (int i = 0; i < 20; i++) {
            assertOk("good", "fine", raw.send(get("/app/" + i)).readResponse(TIMEOUT));
        }
        for (int i = 0; i < 4; i++) {
            assertOk("good", "fine", client(proxy).send(get("/app/c" + i)).readResponse(TIMEOUT));
        }
        assertEquals(24, good.requestCount(), "each request reached the good task once");
        assertTrue(broken.requestCount() >= 1 && broken.requestCount() <= 24,
                "the broken task was tried at most once per request: " + broken.requestCount());
    }

    @Test
    void pooledConnectionsToATaskThatDiedAreDropped() throws Exception {
        TestUpstream dying = track(TestUpstream.start("dying", req -> Reply.ok("dying")));
        TestUpstream good = track(TestUpstream.start("good", req -> Reply.ok("fine")));
        // A read timeout far above the bound below: a request that waited on the dead task would show.
        TestProxy proxy = proxy(TestProxy.app("/app", dying, good), cfg -> cfg.readTimeout(Duration.ofSeconds(5)));

        RawHttp first = client(proxy);
        RawHttp second = client(proxy);
        for (int i = 0; i < 4; i++) {
            assertEquals(200, first.send(get("/app/" + i)).readResponse(TIMEOUT).status());
            assertEquals(200, second.send(get("/app/" + i)).readResponse(TIMEOUT).status());
        }
        assertTrue(dying.requestCount() > 0 && dying.openConnections() > 0, "pooled connections to the task");

        dying.close(); // stops listening and closes every connection
        for (int i = 0; i < 6; i++) {
            long started = System.nanoTime();
            assertOk("good", "fine", first.send(get("/app/after" + i)).readResponse(TIMEOUT));
            assertOk("good", "fine", second.send(get("/app/after" + i)).readResponse(TIMEOUT));
            assertOk("good", "fine", client(proxy).send(get("/app/new" + i)).readResponse(TIMEOUT));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < 2000, "no request waited on the dead task: " + tookMillis + " ms for three");
        }
    }

    // ---- the pool ----------------------------------------------------------------------------------

    @Test
    void keepAliveConnectionToTheUpstreamIsReused() throws Exception {
        TestUpstream up = track(TestUpstream.start("up", req -> Reply.ok("n" + req.sequence())));
        TestProxy proxy = proxy(TestProxy.app("/app", up));

        RawHttp raw = client(proxy);
        for (int i = 0; i < 20; i++) {
            RawResponse r = raw.send(get("/app/" + i)).readResponse(TIMEOUT);
            assertEquals(200, r.status());
            assertEquals("up", r.header(TestUpstream.UPSTREAM_HEADER));
        }
        assertEquals(20, up.requestCount());
        assertTrue(up.connections() <= 2, "20 sequential requests used " + up.connections() + " upstream connections");
        int maxSequence = up.requests().stream().mapToInt(RecordedRequest::sequence).max().orElse(0);
        assertTrue(maxSequence >= 10, "requests shared a connection: " + up.requests());
    }

    @Test
    void requestBodyArrivingAfterItsHeadIsForwardedOnAPooledConnection() throws Exception {
        TestUpstream up = track(TestUpstream.echo("echo"));
        TestProxy proxy = proxy(TestProxy.app("/app", up));
        RawHttp raw = client(proxy);

        // Expect: 100-continue puts the body in a later read than the head: the client sends it only
        // once Pacer answered 100. The first request opens the upstream connection, the second reuses it.
        for (int i = 1; i <= 2; i++) {
            raw.send("POST /app/upload HTTP/1.1\r\nHost: test\r\nContent-Length: 7\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertEquals(100, raw.readResponse(TIMEOUT).status());
            raw.send("upload" + i);
            RawResponse r = raw.readResponse(TIMEOUT);
            int n = i;
            assertEquals(200, r.status(), () -> "request " + n + " (" + (n == 1 ? "new" : "pooled")
                    + " upstream connection): " + r + " " + r.bodyText());
            assertEquals("upload" + i, r.bodyText());
        }
        assertEquals(1, up.connections(), "the second request used the pooled connection");
    }

    @Test
    void routeUpdateClosesIdleConnectionsOfARemovedTaskButLetsItsRequestInFlightFinish() throws Exception {
        TestUpstream old = track(TestUpstream.start("old", req -> req.path().equals("/app/slow")
                ? Reply.ok("slow answer").delayed(Duration.ofMillis(2500))
                : Reply.ok("quick answer")));
        TestUpstream replacement = track(TestUpstream.start("new", req -> Reply.ok("new answer")));
        TestProxy proxy = proxy(TestProxy.app("/app", old), cfg -> cfg.readTimeout(Duration.ofSeconds(5)));

        // One request in flight holds one upstream connection...
        RawHttp slow = client(proxy);
        long slowSent = System.nanoTime();
        slow.send(get("/app/slow"));
        Await.until(TIMEOUT, () -> old.requestCount() == 1, "the slow request reached the old task");
        // ...so a quick one opens a second, which goes back to a pool, idle.
        assertOk("old", "quick answer", client(proxy).send(get("/app/quick")).readResponse(TIMEOUT));
        assertEquals(2, old.connections());
        assertEquals(2, old.openConnections(), "one busy, one idle");

        proxy.routes(TestProxy.table(TestProxy.app("/app", replacement)));

        Await.until(TIMEOUT, () -> old.openConnections() == 1, () -> "the idle connection closed at the swap; open: "
                + old.openConnections());
        assertTrue(System.nanoTime() - slowSent < TimeUnit.MILLISECONDS.toNanos(2300),
                "(the slow request was still in flight meanwhile)");
        assertOk("new", "new answer", client(proxy).send(get("/app/after")).readResponse(TIMEOUT));

        RawResponse r = slow.readResponse(TIMEOUT);
        assertOk("old", "slow answer", r);
        Await.until(TIMEOUT, () -> old.openConnections() == 0, "the busy connection closed when its exchange ended");
        assertEquals(2, old.connections(), "no new connection to the removed task");
        assertEquals(2, old.requestCount());

        // The client connection that had the slow request carries on, with the new table.
        assertOk("new", "new answer", slow.send(get("/app/later")).readResponse(TIMEOUT));
    }

    // ---- a bare-socket upstream, for framings TestUpstream does not produce ------------------------

    private static byte[] readHead(InputStream in) throws IOException {
        java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed in the head: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    /**
     * Answers each request (read up to its blank line; bodiless requests only) with fixed bytes, then
     * closes the connection or waits for the next request on it.
     */
    private static final class RawUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final byte[] answer;
        private final boolean closeAfter;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new CopyOnWriteArrayList<>();
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger closedByPeer = new AtomicInteger();
        private final byte[] strayAfterFirstAnswer;
        private final CountDownLatch strayGo;

        RawUpstream(String answer, boolean closeAfter) throws IOException {
            this(answer, closeAfter, null, null);
        }

        /**
         * After its first answer, waits for {@code go}, then sends {@code stray} on that connection,
         * which is idle by then: bytes no request asked for.
         */
        RawUpstream(String answer, boolean closeAfter, String stray, CountDownLatch go) throws IOException {
            this.strayAfterFirstAnswer = stray == null ? null : stray.getBytes(StandardCharsets.ISO_8859_1);
            this.strayGo = go;
            this.server = new ServerSocket();
            this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.answer = answer.getBytes(StandardCharsets.ISO_8859_1);
            this.closeAfter = closeAfter;
            Thread acceptor = new Thread(this::accept, "raw-upstream-accept");
            acceptor.setDaemon(true);
            threads.add(acceptor);
            acceptor.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int requestCount() {
            return requests.get();
        }

        int connections() {
            return sockets.size();
        }

        /** Connections the proxy closed while this upstream waited for a request on them. */
        int closedByPeer() {
            return closedByPeer.get();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s), "raw-upstream-conn");
                    t.setDaemon(true);
                    threads.add(t);
                    t.start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    try {
                        readHead(in);
                    } catch (EOFException e) {
                        closedByPeer.incrementAndGet();
                        return;
                    }
                    int n = requests.incrementAndGet();
                    out.write(answer);
                    out.flush();
                    if (closeAfter) {
                        return;
                    }
                    if (n == 1 && strayAfterFirstAnswer != null) {
                        if (!strayGo.await(10, TimeUnit.SECONDS)) {
                            return;
                        }
                        out.write(strayAfterFirstAnswer);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // the peer went away, or we are closing
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
            for (Thread t : threads) {
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
