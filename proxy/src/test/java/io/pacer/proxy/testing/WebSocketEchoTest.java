package io.pacer.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebSocketEchoTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** Collects whole messages (text as String, binary as byte[]) and the close code as "close:<code>". */
    private static final class Collector implements WebSocket.Listener {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] part = new byte[data.remaining()];
            data.get(part);
            binary.writeBytes(part);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            messages.add("close:" + statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            messages.add(error);
        }

        Object next() throws InterruptedException {
            Object m = messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                throw new AssertionError("no WebSocket message within " + TIMEOUT);
            }
            if (m instanceof Throwable t) {
                throw new AssertionError("WebSocket failed", t);
            }
            return m;
        }
    }

    private TestUpstream up;

    @BeforeEach
    void start() {
        up = TestUpstream.webSocketEcho("ws");
    }

    @AfterEach
    void stop() {
        up.close();
    }

    private WebSocket open(Collector collector) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + up.port() + "/chat/room?x=1"), collector)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void echoesTextAndAOneMegabyteBinaryMessage() throws Exception {
        Collector collector = new Collector();
        WebSocket ws = open(collector);

        ws.sendText("hello", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("hello", collector.next());

        byte[] payload = TestBodies.bytes(0, 1024 * 1024);
        ws.sendBinary(ByteBuffer.wrap(payload), true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertArrayEquals(payload, (byte[]) collector.next());

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("close:1000", collector.next());

        RecordedRequest handshake = up.takeRequest(TIMEOUT);
        assertEquals("/chat/room?x=1", handshake.uri());
        assertEquals("websocket", handshake.header("upgrade").toLowerCase());
    }

    @Test
    void fragmentedMessagesComeBackWhole() throws Exception {
        Collector collector = new Collector();
        WebSocket ws = open(collector);
        ws.sendText("hel", false).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ws.sendText("lo ", false).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ws.sendText("world", true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("hello world", collector.next());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("close:1000", collector.next());
    }

    @Test
    void theHandshakeResponseNamesTheUpstream() throws Exception {
        try (RawHttp raw = RawHttp.connect(up.address())) {
            RawResponse r = raw.send("GET /socket HTTP/1.1\r\nHost: test\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(101, r.status());
            assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", r.header("sec-websocket-accept"));
            assertEquals("ws", r.header(TestUpstream.UPSTREAM_HEADER));
            assertTrue(r.headers().containsToken("connection", "upgrade"));
        }
    }
}
