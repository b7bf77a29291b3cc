package io.pacer.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpVersion;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TestUpstreamTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static HttpClient client;

    @RegisterExtension
    final Closer open = new Closer();

    @BeforeAll
    static void client() {
        client = TestHttpClients.http11(TIMEOUT);
    }

    @AfterAll
    static void closeClient() {
        client = null; // java.net.http.HttpClient has no close() on Java 17
    }

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n";
    }

    @Test
    void answersARawRequestAndRecordsIt() throws Exception {
        TestUpstream up = track(TestUpstream.start("a", req -> Reply.ok("hello " + req.path())));
        RawHttp raw = track(RawHttp.connect(up.address()));
        RawResponse r = raw.send("GET /app/x?y=1 HTTP/1.1\r\nHost: test\r\nX-Trace: 42\r\n\r\n").readResponse(TIMEOUT);

        assertEquals(200, r.status());
        assertEquals("hello /app/x", r.bodyText());
        assertEquals("a", r.header(TestUpstream.UPSTREAM_HEADER));
        assertEquals("12", r.header("content-length"));
        assertEquals("text/plain; charset=utf-8", r.header("content-type"));

        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertEquals("GET", seen.method());
        assertEquals("/app/x?y=1", seen.uri());
        assertEquals("/app/x", seen.path());
        assertEquals(HttpVersion.HTTP_1_1, seen.version());
        assertEquals("42", seen.header("x-trace"));
        assertEquals("test", seen.headers().get("Host"));
        assertEquals(0, seen.body().length);
        assertEquals(raw.localAddress().getPort(), seen.remoteAddress().getPort());
        assertEquals(1, seen.connection());
        assertEquals(1, seen.sequence());
        assertEquals(1, up.connections());
        assertEquals(List.of(seen), up.requests());
    }

    @Test
    void answersJavaHttpClient() throws Exception {
        TestUpstream up = track(TestUpstream.echo("echo-1"));
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(up.uri("/echo"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"a\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("{\"a\":1}", r.body());
        assertEquals("echo-1", r.headers().firstValue("x-upstream").orElseThrow());
        assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());

        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertEquals("POST", seen.method());
        assertEquals("{\"a\":1}", seen.bodyText());
    }

    @Test
    void largeUploadsAreEchoedIntact() throws Exception {
        TestUpstream up = track(TestUpstream.echo("big"));
        long size = 20L * 1024 * 1024 + 5;
        HttpResponse<java.io.InputStream> r = client.send(HttpRequest.newBuilder(up.uri("/upload"))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> TestBodies.stream(size)), size))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        TestBodies.verify(r.body(), size);
        assertTrue(TestBodies.matches(up.takeRequest(TIMEOUT).body()));
    }

    @Test
    void chunkedRequestBodiesAreDechunkedWithTrailers() throws Exception {
        TestUpstream up = track(TestUpstream.echo("chunky"));
        RawHttp raw = track(RawHttp.connect(up.address()));
        RawResponse r = raw.send("POST /c HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2\r\nde\r\n0\r\nX-Sum: 5\r\n\r\n").readResponse(TIMEOUT);
        assertEquals("abcde", r.bodyText());
        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertEquals("abcde", seen.bodyText());
        assertEquals("5", seen.trailers().get("x-sum"));
    }

    @Test
    void keepAliveRequestsShareAConnection() throws Exception {
        TestUpstream up = track(TestUpstream.start("ka", req -> Reply.ok(req.uri())));
        RawHttp raw = track(RawHttp.connect(up.address()));
        assertEquals("/1", raw.send(get("/1")).readResponse(TIMEOUT).bodyText());
        assertEquals("/2", raw.send(get("/2")).readResponse(TIMEOUT).bodyText());
        RawHttp other = track(RawHttp.connect(up.address()));
        assertEquals("/3", other.send(get("/3")).readResponse(TIMEOUT).bodyText());

        List<RecordedRequest> seen = up.requests();
        assertEquals(List.of(1, 1, 2), seen.stream().map(RecordedRequest::connection).toList());
        assertEquals(List.of(1, 2, 1), seen.stream().map(RecordedRequest::sequence).toList());
        assertEquals(2, up.connections());
        Await.until(TIMEOUT, () -> up.openConnections() == 2, "two open connections");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderEvenWhenTheFirstIsSlowest() throws Exception {
        TestUpstream up = track(TestUpstream.start("pipe", req -> switch (req.path()) {
            case "/slow" -> Reply.ok("slow").delayed(Duration.ofMillis(300));
            case "/medium" -> Reply.ok("medium").delayed(Duration.ofMillis(100));
            default -> Reply.ok("fast");
        }));
        RawHttp raw = track(RawHttp.connect(up.address()));
        raw.send(get("/slow") + get("/medium") + get("/fast"));
        assertEquals("slow", raw.readResponse(TIMEOUT).bodyText());
        assertEquals("medium", raw.readResponse(TIMEOUT).bodyText());
        assertEquals("fast", raw.readResponse(TIMEOUT).bodyText());
    }

    @Test
    void aBlockedHandlerDoesNotStallOtherConnections() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TestUpstream up = track(TestUpstream.start("blocking", req -> {
            if (req.path().equals("/wait")) {
                assertTrue(release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
                return Reply.ok("released");
            }
            return Reply.ok("free");
        }));
        RawHttp waiting = track(RawHttp.connect(up.address()));
        waiting.send(get("/wait"));
        up.takeRequest(TIMEOUT);
        RawHttp other = track(RawHttp.connect(up.address()));
        assertEquals("free", other.send(get("/other")).readResponse(TIMEOUT).bodyText());
        release.countDown();
        assertEquals("released", waiting.readResponse(TIMEOUT).bodyText());
    }

    @Test
    void chunkedRepliesAreChunked() throws Exception {
        byte[] body = TestBodies.bytes(0, 10_000);
        TestUpstream up = track(TestUpstream.start("chunked", req -> Reply.chunked(body, 1000)));
        RawResponse r = track(RawHttp.connect(up.address())).send(get("/")).readResponse(TIMEOUT);
        assertTrue(r.chunked());
        assertEquals("chunked", r.header("transfer-encoding"));
        assertNull(r.header("content-length"));
        assertArrayEquals(body, r.body());
        assertEquals("chunked", r.header(TestUpstream.UPSTREAM_HEADER));
    }

    @Test
    void trailersFollowTheLastChunk() throws Exception {
        TestUpstream up = track(TestUpstream.start("trailers",
                req -> Reply.withTrailers("abcdefg".getBytes(StandardCharsets.UTF_8), 3, Map.of("X-Checksum", "c0ffee"))));
        RawResponse r = track(RawHttp.connect(up.address())).send(get("/")).readResponse(TIMEOUT);
        assertTrue(r.chunked());
        assertEquals("abcdefg", r.bodyText());
        assertEquals("c0ffee", r.trailers().get("x-checksum"));
    }

    @Test
    void headersStatusAndReasonAreSent() throws Exception {
        TestUpstream up = track(TestUpstream.start("st", req -> Reply.status(418, "short and stout")
                .reason("I'm a teapot").header("Set-Cookie", "a=1").header("Set-Cookie", "b=2")));
        RawResponse r = track(RawHttp.connect(up.address())).send(get("/")).readResponse(TIMEOUT);
        assertEquals(418, r.status());
        assertEquals("I'm a teapot", r.reason());
        assertEquals(List.of("a=1", "b=2"), r.headers().getAll("set-cookie"));
        assertEquals("short and stout", r.bodyText());
    }

    @Test
    void emptyStatusRepliesHaveAZeroLengthOrNoBody() throws Exception {
        TestUpstream up = track(TestUpstream.start("empty", req -> Reply.status(Integer.parseInt(req.path().substring(1)))));
        RawHttp raw = track(RawHttp.connect(up.address()));
        RawResponse r503 = raw.send(get("/503")).readResponse(TIMEOUT);
        assertEquals(503, r503.status());
        assertEquals("0", r503.header("content-length"));
        RawResponse r204 = raw.send(get("/204")).readResponse(TIMEOUT);
        assertEquals(204, r204.status());
        assertNull(r204.header("content-length"));
        assertEquals(200, raw.send(get("/200")).readResponse(TIMEOUT).status(), "the connection is still in sync");
    }

    @Test
    void headRequestsGetTheHeadOnly() throws Exception {
        TestUpstream up = track(TestUpstream.start("head", req -> Reply.ok("hello")));
        RawHttp raw = track(RawHttp.connect(up.address()));
        RawResponse head = raw.send("HEAD / HTTP/1.1\r\nHost: test\r\n\r\n").readResponseToHead(TIMEOUT);
        assertEquals("5", head.header("content-length"));
        assertEquals("hello", raw.send(get("/")).readResponse(TIMEOUT).bodyText(),
                "no body bytes were sent after the HEAD response");
    }

    @Test
    void delayedRepliesWaitOnTheEventLoop() throws Exception {
        TestUpstream up = track(TestUpstream.start("slow", req -> Reply.ok("late").delayed(Duration.ofMillis(250))));
        RawHttp raw = track(RawHttp.connect(up.address()));
        long start = System.nanoTime();
        assertEquals("late", raw.send(get("/")).readResponse(TIMEOUT).bodyText());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(240));
    }

    @Test
    void closeAfterClosesTheConnection() throws Exception {
        TestUpstream up = track(TestUpstream.start("closer", req -> Reply.ok("bye").closeAfter()));
        RawHttp raw = track(RawHttp.connect(up.address()));
        RawResponse r = raw.send(get("/")).readResponse(TIMEOUT);
        assertEquals("close", r.header("connection"));
        assertTrue(raw.isClosedByPeer(TIMEOUT));
    }

    @Test
    void aWrongContentLengthIsSentAsGiven() throws Exception {
        TestUpstream up = track(TestUpstream.start("liar", req -> Reply.ok("short").header("Content-Length", 100).closeAfter()));
        RawHttp raw = track(RawHttp.connect(up.address()));
        java.io.EOFException e = assertThrows(java.io.EOFException.class, () -> raw.send(get("/")).readResponse(TIMEOUT));
        assertTrue(e.getMessage().contains("after 5 of 100"), e.getMessage());
    }

    @Test
    void http10ClientsAreAnsweredAndClosedUnlessTheyAskForKeepAlive() throws Exception {
        TestUpstream up = track(TestUpstream.start("old", req -> Reply.ok("ok")));
        RawHttp closing = track(RawHttp.connect(up.address()));
        assertEquals("ok", closing.send("GET / HTTP/1.0\r\n\r\n").readResponse(TIMEOUT).bodyText());
        assertTrue(closing.isClosedByPeer(TIMEOUT));

        RawHttp keeping = track(RawHttp.connect(up.address()));
        RawResponse r = keeping.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse(TIMEOUT);
        assertEquals("keep-alive", r.header("connection"));
        assertEquals("ok", keeping.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse(TIMEOUT).bodyText());
        assertEquals(HttpVersion.HTTP_1_0, up.requests().get(0).version());
    }

    @Test
    void expectContinueIsHonoured() throws Exception {
        TestUpstream up = track(TestUpstream.echo("expect"));
        RawHttp raw = track(RawHttp.connect(up.address()));
        raw.send("PUT /x HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
        assertEquals(100, raw.readResponse(TIMEOUT).status());
        RawResponse r = raw.send("body").readResponse(TIMEOUT);
        assertEquals(200, r.status());
        assertEquals("body", r.bodyText());
    }

    @Test
    void handlerFailuresAnswer500AndAreRecorded() throws Exception {
        TestUpstream up = track(TestUpstream.start("broken", req -> {
            throw new IllegalStateException("boom");
        }));
        RawResponse r = track(RawHttp.connect(up.address())).send(get("/")).readResponse(TIMEOUT);
        assertEquals(500, r.status());
        assertTrue(r.bodyText().contains("boom"));
        assertEquals(1, up.errors().size());
        assertEquals("boom", up.errors().get(0).getMessage());
    }

    @Test
    void perRequestFaults() throws Exception {
        TestUpstream up = track(TestUpstream.start("faulty", req -> switch (req.path()) {
            case "/abort" -> Reply.abort();
            case "/disconnect" -> Reply.disconnect();
            case "/hang" -> Reply.hang();
            default -> Reply.ok("fine");
        }));
        RawHttp aborted = track(RawHttp.connect(up.address()));
        aborted.send(get("/abort"));
        assertThrows(java.net.SocketException.class, () -> aborted.readResponse(TIMEOUT), "reset by peer");

        RawHttp disconnected = track(RawHttp.connect(up.address()));
        assertEquals(0, disconnected.send(get("/disconnect")).readRaw(TIMEOUT).length);

        RawHttp hung = track(RawHttp.connect(up.address()));
        hung.send(get("/hang"));
        assertThrows(java.net.SocketTimeoutException.class, () -> hung.readResponse(Duration.ofMillis(200)));
        assertEquals(3, up.requests().size());
        assertEquals("fine", track(RawHttp.connect(up.address())).send(get("/")).readResponse(TIMEOUT).bodyText());
    }

    @Test
    void takeRequestFailsWhenNothingArrives() {
        TestUpstream up = track(TestUpstream.start("idle", req -> Reply.ok("")));
        AssertionError e = assertThrows(AssertionError.class, () -> up.takeRequest(Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("idle"), e.getMessage());
    }

    @Test
    void closeConnectionsKeepsListening() throws Exception {
        TestUpstream up = track(TestUpstream.start("cc", req -> Reply.ok("x")));
        RawHttp first = track(RawHttp.connect(up.address()));
        first.send(get("/")).readResponse(TIMEOUT);
        up.closeConnections();
        assertTrue(first.isClosedByPeer(TIMEOUT));
        assertEquals("x", track(RawHttp.connect(up.address())).send(get("/")).readResponse(TIMEOUT).bodyText());
        assertEquals(2, up.connections());
    }

    @Test
    void closingStopsListening() throws Exception {
        TestUpstream up = TestUpstream.start("gone", req -> Reply.ok("x"));
        RawHttp raw = track(RawHttp.connect(up.address()));
        raw.send(get("/")).readResponse(TIMEOUT);
        up.close();
        up.close();
        assertTrue(raw.isClosedByPeer(TIMEOUT));
        assertThrows(ConnectException.class, () -> RawHttp.connect(up.address()).close());
    }

    @Test
    void everyUpstreamGetsItsOwnPortAndName() {
        TestUpstream a = track(TestUpstream.start("a", req -> Reply.ok("a")));
        TestUpstream b = track(TestUpstream.start("b", req -> Reply.ok("b")));
        assertNotEquals(a.port(), b.port());
        assertEquals("127.0.0.1", a.address().getAddress().getHostAddress());
        assertEquals("http://127.0.0.1:" + a.port() + "/x", a.uri("/x").toString());
        assertFalse(a.name().equals(b.name()));
    }
}
