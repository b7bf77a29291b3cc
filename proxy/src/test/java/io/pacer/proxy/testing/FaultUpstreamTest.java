package io.pacer.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The misbehaving upstreams fault tests put behind the proxy, each checked from a real client. */
class FaultUpstreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String GET = "GET /app/x HTTP/1.1\r\nHost: test\r\n\r\n";

    private final HttpClient client = TestHttpClients.http11(TIMEOUT);
    @RegisterExtension
    final Closer open = new Closer();

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    @Test
    void refusingPortRefusesConnections() {
        int port = TestUpstream.refusing();
        assertTrue(port > 0);
        assertThrows(ConnectException.class, () -> RawHttp.connect(new java.net.InetSocketAddress("127.0.0.1", port)).close());
        assertThrows(ConnectException.class, () -> client.send(
                HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void resettingReadsTheHeadThenResets() throws Exception {
        TestUpstream up = track(TestUpstream.resetting("rst"));
        RawHttp raw = track(RawHttp.connect(up.address()));
        raw.send(GET);
        SocketException e = assertThrows(SocketException.class, () -> raw.readResponse(TIMEOUT));
        assertTrue(e.getMessage().toLowerCase().contains("reset"), e.getMessage());
        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertEquals("/app/x", seen.uri());
        assertEquals(1, up.connections());
    }

    @Test
    void resettingDoesNotWaitForTheBody() throws Exception {
        TestUpstream up = track(TestUpstream.resetting());
        RawHttp raw = track(RawHttp.connect(up.address()));
        raw.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 1000000\r\n\r\nonly a little");
        assertTrue(raw.isClosedByPeer(TIMEOUT), "reset right after the head, while the body is still due");
        assertEquals("POST", up.takeRequest(TIMEOUT).method());
    }

    @Test
    void resettingFailsAJavaClient() {
        TestUpstream up = track(TestUpstream.resetting());
        assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(up.uri("/")).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void hangingReadsButNeverAnswers() throws Exception {
        TestUpstream up = track(TestUpstream.hanging("hang"));
        RawHttp raw = track(RawHttp.connect(up.address()));
        raw.send("POST /x HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc");
        assertEquals("abc", up.takeRequest(TIMEOUT).bodyText(), "the request was read whole");
        assertThrows(SocketTimeoutException.class, () -> raw.readResponse(Duration.ofMillis(300)));
        assertEquals(1, up.openConnections(), "and the connection stays open");

        assertThrows(HttpTimeoutException.class, () -> client.send(HttpRequest.newBuilder(up.uri("/"))
                .timeout(Duration.ofMillis(300)).build(), HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void garbageAnswersSomethingThatIsNotHttp() throws Exception {
        TestUpstream up = track(TestUpstream.garbage("junk"));
        RawHttp raw = track(RawHttp.connect(up.address()));
        assertEquals(TestUpstream.GARBAGE, raw.send(GET).readRawText(TIMEOUT));
        assertEquals("/app/x", up.takeRequest(TIMEOUT).uri());

        RawHttp parsing = track(RawHttp.connect(up.address()));
        assertThrows(ProtocolException.class, () -> parsing.send(GET).readResponse(TIMEOUT));
        assertThrows(IOException.class, () -> client.send(HttpRequest.newBuilder(up.uri("/")).build(),
                HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void downloadingStreamsALargeDeterministicBody() throws Exception {
        long size = 64L * 1024 * 1024 + 7;
        TestUpstream up = track(TestUpstream.downloading("dl", size));
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(up.uri("/big")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(String.valueOf(size), r.headers().firstValue("content-length").orElseThrow());
        assertEquals("dl", r.headers().firstValue("x-upstream").orElseThrow());
        TestBodies.verify(r.body(), size);
    }

    @Test
    void downloadingKeepsTheConnectionUsable() throws Exception {
        int size = 300_007;
        TestUpstream up = track(TestUpstream.downloading("dl-raw", size));
        RawHttp raw = track(RawHttp.connect(up.address()));
        for (int i = 0; i < 3; i++) {
            RawResponse r = raw.send(GET).readResponse(TIMEOUT);
            assertEquals(String.valueOf(size), r.header("content-length"));
            assertArrayEquals(TestBodies.bytes(0, size), r.body());
        }
        RawResponse head = raw.send("HEAD / HTTP/1.1\r\nHost: test\r\n\r\n").readResponseToHead(TIMEOUT);
        assertEquals(String.valueOf(size), head.header("content-length"));
        assertEquals(size, raw.send(GET).readResponse(TIMEOUT).body().length, "HEAD sent no body");
        assertEquals(1, up.connections());
    }

    @Test
    void emptyDownload() throws Exception {
        TestUpstream up = track(TestUpstream.downloading("dl-0", 0));
        RawResponse r = track(RawHttp.connect(up.address())).send(GET).readResponse(TIMEOUT);
        assertEquals("0", r.header("content-length"));
        assertEquals(0, r.body().length);
    }

    @Test
    void downloadRepliesCanBeMixedWithOthers() throws Exception {
        TestUpstream up = track(TestUpstream.start("mixed", req -> req.path().equals("/file")
                ? Reply.download(5000).header("Content-Disposition", "attachment")
                : Reply.ok("index")));
        RawHttp raw = track(RawHttp.connect(up.address()));
        RawResponse file = raw.send("GET /file HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(TIMEOUT);
        assertTrue(TestBodies.matches(file.body()));
        assertEquals(5000, file.body().length);
        assertEquals("attachment", file.header("content-disposition"));
        assertEquals("index", new String(raw.send(GET).readResponse(TIMEOUT).body(), StandardCharsets.UTF_8));
    }
}
