package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.uring.IoUring;
import io.pacer.config.PacerConfig;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestBodies;
import io.pacer.proxy.testing.TestHttpClients;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import io.pacer.proxy.testing.WebSocketMessages;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane on {@code transport = "io_uring"}: keep-alive, bodies both ways, a streamed
 * download and a WebSocket, over real sockets. Skipped, saying why, where io_uring cannot run
 * (another kernel, a seccomp profile refusing it, another architecture).
 */
class IoUringTransportTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient CLIENT = TestHttpClients.http11(TIMEOUT);

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    @BeforeEach
    void needsIoUring() {
        Assumptions.assumeTrue(IoUring.isAvailable(),
                () -> "io_uring is not available here, test skipped: " + IoUring.unavailabilityCause());
    }

    private TestProxy proxy(TestUpstream... upstreams) {
        return open.track(TestProxy.start(TestProxy.table(TestProxy.app("/app", upstreams)),
                b -> b.transport("io_uring")));
    }

    @Test
    void servesOnIoUring() {
        TestUpstream up = open.track(TestUpstream.start("a", req -> Reply.ok("hi")));
        assertEquals("io_uring", proxy(up).server().transportName());
    }

    @Test
    void keepsClientAndUpstreamConnectionsAlive() throws Exception {
        TestUpstream up = open.track(TestUpstream.start("a", req -> Reply.ok("a " + req.uri())));
        TestProxy proxy = proxy(up);
        try (RawHttp raw = proxy.connect()) {
            for (int i = 0; i < 20; i++) {
                raw.send("GET /app/" + i + " HTTP/1.1\r\nHost: pacer.test\r\n\r\n");
                RawResponse r = raw.readResponse(TIMEOUT);
                assertEquals(200, r.status(), r::toString);
                assertEquals("a /app/" + i, r.bodyText());
                assertEquals("a", r.header(TestUpstream.UPSTREAM_HEADER));
            }
        }
        assertEquals(1, up.connections(), "one pooled upstream connection carried all twenty requests");
    }

    @Test
    void pipelinedRequestsAnswerInOrder() throws Exception {
        TestUpstream up = open.track(TestUpstream.start("a", req -> Reply.ok(req.uri())));
        try (RawHttp raw = proxy(up).connect()) {
            raw.send("GET /app/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /app/2 HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /app/3 HTTP/1.1\r\nHost: t\r\n\r\n");
            for (int i = 1; i <= 3; i++) {
                assertEquals("/app/" + i, raw.readResponse(TIMEOUT).bodyText());
            }
        }
    }

    @Test
    void carriesRequestBodiesBothWays() throws Exception {
        TestUpstream echo = open.track(TestUpstream.echo("echo"));
        TestProxy proxy = proxy(echo);
        int length = 3 * 1024 * 1024 + 17;
        byte[] body = TestBodies.bytes(0, length);
        HttpResponse<byte[]> fixed = CLIENT.send(HttpRequest.newBuilder(proxy.uri("/app/upload"))
                .timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fixed.statusCode());
        assertArrayEquals(body, fixed.body());

        // Chunked upload (no length known in advance), streamed back.
        HttpResponse<byte[]> chunked = CLIENT.send(HttpRequest.newBuilder(proxy.uri("/app/chunked"))
                .timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestBodies.stream(length)))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, chunked.statusCode());
        assertArrayEquals(body, chunked.body());
        RecordedRequest second = echo.requests().get(1);
        assertEquals(length, second.body().length);
    }

    @Test
    void streamsLargeAndChunkedResponses() throws Exception {
        long length = 32L * 1024 * 1024;
        TestUpstream down = open.track(TestUpstream.downloading("down", length));
        TestProxy proxy = proxy(down);
        HttpResponse<java.io.InputStream> r = CLIENT.send(HttpRequest.newBuilder(proxy.uri("/app/big"))
                .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        TestBodies.verify(r.body(), length);

        byte[] body = TestBodies.bytes(0, 200_000);
        TestUpstream chunks = open.track(TestUpstream.start("c", req -> Reply.chunked(body, 4096)));
        TestProxy second = proxy(chunks);
        try (RawHttp raw = second.connect()) {
            raw.send("GET /app/c HTTP/1.1\r\nHost: t\r\n\r\n");
            RawResponse chunked = raw.readResponse(TIMEOUT);
            assertEquals(200, chunked.status());
            assertEquals("chunked", chunked.header("Transfer-Encoding"));
            assertArrayEquals(body, chunked.body());
        }
    }

    @Test
    void relaysWebSocketFrames() throws Exception {
        TestUpstream ws = open.track(TestUpstream.webSocketEcho("ws"));
        TestProxy proxy = proxy(ws);
        WebSocketMessages messages = new WebSocketMessages(TIMEOUT);
        WebSocket w = CLIENT.newWebSocketBuilder().connectTimeout(TIMEOUT)
                .buildAsync(URI.create("ws://127.0.0.1:" + proxy.port() + "/app/ws"), messages)
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        try {
            for (int i = 0; i < 10; i++) {
                w.sendText("m-" + i, true).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals("m-" + i, messages.next());
            }
            w.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals("close:1000", messages.next());
        } finally {
            w.abort();
        }
    }

    /**
     * Stopping returns every buffer: io_uring holds one in each socket's pending read, the DNS
     * resolver's included, and gives it back only if the socket is closed before its loop stops
     * (the class's leak check fails otherwise).
     */
    @Test
    void stopsWithoutLeakingBuffers() throws Exception {
        TestUpstream up = open.track(TestUpstream.start("a", req -> Reply.ok("x")));
        for (int i = 0; i < 10; i++) {
            try (TestProxy proxy = TestProxy.start(TestProxy.table(TestProxy.app("/app", up)),
                    b -> b.transport("io_uring")); RawHttp raw = proxy.connect()) {
                raw.send("GET /app/ HTTP/1.1\r\nHost: t\r\n\r\n");
                assertEquals(200, raw.readResponse(TIMEOUT).status());
            }
        }
    }

    @Test
    void wholePacerStartsOnIoUringFromItsConfiguration() throws Exception {
        TestUpstream up = open.track(TestUpstream.start("a", req -> Reply.ok("whole")));
        Path apps = Files.writeString(dir.resolve("apps.json"), "{\"apps\": [{\"id\": \"/app\", \"labels\": {},"
                + " \"env\": {}, \"healthChecks\": [], \"tasks\": [{\"id\": \"app.t1\", \"appId\": \"/app\","
                + " \"host\": \"127.0.0.1\", \"ports\": [" + up.port() + "], \"state\": \"TASK_RUNNING\","
                + " \"healthCheckResults\": []}]}]}\n", StandardCharsets.UTF_8);
        PacerConfig config = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("uring-test")
                .workerThreads(2)
                .appsFile(apps)
                .transport("io_uring")
                .shutdownGrace(Duration.ZERO)
                .build();
        Pacer pacer = open.track(Pacer.start(config, dir.resolve("pacer.toml")));
        assertEquals("io_uring", pacer.server().transportName());
        URI uri = URI.create("http://127.0.0.1:" + pacer.server().localAddress().getPort() + "/app/x");
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("whole", r.body());
        assertTrue(r.headers().firstValue("X-Proxy").orElse("").equals("uring-test"), r.headers()::toString);
    }
}
