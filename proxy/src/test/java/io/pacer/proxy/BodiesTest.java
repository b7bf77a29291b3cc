package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestBodies;
import io.pacer.proxy.testing.TestHttpClients;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Request and response bodies through Pacer: sizes, framings, HEAD, 1xx, 204/304, backpressure. */
class BodiesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final int MB = 1024 * 1024;
    private static final HttpClient CLIENT = TestHttpClients.http11(TIMEOUT);

    @RegisterExtension
    final Closer open = new Closer();

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    /** Upstreams here answer at once: a short read timeout keeps a failing test quick. */
    private TestProxy proxy(io.pacer.core.App... apps) {
        return track(TestProxy.start(TestProxy.table(apps), cfg -> cfg.readTimeout(Duration.ofSeconds(2))));
    }

    /** An upstream answering {@code <length>:<sha-256 of the body>}. */
    private TestUpstream digesting() {
        return track(TestUpstream.start("digest", req -> Reply.ok(req.body().length + ":" + sha256(req.body()))));
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static String sha256OfTestBody(long length) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = TestBodies.stream(length)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    // ---- uploads and downloads ---------------------------------------------------------------------

    @Test
    void uploadOf20MBWithContentLengthArrivesByteForByte() throws Exception {
        long size = 20L * MB;
        TestUpstream up = digesting();
        TestProxy proxy = proxy(TestProxy.app("/up", up));

        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(proxy.uri("/up/file"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> TestBodies.stream(size)), size))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, r.statusCode(), r::body);
        assertEquals(size + ":" + sha256OfTestBody(size), r.body());
        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertEquals(String.valueOf(size), seen.header("Content-Length"));
        assertNull(seen.header("Transfer-Encoding"));
        assertEquals(size, seen.body().length);
        assertTrue(TestBodies.matches(seen.body()), "the upstream received a different body");
    }

    @Test
    void chunkedUploadOf20MBArrivesByteForByte() throws Exception {
        long size = 20L * MB;
        TestUpstream up = digesting();
        TestProxy proxy = proxy(TestProxy.app("/up", up));

        // A publisher of unknown length: the JDK client sends it chunked.
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(proxy.uri("/up/chunked"))
                        .timeout(Duration.ofSeconds(30))
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> TestBodies.stream(size)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, r.statusCode(), r::body);
        assertEquals(size + ":" + sha256OfTestBody(size), r.body());
        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertEquals(size, seen.body().length);
        assertTrue(TestBodies.matches(seen.body()), "the upstream received a different body");
    }

    @Test
    void downloadOf20MBArrivesByteForByte() throws Exception {
        long size = 20L * MB;
        TestUpstream up = track(TestUpstream.downloading("dl", size));
        TestProxy proxy = proxy(TestProxy.app("/dl", up));

        HttpResponse<InputStream> r = CLIENT.send(HttpRequest.newBuilder(proxy.uri("/dl/big.bin"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(String.valueOf(size), r.headers().firstValue("Content-Length").orElse(null));
        TestBodies.verify(r.body(), size);
    }

    @Test
    void chunkedRequestTrailersReachTheUpstream() throws Exception {
        TestUpstream up = digesting();
        TestProxy proxy = proxy(TestProxy.app("/up", up));
        try (RawHttp raw = track(proxy.connect())) {
            raw.send("POST /up/t HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 11\r\n\r\n");
            RawResponse r = raw.readResponse(TIMEOUT);
            assertEquals(200, r.status(), r::toString);
        }
        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertEquals("hello world", seen.bodyText());
        assertEquals("11", seen.trailers().get("X-Sum"), () -> "trailers: " + seen.trailers());
    }

    @Test
    void chunkedResponseIsPassedThroughWithItsTrailers() throws Exception {
        byte[] body = TestBodies.bytes(0, 300_000);
        TestUpstream up = track(TestUpstream.start("chunky", req -> Reply.withTrailers(body, 7_000,
                Map.of("X-Checksum", "abc123", "X-Count", "300000"))));
        TestProxy proxy = proxy(TestProxy.app("/chunky", up));
        RawHttp raw = track(proxy.connect());

        raw.send("GET /chunky/ HTTP/1.1\r\nHost: t\r\nTE: trailers\r\n\r\n");
        RawResponse r = raw.readResponse(TIMEOUT);
        assertEquals(200, r.status());
        assertTrue(r.chunked(), () -> "expected a chunked answer: " + r.headers());
        assertNull(r.header("Content-Length"));
        assertArrayEquals(body, r.body());
        assertEquals("abc123", r.trailers().get("X-Checksum"), () -> "trailers: " + r.trailers());
        assertEquals("300000", r.trailers().get("X-Count"), () -> "trailers: " + r.trailers());

        // The connection carries on after the last chunk and its trailers.
        raw.send("GET /chunky/again HTTP/1.1\r\nHost: t\r\n\r\n");
        assertArrayEquals(body, raw.readResponse(TIMEOUT).body());
    }

    @Test
    void uploadSpanningSeveralReadsReachesTheUpstreamWhole() throws Exception {
        int size = 256 * 1024;
        AtomicLong received = new AtomicLong();
        ScriptedUpstream up = track(new ScriptedUpstream((head, in, out) -> {
            long length = Long.parseLong(head.replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
            byte[] buf = new byte[16 * 1024];
            long offset = 0;
            while (offset < length) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, length - offset));
                if (n < 0) {
                    return;
                }
                if (TestBodies.firstMismatch(offset, buf, 0, n) >= 0) {
                    return; // corrupted: no answer
                }
                offset += n;
                received.set(offset);
            }
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }));
        TestProxy proxy = proxy(TestProxy.app("/up", List.of("/up"), up.port()));
        RawHttp raw = track(proxy.connect());

        // Head and body in one write; the body is far larger than what one socket read takes.
        byte[] head = ("POST /up/x HTTP/1.1\r\nHost: t\r\nContent-Length: " + size + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + size];
        System.arraycopy(head, 0, request, 0, head.length);
        TestBodies.fill(0, request, head.length, size);
        raw.send(request);

        Await.until(Duration.ofSeconds(3), () -> received.get() == size,
                () -> "the upstream received " + received.get() + " of " + size + " body bytes");
        RawResponse r = raw.readResponse(TIMEOUT);
        assertEquals(200, r.status(), r::toString);
        assertEquals("ok", r.bodyText());
    }

    // ---- bodiless answers ------------------------------------------------------------------------------

    @Test
    void headGetsHeadersWithoutBodyAndTheConnectionStaysUsable() throws Exception {
        TestUpstream up = track(TestUpstream.start("head", req -> Reply.ok("hello " + req.method())));
        TestUpstream dl = track(TestUpstream.downloading("dl", 20L * MB));
        TestUpstream chunky = track(TestUpstream.start("chunky", req -> Reply.chunked(new byte[5000], 1000)));
        TestProxy proxy = proxy(TestProxy.app("/head", up), TestProxy.app("/dl", dl), TestProxy.app("/chunky", chunky));
        RawHttp raw = track(proxy.connect());

        raw.send("HEAD /head/x HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse head = raw.readResponseToHead(TIMEOUT);
        assertEquals(200, head.status());
        assertEquals("10", head.header("Content-Length"), () -> "HEAD keeps the GET's length: " + head.headers());
        assertEquals("test-proxy", head.header("X-Proxy"));

        raw.send("HEAD /dl/big HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse big = raw.readResponseToHead(TIMEOUT);
        assertEquals(200, big.status());
        assertEquals(String.valueOf(20L * MB), big.header("Content-Length"));

        raw.send("HEAD /chunky/ HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse chunked = raw.readResponseToHead(TIMEOUT);
        assertEquals(200, chunked.status());

        // A stray body byte after any of the heads would corrupt this answer.
        raw.send("GET /head/x HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse get = raw.readResponse(TIMEOUT);
        assertEquals(200, get.status());
        assertEquals("hello GET", get.bodyText());

        List<String> methods = up.requests().stream().map(RecordedRequest::method).toList();
        assertEquals(List.of("HEAD", "GET"), methods);
        assertEquals("HEAD", dl.takeRequest(TIMEOUT).method());
    }

    @Test
    void noContentAndNotModifiedHaveNoBody() throws Exception {
        TestUpstream up = track(TestUpstream.start("nb", req -> switch (req.path()) {
            case "/nb/204" -> Reply.status(204).header("X-Done", "yes");
            case "/nb/304" -> Reply.status(304).header("ETag", "\"v1\"").header("Content-Length", "1234");
            default -> Reply.ok("after " + req.path());
        }));
        TestProxy proxy = proxy(TestProxy.app("/nb", up));
        RawHttp raw = track(proxy.connect());

        raw.send("DELETE /nb/204 HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse noContent = raw.readResponse(TIMEOUT);
        assertEquals(204, noContent.status());
        assertEquals("yes", noContent.header("X-Done"));
        assertNull(noContent.header("Transfer-Encoding"), () -> noContent.headers().toString());

        raw.send("GET /nb/304 HTTP/1.1\r\nHost: t\r\nIf-None-Match: \"v1\"\r\n\r\n");
        RawResponse notModified = raw.readResponse(TIMEOUT);
        assertEquals(304, notModified.status());
        assertEquals("\"v1\"", notModified.header("ETag"));
        assertNull(notModified.header("Transfer-Encoding"), () -> notModified.headers().toString());

        // Any body byte sent with the 204 or the 304 would be read as the start of this answer.
        raw.send("GET /nb/ok HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse after = raw.readResponse(TIMEOUT);
        assertEquals(200, after.status());
        assertEquals("after /nb/ok", after.bodyText());
    }

    // ---- Expect: 100-continue ------------------------------------------------------------------------

    @Test
    void expectContinueGets100ThenTheAnswerAndTheUpstreamNoExpect() throws Exception {
        TestUpstream up = track(TestUpstream.echo("echo"));
        TestProxy proxy = proxy(TestProxy.app("/echo", up));
        RawHttp raw = track(proxy.connect());

        raw.send("PUT /echo/doc HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
                + "Expect: 100-continue\r\n\r\n");
        RawResponse interim = raw.readResponse(TIMEOUT);
        assertEquals(100, interim.status(), interim::toString);
        assertEquals(0, up.requestCount(), "nothing is complete upstream before the body is sent");

        raw.send("hello world");
        RawResponse r = raw.readResponse(TIMEOUT);
        assertEquals(200, r.status(), r::toString);
        assertEquals("hello world", r.bodyText());

        RecordedRequest seen = up.takeRequest(TIMEOUT);
        assertNull(seen.header("Expect"), () -> seen.headers().toString());
        assertEquals("hello world", seen.bodyText());
        assertEquals("11", seen.header("Content-Length"));
    }

    @Test
    void expectContinueToAnUnknownPathGetsTheFinalAnswerWithout100() throws Exception {
        TestUpstream up = track(TestUpstream.echo("echo"));
        TestProxy proxy = proxy(TestProxy.app("/echo", up));
        RawHttp raw = track(proxy.connect());

        raw.send("POST /nowhere/ HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n");
        RawResponse r = raw.readResponse(TIMEOUT);
        assertEquals(503, r.status(), "no 100 before the request is routed: " + r);
        assertEquals(0, up.connections());
    }

    // ---- a response framed by the close of the connection --------------------------------------------

    @Test
    void closeDelimitedResponseReachesAnHttp11ClientChunkedAndComplete() throws Exception {
        byte[] body = TestBodies.bytes(0, 200_000);
        ScriptedUpstream up = track(new ScriptedUpstream((head, in, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            // closing the socket ends the body
        }));
        TestProxy proxy = proxy(TestProxy.app("/eof", List.of("/eof"), up.port()));
        RawHttp raw = track(proxy.connect());

        raw.send("GET /eof/a HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse r = raw.readResponse(TIMEOUT);
        assertEquals(200, r.status());
        assertTrue(r.chunked(), () -> "Pacer must frame the body for an HTTP/1.1 client: " + r.headers());
        assertArrayEquals(body, r.body());

        // Whole and framed: the client connection goes on.
        raw.send("GET /eof/b HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse again = raw.readResponse(TIMEOUT);
        assertEquals(200, again.status());
        assertArrayEquals(body, again.body());
        assertEquals(List.of("GET /eof/a HTTP/1.1", "GET /eof/b HTTP/1.1"), up.requestLines());
    }

    @Test
    void closeDelimitedResponseReachesAnHttp10ClientAndClosesIt() throws Exception {
        byte[] body = TestBodies.bytes(0, 100_000);
        ScriptedUpstream up = track(new ScriptedUpstream((head, in, out) -> {
            out.write("HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
        }));
        TestProxy proxy = proxy(TestProxy.app("/eof", List.of("/eof"), up.port()));
        RawHttp raw = track(proxy.connect());

        raw.send("GET /eof/old HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n\r\n");
        RawResponse r = raw.readResponse(TIMEOUT);
        assertEquals(200, r.status());
        assertFalse(r.chunked(), "an HTTP/1.0 client cannot take chunked");
        assertArrayEquals(body, r.body());
        assertTrue(raw.isClosedByPeer(TIMEOUT));
    }

    // ---- backpressure ---------------------------------------------------------------------------------

    @Test
    void slowReadingClientGetsEveryByteOf64MB() throws Exception {
        long size = 64L * MB;
        TestUpstream up = track(TestUpstream.downloading("dl", size));
        TestProxy proxy = proxy(TestProxy.app("/dl", up));

        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024); // before connect: keeps the client's window small
            socket.connect(proxy.address(), 5000);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.getOutputStream().write("GET /dl/huge HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(head.toLowerCase().contains("content-length: " + size), head);

            byte[] buf = new byte[2048];
            long got = 0;
            long nextPause = MB;
            while (got < size) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, size - got));
                if (n < 0) {
                    fail("connection closed after " + got + " of " + size + " bytes");
                }
                long mismatch = TestBodies.firstMismatch(got, buf, 0, n);
                if (mismatch >= 0) {
                    fail("body differs at offset " + mismatch);
                }
                got += n;
                if (got >= nextPause) {
                    // A short pause every megabyte: Pacer must hold the upstream back, not drop bytes.
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
                    nextPause += MB;
                }
            }
            assertEquals(size, got);
        }
    }

    @Test
    void stalledClientHoldsTheUpstreamBack() throws Exception {
        // Far more than every socket buffer on the way can hold (tcp_rmem may autotune to 32 MB).
        long size = 128L * MB;
        long readFirst = MB;
        CountingUpstream up = track(new CountingUpstream(size));
        TestProxy proxy = proxy(TestProxy.app("/dl", List.of("/dl"), up.port()));

        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(proxy.address(), 5000);
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.getOutputStream().write("GET /dl/huge HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);

            byte[] buf = new byte[64 * 1024];
            long got = readAndVerify(in, buf, 0, readFirst);

            // The client reads nothing now. Once every buffer on the way is full, the upstream cannot write.
            Await.until(Duration.ofSeconds(4), () -> up.written() == size || up.quietForMillis() >= 300,
                    () -> "upstream never stalled; written " + up.written());
            long stalledAt = up.written();
            System.out.println("[BodiesTest] client read " + got + " bytes, upstream stalled after " + stalledAt);
            assertTrue(stalledAt < size / 2, "the upstream wrote " + stalledAt + " of " + size
                    + " bytes while the client had read " + got + ": Pacer buffers instead of pushing back");

            got += readAndVerify(in, buf, got, size - got);
            assertEquals(size, got);
        }
    }

    private static long readAndVerify(InputStream in, byte[] buf, long offset, long length) throws IOException {
        long done = 0;
        while (done < length) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, length - done));
            if (n < 0) {
                fail("connection closed after " + (offset + done) + " bytes");
            }
            long mismatch = TestBodies.firstMismatch(offset + done, buf, 0, n);
            if (mismatch >= 0) {
                fail("body differs at offset " + mismatch);
            }
            done += n;
        }
        return done;
    }

    /** Reads a response head (up to and including the blank line) byte by byte. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                fail("closed in the response head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    // ---- raw upstreams ------------------------------------------------------------------------------

    /** What a {@link ScriptedUpstream} does on one connection after reading a request head. */
    @FunctionalInterface
    interface Script {
        void run(String head, InputStream in, OutputStream out) throws IOException;
    }

    /**
     * A blocking upstream on a plain server socket, for answers a real HTTP server does not give:
     * one request per connection, answered by a script, then the connection is closed.
     */
    static class ScriptedUpstream implements AutoCloseable {
        private final ServerSocket server;
        private final Thread acceptor;
        private final List<String> requestLines = new CopyOnWriteArrayList<>();
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();

        ScriptedUpstream(Script script) throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        connections.incrementAndGet();
                        accepted.add(s);
                        Thread t = new Thread(() -> serve(s, script), "scripted-upstream-conn");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "scripted-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void serve(Socket s, Script script) {
            try (s) {
                InputStream in = s.getInputStream();
                String head = readHead(in);
                requestLines.add(head.substring(0, head.indexOf("\r\n")));
                script.run(head, in, s.getOutputStream());
            } catch (IOException | AssertionError e) {
                // the peer went away: nothing to answer
            }
        }

        int port() {
            return server.getLocalPort();
        }

        List<String> requestLines() {
            return List.copyOf(requestLines);
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    /** Answers downloads of {@code size} TestBodies bytes, counting what it managed to write. */
    static final class CountingUpstream implements AutoCloseable {
        private final AtomicLong written = new AtomicLong();
        private final AtomicLong lastWrite = new AtomicLong(System.nanoTime());
        private final ScriptedUpstream server;

        CountingUpstream(long size) throws IOException {
            server = new ScriptedUpstream((head, in, out) -> {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + size + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                byte[] piece = new byte[64 * 1024];
                long offset = 0;
                while (offset < size) {
                    int n = (int) Math.min(piece.length, size - offset);
                    TestBodies.fill(offset, piece, 0, n);
                    out.write(piece, 0, n); // blocks while nobody reads on the other side
                    offset += n;
                    written.set(offset);
                    lastWrite.set(System.nanoTime());
                }
                out.flush();
            });
        }

        int port() {
            return server.port();
        }

        long written() {
            return written.get();
        }

        long quietForMillis() {
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastWrite.get());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
