package io.pacer.proxy.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Headers;
import io.pacer.core.RouteTable;
import io.pacer.proxy.testing.Cli;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp2;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestCertificates;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import io.pacer.config.PacerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP/2 to clients, by ALPN over TLS and with prior knowledge on {@code listen}: curl for what
 * users do, {@link RawHttp2} for exact frames (resets, floods) that no well-behaved client sends.
 */
class Http2Test {

    private static final Duration CLI = Duration.ofSeconds(60);
    private static final int ENHANCE_YOUR_CALM = 0xb;
    private static final int REFUSED_STREAM = 0x7;

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private TestProxy h2c(TestUpstream upstream, UnaryOperator<PacerConfig.Builder> more) {
        RouteTable table = TestProxy.table(TestProxy.app("/app", upstream));
        return open.track(TestProxy.start(table, c -> more.apply(c.http2Cleartext(true))));
    }

    private TestProxy tls(TestUpstream upstream) throws IOException {
        Path certs = Files.createDirectory(dir.resolve("certs"));
        TestCertificates.in(dir.resolve("staging")).pair(certs, "a", "a.test", "a.test");
        RouteTable table = TestProxy.table(TestProxy.app("/app", upstream));
        return open.track(TestProxy.start(table, c -> c.tlsListen(new InetSocketAddress("127.0.0.1", 0))
                .tlsCertificates(certs)));
    }

