package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.PacerConfig;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Size limits, framing errors and client timeouts: what Pacer answers itself, and that upstreams are spared. */
class LimitsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** For answers due at once (keeps the class quick when one never comes). */
    private static final Duration SHORT = Duration.ofSeconds(3);
    private static final int SMALL_BODY = 1000;
    private static final int MB = 1024 * 1024;

    @RegisterExtension
    final Closer open = new Closer();

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    /** Pacer serving {@code /app/} from {@code port}, with a 2 s read timeout and {@code config} on top. */
    private TestProxy proxy(int port, UnaryOperator<PacerConfig.Builder> config) {
        return track(TestProxy.start(TestProxy.table(TestProxy.app("/app", List.of("/app"), port)),
                cfg -> config.apply(cfg.readTimeout(Duration.ofSeconds(2)))));
    }

    private TestUpstream echo() {
        return track(TestUpstream.start("echo", req -> Reply.ok(req.body().length + " bytes")));
    }

    private SinkUpstream sink() throws IOException {
        return track(new SinkUpstream());
    }

    /** Pacer's own answer with {@code status}, on a connection Pacer then closes. */
    private static void assertRefusedAndClosed(RawHttp raw, int status, String what) throws IOException {
        RawResponse r = raw.readResponse(TIMEOUT);
        assertEquals(status, r.status(), () -> what + ": " + r + " " + r.bodyText());
        assertEquals("test-proxy", r.header("X-Proxy"), what);
        assertNull(r.header(TestUpstream.UPSTREAM_HEADER), what);
        assertTrue(r.headers().containsToken("Connection", "close"), () -> what + ": " + r.headers());
        assertTrue(raw.isClosedByPeer(TIMEOUT), what + ": connection left open");
    }

    private static String chunk(byte[] data) {
        return Integer.toHexString(data.length) + "\r\n" + new String(data, StandardCharsets.ISO_8859_1) + "\r\n";
    }

    // ---- max_body_size ------------------------------------------------------------------------------

    @Test
    void contentLengthOverMaxIs413AndNothingReachesTheUpstream() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxBodySize(MB));
        try (RawHttp raw = proxy.connect()) {
            // Only the head: Pacer must decide from Content-Length, before any body byte.
            raw.send("POST /app/upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + (MB + 1) + "\r\n\r\n");
            assertRefusedAndClosed(raw, 413, "Content-Length over max_body_size");
        }
        assertEquals(0, up.connections(), "the upstream was contacted");
    }

    @Test
    void contentLengthOverMaxWithExpectContinueIs413Without100() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxBodySize(MB));
        try (RawHttp raw = proxy.connect()) {
            raw.send("PUT /app/upload HTTP/1.1\r\nHost: t\r\nContent-Length: " + (10L * MB)
                    + "\r\nExpect: 100-continue\r\n\r\n");
            assertRefusedAndClosed(raw, 413, "Expect: 100-continue over max_body_size");
        }
        assertEquals(0, up.connections());
    }

    @Test
    void chunkedBodyOverMaxIs413AndTheUpstreamRequestIsAborted() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxBodySize(SMALL_BODY));
        try (RawHttp raw = proxy.connect()) {
            // One byte too many, in the second chunk; no last chunk follows.
            raw.send("POST /app/upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk(new byte[600]) + "191\r\n" + "x".repeat(SMALL_BODY + 1 - 600));
            assertRefusedAndClosed(raw, 413, "chunked body over max_body_size");
        }
        // Whatever part of the request went upstream is cut off: that connection is closed.
        Await.until(TIMEOUT, up::everyUsedConnectionClosed, () -> "upstream request not aborted: " + up);
        assertFalse(up.receivedText().contains("0\r\n\r\n"), "the upstream received a whole request");
    }

    @Test
    void bodyOfExactlyMaxIsAccepted() throws Exception {
        TestUpstream up = echo();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxBodySize(SMALL_BODY));
        try (RawHttp raw = proxy.connect()) {
            raw.send("POST /app/exact HTTP/1.1\r\nHost: t\r\nContent-Length: " + SMALL_BODY + "\r\n\r\n"
                    + "a".repeat(SMALL_BODY));
            RawResponse r = raw.readResponse(TIMEOUT);
            assertEquals(200, r.status(), r::toString);
            assertEquals(SMALL_BODY + " bytes", r.bodyText());

            raw.send("POST /app/exact-chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk(new byte[400]) + chunk(new byte[SMALL_BODY - 400]) + "0\r\n\r\n");
            RawResponse chunked = raw.readResponse(TIMEOUT);
            assertEquals(200, chunked.status(), chunked::toString);
            assertEquals(SMALL_BODY + " bytes", chunked.bodyText());
        }
        assertEquals(2, up.requestCount());
    }

    @Test
    void bodyOfExactly1MBAtA1MBLimitIsAccepted() throws Exception {
        TestUpstream up = echo();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxBodySize(MB));
        try (RawHttp raw = proxy.connect()) {
            raw.send("POST /app/exact HTTP/1.1\r\nHost: t\r\nContent-Length: " + MB + "\r\n\r\n");
            raw.send(new byte[MB]);
            RawResponse r = raw.readResponse(SHORT);
            assertEquals(200, r.status(), () -> r + " " + r.bodyText());
            assertEquals(MB + " bytes", r.bodyText());
        }
        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertEquals(MB, seen.body().length);
    }

    @Test
    void chunkedBodyOver1MBIs413() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxBodySize(MB));
        try (RawHttp raw = proxy.connect()) {
            StringBuilder body = new StringBuilder();
            byte[] piece = new byte[64 * 1024];
            for (int i = 0; i < 16; i++) {
                body.append(chunk(piece));
            }
            raw.send("POST /app/upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" + body + "1\r\nx");
            RawResponse r = raw.readResponse(SHORT);
            assertEquals(413, r.status(), () -> r + " " + r.bodyText());
            assertTrue(raw.isClosedByPeer(TIMEOUT));
        }
        Await.until(TIMEOUT, up::everyUsedConnectionClosed, () -> "upstream request not aborted: " + up);
    }

    // ---- max_uri_size and max_header_size ------------------------------------------------------------

    @Test
    void requestLineOverMaxUriSizeIs414() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxUriSize(512));
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /app/" + "u".repeat(600) + " HTTP/1.1\r\nHost: t\r\n\r\n");
            assertRefusedAndClosed(raw, 414, "request line over max_uri_size");
        }
        assertEquals(0, up.connections());
    }

    @Test
    void requestLineUnderMaxUriSizeIsServed() throws Exception {
        TestUpstream up = echo();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxUriSize(512));
        String target = "/app/" + "u".repeat(400);
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(200, raw.readResponse(TIMEOUT).status());
        }
        assertEquals(target, up.takeRequest(TIMEOUT).uri());
    }

    @Test
    void headersOverMaxHeaderSizeAre431() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.maxHeaderSize(1024));
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /app/ HTTP/1.1\r\nHost: t\r\nX-A: " + "a".repeat(600) + "\r\nX-B: " + "b".repeat(600)
                    + "\r\n\r\n");
            assertRefusedAndClosed(raw, 431, "headers over max_header_size");
        }
        assertEquals(0, up.connections());
    }

    @Test
    void headersOverTheDefault32kAre431() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), UnaryOperator.identity());
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /app/ HTTP/1.1\r\nHost: t\r\nCookie: " + "c".repeat(40 * 1024) + "\r\n\r\n");
            RawResponse r = raw.readResponse(SHORT);
            assertEquals(431, r.status(), r::toString);
        }
        assertEquals(0, up.connections());
    }

    @Test
    void requestHeadLargerThanOneReadButUnderTheLimitsIsServed() throws Exception {
        TestUpstream up = echo();
        TestProxy proxy = proxy(up.port(), UnaryOperator.identity());
        String cookie = "c".repeat(20 * 1024); // a cookie-heavy browser request, well under 32k
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /app/big-head HTTP/1.1\r\nHost: t\r\nCookie: " + cookie + "\r\n\r\n");
            RawResponse r = raw.readResponse(SHORT);
            assertEquals(200, r.status(), r::toString);
        }
        assertEquals(cookie, up.takeRequest(TIMEOUT).header("Cookie"));
    }

    // ---- framing errors --------------------------------------------------------------------------------

    @Test
    void contentLengthWithTransferEncodingIs400AndClosed() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), UnaryOperator.identity());
        for (String version : List.of("HTTP/1.1", "HTTP/1.0")) {
            try (RawHttp raw = proxy.connect()) {
                raw.send("POST /app/smuggle " + version + "\r\nHost: t\r\nContent-Length: 5\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
                assertRefusedAndClosed(raw, 400, version + " Content-Length + Transfer-Encoding");
            }
        }
        assertEquals(0, up.connections(), "a request framed two ways reached the upstream");
    }

    @Test
    void twoDifferentContentLengthsAre400() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), UnaryOperator.identity());
        for (String lengths : List.of("Content-Length: 5\r\nContent-Length: 6\r\n", "Content-Length: 5, 6\r\n")) {
            try (RawHttp raw = proxy.connect()) {
                raw.send("POST /app/x HTTP/1.1\r\nHost: t\r\n" + lengths + "\r\nhello!");
                assertRefusedAndClosed(raw, 400, lengths.trim());
            }
        }
        assertEquals(0, up.connections());
    }

    @Test
    void malformedRequestLineIs400() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), UnaryOperator.identity());
        for (String line : List.of("GET /app/ HTTP1.1", "GET /app/ HTTP/1.1 extra", "GARBAGE", "G(T /app/ HTTP/1.1",
                "GET app/ HTTP/1.1", "GET /app/")) {
            try (RawHttp raw = proxy.connect()) {
                raw.send(line + "\r\nHost: t\r\n\r\n");
                assertRefusedAndClosed(raw, 400, "'" + line + "'");
            }
        }
        assertEquals(0, up.connections());
    }

    @Test
    void bareLineFeedsAre400() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), UnaryOperator.identity());
        for (String request : List.of("GET /app/ HTTP/1.1\nHost: t\n\n", "GET /app/ HTTP/1.1\r\nHost: t\nX: y\r\n\r\n")) {
            try (RawHttp raw = proxy.connect()) {
                raw.send(request);
                assertRefusedAndClosed(raw, 400, request.replace("\r", "\\r").replace("\n", "\\n"));
            }
        }
        assertEquals(0, up.connections());
    }

    @Test
    void expectOtherThan100ContinueIs417() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), UnaryOperator.identity());
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /app/x HTTP/1.1\r\nHost: t\r\nExpect: something-else\r\n\r\n");
            assertRefusedAndClosed(raw, 417, "Expect: something-else");
        }
        try (RawHttp raw = proxy.connect()) {
            raw.send("POST /app/x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 200-ok\r\n\r\nhello");
            assertRefusedAndClosed(raw, 417, "Expect: 200-ok with a body");
        }
        assertEquals(0, up.connections());
    }

    // ---- client timeouts ------------------------------------------------------------------------------

    @Test
    void idleKeepAliveConnectionIsClosedAfterKeepaliveTimeout() throws Exception {
        TestUpstream up = echo();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.keepaliveTimeout(Duration.ofMillis(300)));
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /app/a HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse r = raw.readResponse(TIMEOUT);
            assertEquals(200, r.status());
            assertFalse(r.headers().containsToken("Connection", "close"), "a keep-alive answer: " + r.headers());
            long idleSince = System.nanoTime();
            assertTrue(raw.isClosedByPeer(TIMEOUT), "idle connection not closed");
            long idleMillis = (System.nanoTime() - idleSince) / 1_000_000;
            assertTrue(idleMillis >= 200, "closed after " + idleMillis + " ms, before keepalive_timeout");
        }
    }

    @Test
    void connectionIsReusableWithinKeepaliveTimeout() throws Exception {
        TestUpstream up = echo();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.keepaliveTimeout(Duration.ofMillis(300)));
        try (RawHttp raw = proxy.connect()) {
            for (int i = 0; i < 3; i++) {
                raw.send("GET /app/" + i + " HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals(200, raw.readResponse(TIMEOUT).status());
            }
        }
        assertEquals(3, up.requestCount());
    }

    @Test
    void keepaliveTimeoutZeroClosesAfterEachResponse() throws Exception {
        TestUpstream up = echo();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.keepaliveTimeout(Duration.ZERO));
        for (int i = 0; i < 2; i++) {
            try (RawHttp raw = proxy.connect()) {
                raw.send("GET /app/" + i + " HTTP/1.1\r\nHost: t\r\n\r\n");
                RawResponse r = raw.readResponse(TIMEOUT);
                assertEquals(200, r.status());
                assertTrue(r.headers().containsToken("Connection", "close"), () -> r.headers().toString());
                assertTrue(raw.isClosedByPeer(TIMEOUT), "connection kept open with keepalive_timeout 0");
            }
        }
        assertEquals(2, up.requestCount());
    }

    @Test
    void stalledRequestBodyGets408OrACloseAfterClientBodyTimeout() throws Exception {
        SinkUpstream up = sink();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.clientBodyTimeout(Duration.ofMillis(500)));
        try (RawHttp raw = proxy.connect()) {
            raw.send("POST /app/slow HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + "h".repeat(500));
            long sent = System.nanoTime();
            RawResponse r = null;
            try {
                r = raw.readResponse(TIMEOUT);
            } catch (EOFException | SocketException closed) {
                // closed without an answer: allowed
            }
            long waited = (System.nanoTime() - sent) / 1_000_000;
            if (r != null) {
                assertEquals(408, r.status(), r.toString());
                assertEquals("test-proxy", r.header("X-Proxy"));
                assertTrue(raw.isClosedByPeer(TIMEOUT), "connection left open after 408");
            }
            assertTrue(waited >= 400, "gave up after " + waited + " ms, before client_body_timeout");
        }
        // The half request that went upstream is cut off.
        Await.until(TIMEOUT, up::everyUsedConnectionClosed, () -> "upstream request not aborted: " + up);
    }

    @Test
    void stalledRequestBodyIsTheClientsTimeoutNotTheUpstreams() throws Exception {
        // read_timeout shorter than client_body_timeout: while the client still owes the body, the
        // upstream is not late, so the answer is 408 after client_body_timeout, never a 504.
        TestUpstream up = echo();
        TestProxy proxy = proxy(up.port(), cfg -> cfg.readTimeout(Duration.ofMillis(400))
                .clientBodyTimeout(Duration.ofMillis(1200)));
        try (RawHttp raw = proxy.connect()) {
            raw.send("POST /app/slow HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + "h".repeat(500));
            long sent = System.nanoTime();
            RawResponse r = raw.readResponse(TIMEOUT);
            long waited = (System.nanoTime() - sent) / 1_000_000;
            assertEquals(408, r.status(), () -> "after " + waited + " ms: " + r + " " + r.bodyText());
            assertTrue(waited >= 1000, "answered after " + waited + " ms, before client_body_timeout");
        }
        assertEquals(0, up.requestCount());
    }

    // ---- a raw upstream that never answers ----------------------------------------------------------

    /**
     * Accepts connections and reads whatever arrives until the peer closes, never answering:
     * shows whether the proxy contacted it, what it sent and whether it cut the connection.
     */
    static final class SinkUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final List<Conn> conns = new CopyOnWriteArrayList<>();

        private static final class Conn {
            final Socket socket;
            final AtomicLong bytes = new AtomicLong();
            final AtomicBoolean closedByPeer = new AtomicBoolean();
            final StringBuffer text = new StringBuffer();

            Conn(Socket socket) {
                this.socket = socket;
            }
        }

        SinkUpstream() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Conn c = new Conn(server.accept());
                        conns.add(c);
                        Thread reader = new Thread(() -> drain(c), "sink-upstream-conn");
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "sink-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static void drain(Conn c) {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = c.socket.getInputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    c.bytes.addAndGet(n);
                    if (c.text.length() < 64 * 1024) {
                        c.text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    }
                }
            } catch (IOException e) {
                // reset by the peer, or closed by us
            }
            c.closedByPeer.set(true);
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return conns.size();
        }

        /** Whether every connection that carried bytes of a request has been closed by the proxy. */
        boolean everyUsedConnectionClosed() {
            for (Conn c : conns) {
                if (c.bytes.get() > 0 && !c.closedByPeer.get()) {
                    return false;
                }
            }
            return true;
        }

        String receivedText() {
            StringBuilder all = new StringBuilder();
            conns.forEach(c -> all.append(c.text));
            return all.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Conn c : conns) {
                c.socket.close();
            }
        }

        @Override
        public String toString() {
            List<String> each = new ArrayList<>();
            conns.forEach(c -> each.add(c.bytes.get() + " bytes" + (c.closedByPeer.get() ? " closed" : " open")));
            return "SinkUpstream" + each;
        }
    }
}
