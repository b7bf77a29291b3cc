package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestBodies;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import io.pacer.proxy.testing.WebSocketMessages;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WebSocket through Pacer: the upgrade is forwarded, then the connection pair becomes a byte tunnel
 * (Tunnel) that relays frames both ways until either side closes, and whose upstream connection
 * never goes back to the pool.
 */
class WebSocketTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SHORT = Duration.ofSeconds(5);
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(SHORT).build();

    private TestUpstream ws;
    private TestProxy proxy;
    private final List<WebSocket> opened = new ArrayList<>();

    @BeforeEach
    void start() {
        ws = TestUpstream.webSocketEcho("ws");
        proxy = TestProxy.start(TestProxy.table(TestProxy.app("/chat", ws)));
    }

    @AfterEach
    void stop() {
        for (WebSocket w : opened) {
            w.abort();
        }
        proxy.close();
        ws.close();
    }

    // ---- java.net.http.WebSocket through Pacer ----------------------------------------------

    @Test
    void echoesText() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/room?x=1", c);

        w.sendText("hello through pacer", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("hello through pacer", c.next());

        w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("close:1000", c.next());

        RecordedRequest handshake = ws.takeRequest(TIMEOUT);
        assertEquals("/chat/room?x=1", handshake.uri(), "the path and query go upstream unchanged");
    }

    @Test
    void echoesAFourMegabyteBinaryMessageByteForByte() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/big", c);
        byte[] payload = TestBodies.bytes(17, 4 * 1024 * 1024);

        w.sendBinary(ByteBuffer.wrap(payload), true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Object echoed = c.next();

        assertInstanceOf(byte[].class, echoed);
        byte[] got = (byte[]) echoed;
        assertEquals(payload.length, got.length, "echoed length");
        assertEquals(-1, TestBodies.firstMismatch(17, got, 0, got.length), "first differing offset");
        assertArrayEquals(payload, got);
    }

    @Test
    void manySmallMessagesComeBackInOrder() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/many", c);
        int count = 2000;
        for (int i = 0; i < count; i++) {
            if (i % 2 == 0) {
                w.sendText("m-" + i, true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                w.sendBinary(ByteBuffer.wrap(("b-" + i).getBytes(StandardCharsets.US_ASCII)), true)
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        for (int i = 0; i < count; i++) {
            Object m = c.next();
            if (i % 2 == 0) {
                assertEquals("m-" + i, m, "message #" + i);
            } else {
                assertInstanceOf(byte[].class, m, "message #" + i);
                assertEquals("b-" + i, new String((byte[]) m, StandardCharsets.US_ASCII), "message #" + i);
            }
        }
        assertEquals(1, ws.connections(), "every message went over the one tunnel");
    }

    @Test
    void theUpstreamGetsTheUpgradeHeaders() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/headers", c);
        w.sendText("ping", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("ping", c.next());

        RecordedRequest handshake = ws.takeRequest(TIMEOUT);
        assertEquals("GET", handshake.method());
        assertEquals("websocket", lower(handshake.header("Upgrade")));
        assertTrue(tokens(handshake.header("Connection")).contains("upgrade"),
                "Connection: " + handshake.header("Connection"));
        assertNotNull(handshake.header("Sec-WebSocket-Key"), "the key is passed on");
        assertEquals("13", handshake.header("Sec-WebSocket-Version"));
        assertEquals("127.0.0.1", handshake.header("X-Real-IP"));
        assertEquals("127.0.0.1", handshake.header("X-Forwarded-For"));
        assertEquals("http", handshake.header("X-Forwarded-Proto"));
    }

    // ---- raw handshakes and frames --------------------------------------------------------------

    @Test
    void aRawHandshakeGets101WithUpgradeConnectionAndXProxy() throws Exception {
        try (RawHttp raw = proxy.connect()) {
            RawResponse r = handshake(raw, "/chat/raw");

            assertEquals(101, r.status(), r.toString());
            assertEquals("websocket", lower(r.header("Upgrade")));
            assertTrue(r.headers().containsToken("Connection", "upgrade"), r.headers().toString());
            assertEquals("test-proxy", r.header("X-Proxy"));
            assertEquals(accept(KEY), r.header("Sec-WebSocket-Accept"));
            assertEquals("ws", r.header(TestUpstream.UPSTREAM_HEADER));
            assertFalse(r.headers().contains("Content-Length") && !"0".equals(r.header("Content-Length")),
                    "a 101 has no body");

            // Frames pass through unchanged after the 101: a masked text frame comes back unmasked.
            raw.send(maskedFrame(0x1, "raw hello".getBytes(StandardCharsets.UTF_8)));
            Frame echoed = new Frames(raw).next(SHORT);
            assertEquals(0x1, echoed.opcode);
            assertTrue(echoed.fin);
            assertEquals("raw hello", new String(echoed.payload, StandardCharsets.UTF_8));
        }
        RecordedRequest handshake = ws.takeRequest(TIMEOUT);
        assertEquals("websocket", lower(handshake.header("Upgrade")));
        assertTrue(tokens(handshake.header("Connection")).contains("upgrade"),
                "Connection: " + handshake.header("Connection"));
        assertEquals(KEY, handshake.header("Sec-WebSocket-Key"));
    }

    @Test
    void aFirefoxStyleHandshakeIsRecognised() throws Exception {
        // Firefox sends "Connection: keep-alive, Upgrade"; header values are case-insensitive.
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET /chat/firefox HTTP/1.1\r\nHost: test\r\nUpgrade: WebSocket\r\n"
                    + "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            RawResponse r = raw.readResponse(SHORT);
            assertEquals(101, r.status(), r + " " + r.bodyText());
            assertEquals(accept(KEY), r.header("Sec-WebSocket-Accept"));
            Frames frames = new Frames(raw);
            raw.send(maskedFrame(0x1, "ff".getBytes(StandardCharsets.UTF_8)));
            assertEquals("ff", frames.nextText(SHORT));
        }
        RecordedRequest handshake = ws.takeRequest(TIMEOUT);
        assertEquals("websocket", lower(handshake.header("Upgrade")));
        assertTrue(tokens(handshake.header("Connection")).contains("upgrade"), handshake.header("Connection"));
        assertFalse(tokens(handshake.header("Connection")).contains("keep-alive"),
                "Connection is rewritten for the upstream: " + handshake.header("Connection"));
    }

    @Test
    void aHandshakeAfterPlainRequestsOnTheSameConnectionOpensATunnel() throws Exception {
        try (TestUpstream plain = TestUpstream.start("plain", req -> Reply.ok("plain " + req.uri()))) {
            proxy.routes(TestProxy.table(TestProxy.app("/chat", ws), TestProxy.app("/plain", plain)));
            try (RawHttp raw = proxy.connect()) {
                for (int i = 0; i < 3; i++) {
                    raw.send("GET /plain/" + i + " HTTP/1.1\r\nHost: test\r\n\r\n");
                    RawResponse r = raw.readResponse(SHORT);
                    assertEquals(200, r.status());
                    assertEquals("plain /plain/" + i, r.bodyText());
                }
                // The same keep-alive connection now upgrades.
                RawResponse up = handshake(raw, "/chat/late");
                assertEquals(101, up.status(), up.toString());
                Frames frames = new Frames(raw);
                raw.send(maskedFrame(0x1, "late".getBytes(StandardCharsets.UTF_8)));
                assertEquals("late", frames.nextText(SHORT));
            }
            Await.until(SHORT, () -> ws.openConnections() == 0, "the tunnel's upstream connection to close");
        }
    }

    @Test
    void aHandshakeTheUpstreamRefusesIsPassedBackAndTheConnectionStaysHttp() throws Exception {
        try (TestUpstream plain = TestUpstream.start("plain", req -> Reply.ok("no websocket here"))) {
            proxy.routes(TestProxy.table(TestProxy.app("/plain", plain)));

            ExecutionException e = assertThrows(ExecutionException.class, () -> open("/plain/ws", new WebSocketMessages(TIMEOUT)));
            WebSocketHandshakeException h = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
            assertEquals(200, h.getResponse().statusCode());

            try (RawHttp raw = proxy.connect()) {
                RawResponse r = handshake(raw, "/plain/raw");
                assertEquals(200, r.status());
                assertEquals("no websocket here", r.bodyText());
                assertFalse(r.headers().contains("Upgrade"), r.headers().toString());
                assertFalse(r.headers().containsToken("Connection", "upgrade"), r.headers().toString());
                // Still HTTP: the next request on the connection is a plain one.
                raw.send("GET /plain/next HTTP/1.1\r\nHost: test\r\n\r\n");
                RawResponse next = raw.readResponse(SHORT);
                assertEquals(200, next.status());
                assertEquals("plain", next.header(TestUpstream.UPSTREAM_HEADER));
            }
            assertEquals(3, plain.requestCount());
        }
    }

    @Test
    void aHandshakeIsRetriedPastATaskThatRefusesConnections() throws Exception {
        proxy.routes(TestProxy.table(TestProxy.app("/retry", List.of("/retry"), TestUpstream.refusing(), ws.port())));
        for (int i = 0; i < 2; i++) { // round robin: once starting at the dead task, once at the live one
            try (RawHttp raw = proxy.connect()) {
                RawResponse r = handshake(raw, "/retry/" + i);
                assertEquals(101, r.status(), "handshake " + i + ": " + r);
                Frames frames = new Frames(raw);
                raw.send(maskedFrame(0x1, ("r" + i).getBytes(StandardCharsets.UTF_8)));
                assertEquals("r" + i, frames.nextText(SHORT));
            }
        }
        assertEquals(2, ws.requestCount());
    }

    @Test
    void aClientThatSendsMegabytesBeforeReadingGetsEverythingBackInOrder() throws Exception {
        int frameCount = 96;
        int frameSize = 64 * 1024; // 6 MB in all: more than the socket buffers, so both relays pause
        try (RawHttp raw = proxy.connect()) {
            assertEquals(101, handshake(raw, "/chat/flood").status());
            Frames frames = new Frames(raw);
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < frameCount; i++) {
                        raw.send(maskedFrame(0x2, TestBodies.bytes((long) i * frameSize, frameSize)));
                    }
                } catch (Throwable t) {
                    writeFailure.set(t);
                }
            }, "ws-flood-writer");
            writer.setDaemon(true);
            writer.start();
            writer.join(TIMEOUT.toMillis());
            assertFalse(writer.isAlive(), "the client could not send 6 MB: the tunnel stopped reading it");
            assertEquals(null, writeFailure.get());

            for (int i = 0; i < frameCount; i++) {
                Frame f = frames.next(TIMEOUT);
                assertEquals(0x2, f.opcode(), "frame " + i);
                assertEquals(frameSize, f.payload().length, "frame " + i);
                assertEquals(-1, TestBodies.firstMismatch((long) i * frameSize, f.payload(), 0, frameSize),
                        "frame " + i + " differs");
            }
        }
    }

    // ---- closing ----------------------------------------------------------------------------

    @Test
    void aClientCloseHandshakeClosesTheUpstreamConnection() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/close", c);
        w.sendText("x", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("x", c.next());
        assertEquals(1, ws.openConnections());

        w.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("close:1000", c.next());
        Await.until(SHORT, () -> ws.openConnections() == 0,
                () -> "the upstream connection to close; open: " + ws.openConnections());
    }

    @Test
    void aClientDroppingTheConnectionClosesTheUpstreamConnection() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/abort", c);
        w.sendText("x", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("x", c.next());
        assertEquals(1, ws.openConnections());

        w.abort(); // TCP close without a close frame: only Pacer can tell the upstream
        Await.until(SHORT, () -> ws.openConnections() == 0,
                () -> "the upstream connection to close after the client dropped; open: " + ws.openConnections());
    }

    @Test
    void aRawClientClosingItsSocketClosesTheUpstreamConnection() throws Exception {
        RawHttp raw = proxy.connect();
        try {
            assertEquals(101, handshake(raw, "/chat/raw-close").status());
            Await.until(SHORT, () -> ws.openConnections() == 1, "the upstream connection to be open");
        } finally {
            raw.close();
        }
        Await.until(SHORT, () -> ws.openConnections() == 0,
                () -> "the upstream connection to close; open: " + ws.openConnections());
    }

    @Test
    void theUpstreamClosingClosesTheClient() throws Exception {
        try (RawHttp raw = proxy.connect()) {
            assertEquals(101, handshake(raw, "/chat/upstream-close").status());
            Frames frames = new Frames(raw);
            raw.send(maskedFrame(0x1, "before".getBytes(StandardCharsets.UTF_8)));
            assertEquals("before", frames.nextText(SHORT));

            ws.closeConnections(); // FIN from the upstream, no close frame
            assertTrue(raw.isClosedByPeer(SHORT), "Pacer must close the client side of the tunnel");
        }
    }

    @Test
    void theUpstreamClosingIsSeenByAJavaWebSocketClient() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/upstream-close-java", c);
        w.sendText("x", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("x", c.next());

        ws.closeConnections();
        Object end = c.nextOrFailure();
        assertNotNull(end, "the client must learn that the connection ended");
        assertTrue(end instanceof Throwable || String.valueOf(end).startsWith("close:"), "got " + end);
        Await.until(SHORT, () -> w.isInputClosed(), "the client's input to be closed");
    }

    // ---- routing ----------------------------------------------------------------------------

    @Test
    void aWebSocketToAnUnknownPathGets503() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> HTTP.newWebSocketBuilder().connectTimeout(SHORT)
                        .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/nowhere/socket"), new WebSocketMessages(TIMEOUT))
                        .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        WebSocketHandshakeException h = assertInstanceOf(WebSocketHandshakeException.class, e.getCause());
        assertEquals(503, h.getResponse().statusCode());
        assertEquals("test-proxy", h.getResponse().headers().firstValue("X-Proxy").orElse(null));

        try (RawHttp raw = proxy.connect()) {
            RawResponse r = handshake(raw, "/nowhere/socket");
            assertEquals(503, r.status());
            assertEquals("test-proxy", r.header("X-Proxy"));
            assertFalse(r.headers().contains("Upgrade"), "no upgrade on a refusal");
        }
        assertEquals(0, ws.requestCount(), "nothing reached the upstream");
    }

    /**
     * A refused handshake leaves the connection in HTTP/1.1 keep-alive (the 503 carries no
     * {@code Connection: close}), so the next request on it must be answered.
     */
    @Test
    void theConnectionStaysUsableAfterA503ToAHandshake() throws Exception {
        try (RawHttp raw = proxy.connect()) {
            RawResponse refused = handshake(raw, "/nowhere/socket");
            assertEquals(503, refused.status());
            assertFalse(refused.headers().containsToken("Connection", "close"), refused.headers().toString());

            // Sent after the 503 arrived, as a client reusing its connection does.
            raw.send("GET /chat/after HTTP/1.1\r\nHost: test\r\n\r\n");
            RawResponse second = raw.readResponse(SHORT);
            assertEquals("ws", second.header(TestUpstream.UPSTREAM_HEADER), second.toString());
        }
        assertEquals(1, ws.requestCount(), "only the plain request reached the upstream");
    }

    @Test
    void aTunnelsUpstreamConnectionNeverReturnsToThePool() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/pool", c);
        w.sendText("one", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("one", c.next());
        assertEquals(1, ws.connections());

        // While the tunnel is up, a plain request cannot use its connection: it gets a new one, and
        // the tunnel is not disturbed. (The echo server answers a request without Upgrade with its
        // own 400; what matters is that the upstream answered it as HTTP.)
        RawResponse during = plainGet("/chat/during");
        assertEquals("ws", during.header(TestUpstream.UPSTREAM_HEADER), during.toString());
        assertEquals(2, ws.connections(), "a plain request during the tunnel opened its own connection");
        w.sendText("two", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("two", c.next());

        w.sendClose(WebSocket.NORMAL_CLOSURE, "").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("close:1000", c.next());

        // After the tunnel ends, plain requests to the same app are answered by the upstream over
        // connections that are HTTP: never over the (closed) tunnel connection.
        int before = ws.requestCount();
        for (int i = 0; i < 5; i++) {
            RawResponse after = plainGet("/chat/after-" + i);
            assertEquals("ws", after.header(TestUpstream.UPSTREAM_HEADER), after.toString());
            assertEquals(during.status(), after.status(), "same answer as before the tunnel closed");
        }
        assertEquals(before + 5, ws.requestCount(), "each plain request reached the upstream once");
        for (RecordedRequest r : ws.requests()) {
            if (r.uri().startsWith("/chat/after-")) {
                assertNotEquals(1, r.connection(), "a plain request came on the tunnel's connection: " + r);
            }
        }
    }

    @Test
    void anOpenTunnelSurvivesARouteSwapThatRemovesItsApp() throws Exception {
        WebSocketMessages c = new WebSocketMessages(TIMEOUT);
        WebSocket w = open("/chat/swap", c);
        w.sendText("before", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("before", c.next());

        proxy.routes(TestProxy.table());
        try (RawHttp raw = proxy.connect()) {
            assertEquals(503, handshake(raw, "/chat/new").status(), "new handshakes see the new table");
        }
        w.sendText("after", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("after", c.next(), "the established tunnel keeps relaying");
    }

    // ---- edge cases of the switch to a tunnel -------------------------------------------------

    @Test
    void bytesTheUpstreamSendsRightAfterThe101ReachTheClient() throws Exception {
        try (GreetingUpstream greeter = new GreetingUpstream("welcome!")) {
            proxy.routes(TestProxy.table(TestProxy.app("/greet", List.of("/greet"), greeter.port())));

            WebSocketMessages c = new WebSocketMessages(TIMEOUT);
            open("/greet/socket", c);
            assertEquals("welcome!", c.next(), "a frame sent in the same packet as the 101 must not be lost");

            try (RawHttp raw = proxy.connect()) {
                assertEquals(101, handshake(raw, "/greet/raw").status());
                assertEquals("welcome!", new Frames(raw).nextText(SHORT));
            }
        }
    }

    @Test
    void aSilentTunnelIsClosedAfterTheReadTimeoutButABusyOneIsNot() throws Exception {
        try (TestProxy quick = TestProxy.start(TestProxy.table(TestProxy.app("/chat", ws)),
                cfg -> cfg.readTimeout(Duration.ofMillis(800)))) {
            // Busy: a message every 150 ms for 2 s keeps the tunnel open well past the timeout.
            try (RawHttp busy = RawHttp.connect(quick.address())) {
                assertEquals(101, handshake(busy, "/chat/busy").status());
                Frames frames = new Frames(busy);
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
                int n = 0;
                while (System.nanoTime() < end && n < 100) {
                    busy.send(maskedFrame(0x1, ("tick " + n).getBytes(StandardCharsets.UTF_8)));
                    assertEquals("tick " + n, frames.nextText(SHORT));
                    n++;
                    assertFalse(busy.isClosedByPeer(Duration.ofMillis(150)), "a busy tunnel was closed");
                }
            }
            // Silent: closed by Pacer, both sides.
            try (RawHttp silent = RawHttp.connect(quick.address())) {
                assertEquals(101, handshake(silent, "/chat/silent").status());
                long t0 = System.nanoTime();
                assertTrue(silent.isClosedByPeer(SHORT), "a silent tunnel must close after read_timeout");
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertTrue(ms >= 500, "closed too early: " + ms + " ms");
            }
            Await.until(SHORT, () -> ws.openConnections() == 0, "the upstream side of the idle tunnel to close");
        }
    }


    // ---- helpers ------------------------------------------------------------------------------

    private WebSocket open(String path, WebSocketMessages collector) throws Exception {
        WebSocket w = HTTP.newWebSocketBuilder().connectTimeout(SHORT)
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + path), collector)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        opened.add(w);
        return w;
    }

    private RawResponse plainGet(String path) throws IOException {
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n");
            return raw.readResponse(SHORT);
        }
    }

    private static RawResponse handshake(RawHttp raw, String path) throws IOException {
        raw.send("GET " + path + " HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
        return raw.readResponse(SHORT);
    }

    static String accept(String key) throws Exception {
        byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(sha1);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }

    private static List<String> tokens(String header) {
        List<String> out = new ArrayList<>();
        if (header != null) {
            for (String t : header.split(",")) {
                out.add(t.trim().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    /** A client frame: FIN, the opcode, masked as RFC 6455 requires of clients. */
    static byte[] maskedFrame(int opcode, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80 | opcode);
        int len = payload.length;
        if (len < 126) {
            out.write(0x80 | len);
        } else if (len < 65536) {
            out.write(0x80 | 126);
            out.write(len >>> 8);
            out.write(len);
        } else {
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) len >>> shift));
            }
        }
        byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
        out.writeBytes(mask);
        for (int i = 0; i < len; i++) {
            out.write(payload[i] ^ mask[i & 3]);
        }
        return out.toByteArray();
    }

    /** An unmasked server frame. */
    static byte[] serverFrame(int opcode, byte[] payload) {
        if (payload.length >= 126) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] out = new byte[2 + payload.length];
        out[0] = (byte) (0x80 | opcode);
        out[1] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 2, payload.length);
        return out;
    }

    record Frame(boolean fin, int opcode, byte[] payload) { }

    /**
     * Reads frames from a connection after its 101: first what RawHttp read past the response,
     * then straight from the socket, never further than the frame asked for.
     */
    static final class Frames {
        private final RawHttp raw;
        private final DataInputStream in;

        Frames(RawHttp raw) throws IOException {
            this.raw = raw;
            // readRaw hands back RawHttp's read-ahead, plus whatever is readable within 1 ms.
            byte[] readAhead = raw.readRaw(Duration.ofMillis(1));
            this.in = new DataInputStream(new SequenceInputStream(new ByteArrayInputStream(readAhead),
                    raw.socket().getInputStream()));
        }

        Frame next(Duration timeout) throws IOException {
            raw.socket().setSoTimeout((int) timeout.toMillis());
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7f;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] mask = null;
            if ((b1 & 0x80) != 0) {
                mask = new byte[4];
                in.readFully(mask);
            }
            byte[] payload = new byte[Math.toIntExact(len)];
            in.readFully(payload);
            if (mask != null) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i & 3];
                }
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload);
        }

        String nextText(Duration timeout) throws IOException {
            Frame f = next(timeout);
            assertEquals(0x1, f.opcode(), "a text frame");
            return new String(f.payload(), StandardCharsets.UTF_8);
        }
    }

    /**
     * A minimal WebSocket server on a plain socket that answers the handshake and, in the same
     * write, a text frame: a server that speaks first, with no gap between the 101 and its data.
     */
    private static final class GreetingUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final Thread acceptor;
        private final List<Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        GreetingUpstream(String greeting) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        sockets.add(s);
                        s.setSoTimeout((int) TIMEOUT.toMillis());
                        String key = readKey(s.getInputStream());
                        byte[] head = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept(key) + "\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII);
                        byte[] frame = serverFrame(0x1, greeting.getBytes(StandardCharsets.UTF_8));
                        byte[] all = new byte[head.length + frame.length];
                        System.arraycopy(head, 0, all, 0, head.length);
                        System.arraycopy(frame, 0, all, head.length, frame.length);
                        OutputStream out = s.getOutputStream();
                        out.write(all); // one write: the frame travels with the 101
                        out.flush();
                    } catch (IOException e) {
                        if (!server.isClosed()) {
                            failure.set(e);
                        }
                    } catch (Exception e) {
                        failure.set(e);
                    }
                }
            }, "greeting-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private static String readKey(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0 || head.length() > 16384) {
                    throw new IOException("no request head");
                }
                head.append((char) b);
            }
            for (String line : head.toString().split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Key")) {
                    return line.substring(colon + 1).trim();
                }
            }
            throw new IOException("no Sec-WebSocket-Key in " + head);
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
            acceptor.join(TIMEOUT.toMillis());
            Throwable t = failure.get();
            if (t != null) {
                throw new AssertionError("greeting upstream failed", t);
            }
        }
    }

}
