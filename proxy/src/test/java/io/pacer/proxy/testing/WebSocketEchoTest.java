package io.pacer.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebSocketEchoTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TestUpstream up;

    @BeforeEach
    void start() {
        up = TestUpstream.webSocketEcho("ws");
    }

    @AfterEach
    void stop() {
        up.close();
    }

    private WebSocket open(WebSocketMessages collector) throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + up.port() + "/chat/room?x=1"), collector)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void echoesTextAndAOneMegabyteBinaryMessage() throws Exception {
        WebSocketMessages collector = new WebSocketMessages(TIMEOUT);
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
        WebSocketMessages collector = new WebSocketMessages(TIMEOUT);
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