    private List<String> curlTls(TestProxy proxy, String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "50",
                "--cacert", dir.resolve("certs/a.crt").toString(),
                "--resolve", "a.test:" + proxy.tlsPort() + ":127.0.0.1"));
        command.addAll(List.of(args));
        return command;
    }

    @Test
    void curlGetsHttp2ByAlpnAndTheTaskGetsHttp11() throws Exception {
        Cli.assumeInstalled("curl");
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("hello " + req.path())));
        TestProxy proxy = tls(upstream);
        List<String> command = curlTls(proxy, "--http2", "-w", "\n%{http_code} %{http_version}",
                "https://a.test:" + proxy.tlsPort() + "/app/x?q=1");
        Cli.Result result = Cli.run(CLI, command);
        assertEquals("hello /app/x\n200 2", result.output());
        RecordedRequest seen = upstream.takeRequest(Duration.ofSeconds(5));
        assertEquals("HTTP/1.1", seen.version().text());
        assertEquals("/app/x?q=1", seen.uri());
        assertEquals("https", seen.header("X-Forwarded-Proto"));
        assertEquals("a.test:" + proxy.tlsPort(), seen.header("Host"));
        assertTrue(seen.headers().names().stream().noneMatch(n -> n.toLowerCase().startsWith("x-http2")), seen.headers().names().toString());
        // Clients without ALPN h2 still get HTTP/1.1 on the same port.
        Cli.Result http1 = Cli.run(CLI, curlTls(proxy, "--http1.1", "-w", " %{http_version}",
                "https://a.test:" + proxy.tlsPort() + "/app/y"));
        assertEquals("hello /app/y 1.1", http1.output());
    }

    @Test
    void priorKnowledgeH2cAndHttp11ShareListen() {
        Cli.assumeInstalled("curl");
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("hello " + req.path())));
        TestProxy proxy = h2c(upstream, UnaryOperator.identity());
        Cli.Result h2 = Cli.run(CLI, "curl", "-sS", "--http2-prior-knowledge", "-w", " %{http_version}",
                "http://127.0.0.1:" + proxy.port() + "/app/a");
        assertEquals("hello /app/a 2", h2.output());
        Cli.Result http1 = Cli.run(CLI, "curl", "-sS", "--http1.1", "-w", " %{http_version}",
                "http://127.0.0.1:" + proxy.port() + "/app/b");
        assertEquals("hello /app/b 1.1", http1.output());
    }

    @Test
    void hundredConcurrentStreamsShareOneConnection() throws Exception {
        Cli.assumeInstalled("curl");
        CountDownLatch all = new CountDownLatch(100);
        // Every request waits until all 100 are at the task: they can only finish if they run at once.
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> {
            all.countDown();
            all.await(30, TimeUnit.SECONDS);
            return Reply.ok("stream " + req.path());
        }));
        // Over TLS: curl 7.88's multiplexing over prior-knowledge h2c fails streams after the first.
        TestProxy proxy = tls(upstream);
        List<String> command = curlTls(proxy, "--http2", "-Z", "--parallel-max", "100", "--no-progress-meter",
                "-w", "\n%{http_code} %{num_connects}\n");
        for (int i = 0; i < 100; i++) {
            command.add("https://a.test:" + proxy.tlsPort() + "/app/" + i);
        }
        Cli.Result result = Cli.run(CLI, command);
        assertTrue(result.ok(), result.output());
        assertEquals(0, all.getCount());
        int connects = 0;
        int ok = 0;
        for (String line : result.output().split("\n")) {
            if (line.matches("200 \\d+")) {
                ok++;
                connects += Integer.parseInt(line.substring(4));
            }
        }
        assertEquals(100, ok, result.output());
        assertEquals(1, connects, "connections curl opened");
        java.util.Set<String> paths = new java.util.TreeSet<>();
        upstream.requests().forEach(r -> paths.add(r.path()));
        assertEquals(100, paths.size(), "distinct requests at the task: " + paths);
    }

    @Test
    void twentyMegabytesUpAndDownOverOneStreamByteForByte() throws Exception {
        Cli.assumeInstalled("curl");
        TestUpstream upstream = open.track(TestUpstream.echo("echo"));
        TestProxy proxy = tls(upstream);
        byte[] body = new byte[20 * 1024 * 1024];
        new Random(15).nextBytes(body);
        Path up = Files.write(dir.resolve("up"), body);
        Path down = dir.resolve("down");
        Cli.Result result = Cli.run(CLI, curlTls(proxy, "--http2", "--data-binary", "@" + up, "-H",
                "Content-Type: application/octet-stream", "-o", down.toString(), "-w", "%{http_code} %{http_version}",
                "https://a.test:" + proxy.tlsPort() + "/app/echo"));
        assertEquals("200 2", result.output());
        assertArrayEquals(body, upstream.takeRequest(Duration.ofSeconds(5)).body(), "what the task received");
        assertArrayEquals(body, Files.readAllBytes(down), "what curl received");
    }

    @Test
    void aResetStreamLeavesTheOthersAlone() throws Exception {
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> req.path().equals("/app/hang")
                ? Reply.hang() : Reply.ok("answer " + req.path()).delayed(Duration.ofMillis(200))));
        TestProxy proxy = h2c(upstream, UnaryOperator.identity());
        try (RawHttp2 client = open.track(RawHttp2.connect(proxy.address()))) {
            client.request(1, "GET", "/app/hang", true);
            client.request(3, "GET", "/app/three", true);
            client.request(5, "POST", "/app/five", false);
            client.data(5, "body".getBytes(StandardCharsets.US_ASCII), false);
            // Wait until both requests of streams 1 and 5 are at the task, then give up on them.
            io.pacer.proxy.testing.Await.until(Duration.ofSeconds(5), () -> upstream.requestCount() >= 2
                    || upstream.openConnections() >= 2, "streams at the task");
            client.reset(1, 0x8); // CANCEL
            client.reset(5, 0x8);
            RawHttp2.Frame headers = client.readUntil(Duration.ofSeconds(5),
                    f -> f.type() == RawHttp2.HEADERS && f.streamId() == 3, "stream 3's answer");
            Http2Headers h = client.decode(headers);
            assertEquals("200", h.status().toString());
            RawHttp2.Frame data = client.readUntil(Duration.ofSeconds(5),
                    f -> f.type() == RawHttp2.DATA && f.streamId() == 3, "stream 3's body");
            assertEquals("answer /app/three", new String(data.payload(), StandardCharsets.US_ASCII));
            // The connection carries on.
            client.request(7, "GET", "/app/seven", true);
            RawHttp2.Frame seven = client.readUntil(Duration.ofSeconds(5),
                    f -> f.type() == RawHttp2.DATA && f.streamId() == 7 && f.payload().length > 0, "stream 7's body");
            assertEquals("answer /app/seven", new String(seven.payload(), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void theClientAddressFromAProxyProtocolHeaderReachesEveryStream() throws Exception {
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("x")));
        TestProxy proxy = h2c(upstream, c -> c.proxyProtocol(true));
        java.net.Socket socket = new java.net.Socket("127.0.0.1", proxy.port());
        socket.getOutputStream().write("PROXY TCP4 203.0.113.7 127.0.0.1 5555 80\r\n".getBytes(StandardCharsets.US_ASCII));
        try (RawHttp2 client = open.track(RawHttp2.over(socket))) {
            client.request(1, "GET", "/app/one", true);
            client.request(3, "GET", "/app/two", true);
            // The answers may come in either order.
            java.util.Set<Integer> answered = new java.util.HashSet<>();
            while (answered.size() < 2) {
                RawHttp2.Frame data = client.readUntil(Duration.ofSeconds(5), f -> f.type() == RawHttp2.DATA
                        && f.payload().length > 0, "the answers to streams 1 and 3 (got " + answered + ")");
                answered.add(data.streamId());
            }
            assertEquals(java.util.Set.of(1, 3), answered);
        }
        for (RecordedRequest seen : upstream.requests()) {
            assertEquals("203.0.113.7", seen.header("X-Real-IP"), seen.path());
            assertEquals("203.0.113.7", seen.header("X-Forwarded-For"), seen.path());
        }
        assertEquals(2, upstream.requestCount());
    }

    @Test
    void streamsBeyondTheLimitAreRefused() throws Exception {
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> Reply.hang()));
        TestProxy proxy = h2c(upstream, c -> c.http2MaxConcurrentStreams(4));
        try (RawHttp2 client = open.track(RawHttp2.connect(proxy.address()))) {
            for (int stream = 1; stream <= 9; stream += 2) {
                client.request(stream, "GET", "/app/" + stream, true);
            }
            RawHttp2.Frame reset = client.readUntil(Duration.ofSeconds(5), f -> f.type() == RawHttp2.RST_STREAM
                    || f.type() == RawHttp2.GOAWAY, "the fifth stream refused");
            assertEquals(RawHttp2.RST_STREAM, reset.type(), reset.toString());
            assertEquals(9, reset.streamId());
            assertEquals(REFUSED_STREAM, reset.resetError());
        }
    }

    @Test
    void aHeaderListOverTheLimitGets431() throws Exception {
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("no")));
        TestProxy proxy = h2c(upstream, c -> c.maxHeaderSize(1024).maxUriSize(256));
        try (RawHttp2 client = open.track(RawHttp2.connect(proxy.address()))) {
            byte[] block = client.headerBlock("GET", "/app/", "test", "x-big", "b".repeat(1350));
            client.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, 1, block);
            client.flush();
            RawHttp2.Frame answer = client.readUntil(Duration.ofSeconds(5), f -> f.streamId() == 1
                    && (f.type() == RawHttp2.HEADERS || f.type() == RawHttp2.RST_STREAM), "an answer to stream 1");
            assertEquals(RawHttp2.HEADERS, answer.type(), answer.toString());
            assertEquals("431", client.decode(answer).status().toString());
        }
        assertEquals(0, upstream.requestCount());
    }

    @Test
    void rapidResetIsCutOffWithGoAway() throws Exception {
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("x")));
        TestProxy proxy = h2c(upstream, UnaryOperator.identity());
        try (RawHttp2 client = open.track(RawHttp2.connect(proxy.address()))) {
            // A few more than the 200 resets allowed, then nothing: nothing in flight when Pacer
            // closes, so its GOAWAY is not lost to a reset of the connection.
            byte[] block = client.headerBlock("GET", "/app/", "test");
            for (int i = 0, stream = 1; i < ClientProtocols.MAX_RESETS_PER_WINDOW + 20; i++, stream += 2) {
                client.frame(RawHttp2.HEADERS, RawHttp2.END_HEADERS | RawHttp2.END_STREAM, stream, block);
                client.frame(RawHttp2.RST_STREAM, 0, stream, new byte[] {0, 0, 0, 8});
            }
            client.flush();
            RawHttp2.Frame goAway = client.readToEnd(Duration.ofSeconds(15));
            assertNotNull(goAway, "a GOAWAY before the close");
            assertEquals(ENHANCE_YOUR_CALM, goAway.goAwayError(), goAway.goAwayDebug());
        }
        assertCarriesOn(proxy);
    }

    @Test
    void continuationFloodIsCutOff() throws Exception {
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("x")));
        TestProxy proxy = h2c(upstream, UnaryOperator.identity());
        try (RawHttp2 client = open.track(RawHttp2.connect(proxy.address()))) {
            byte[] block = client.headerBlock("GET", "/app/", "test");
            client.frame(RawHttp2.HEADERS, 0, 1, block); // no END_HEADERS: CONTINUATION frames follow
            client.write(RawHttp2.frames(ClientProtocols.MAX_SMALL_CONTINUATIONS + 4, RawHttp2.CONTINUATION, 0, 1,
                    new byte[0]));
            RawHttp2.Frame goAway = client.readToEnd(Duration.ofSeconds(15));
            assertNotNull(goAway, "a GOAWAY before the close");
            assertEquals(ENHANCE_YOUR_CALM, goAway.goAwayError(), goAway.goAwayDebug());
        }
        assertEquals(0, upstream.requestCount());
        assertCarriesOn(proxy);
    }

    /**
     * PING and SETTINGS frames each make Pacer queue an acknowledgement; a client that sends them
     * without reading the answers is cut off once 10,000 wait (after the socket buffers filled up,
     * which takes a few hundred thousand frames on loopback: this test takes half a minute).
     */
    @Test
    void pingAndSettingsFloodFromAClientThatDoesNotReadIsCutOff() throws Exception {
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> Reply.ok("x")));
        TestProxy proxy = h2c(upstream, UnaryOperator.identity());
        int limit = 5_000_000;
        int sent = 0;
        byte[] pings = RawHttp2.frames(500, RawHttp2.PING, 0, 0, new byte[8]);
        byte[] settings = RawHttp2.frames(500, RawHttp2.SETTINGS, 0, 0, new byte[0]);
        byte[] flood = new byte[pings.length + settings.length];
        System.arraycopy(pings, 0, flood, 0, pings.length);
        System.arraycopy(settings, 0, flood, pings.length, settings.length);
        // A small receive buffer: the acknowledgements pile up at Pacer sooner.
        try (RawHttp2 client = open.track(RawHttp2.connect(proxy.address(), 4096))) {
            try {
                for (; sent < limit; sent += 1000) {
                    client.write(flood);
                }
            } catch (IOException e) {
                // cut off: the write failed once Pacer closed
            }
        }
        assertTrue(sent < limit, "all " + limit + " frames were taken without the connection being cut off");
        assertCarriesOn(proxy);
    }

    @Test
    void gracefulShutdownSendsGoAwayAndFinishesOpenStreams() throws Exception {
        // The task answers only once the client has seen the GOAWAY: the stream is open throughout.
        CountDownLatch goAwaySeen = new CountDownLatch(1);
        TestUpstream upstream = open.track(TestUpstream.start("u1", req -> {
            goAwaySeen.await(10, TimeUnit.SECONDS);
            return Reply.ok("finished " + req.path());
        }));
        TestProxy proxy = h2c(upstream, UnaryOperator.identity());
        try (RawHttp2 client = open.track(RawHttp2.connect(proxy.address()))) {
            client.request(1, "GET", "/app/slow", true);
            io.pacer.proxy.testing.Await.until(Duration.ofSeconds(5), () -> upstream.openConnections() >= 1,
                    "the request at the task");
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(
                    () -> proxy.server().shutdown(Duration.ofSeconds(10)));
            RawHttp2.Frame goAway = client.readUntil(Duration.ofSeconds(5), f -> f.type() == RawHttp2.GOAWAY, "GOAWAY");
            assertEquals(0, goAway.goAwayError());
            goAwaySeen.countDown();
            RawHttp2.Frame data = client.readUntil(Duration.ofSeconds(5),
                    f -> f.type() == RawHttp2.DATA && f.streamId() == 1 && f.payload().length > 0, "stream 1's body");
            assertEquals("finished /app/slow", new String(data.payload(), StandardCharsets.US_ASCII));
            assertNull(client.readToEnd(Duration.ofSeconds(10)), "no second GOAWAY, then the close");
            assertTrue(drained.get(15, TimeUnit.SECONDS), "every connection closed within the grace period");
        }
    }

    /** A new well-behaved HTTP/2 client is served after an abusive one was cut off. */
    private void assertCarriesOn(TestProxy proxy) throws Exception {
        try (RawHttp2 client = open.track(RawHttp2.connect(proxy.address()))) {
            client.request(1, "GET", "/app/after", true);
            RawHttp2.Frame data = client.readUntil(Duration.ofSeconds(5),
                    f -> f.type() == RawHttp2.DATA && f.streamId() == 1 && f.payload().length > 0, "an answer");
            assertEquals("x", new String(data.payload(), StandardCharsets.US_ASCII));
        }
    }
}
