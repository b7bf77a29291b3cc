package io.pacer.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** RawHttp's parsing, against a scripted server that writes exact bytes. */
class RawHttpTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A one-connection server on loopback that runs a script against the accepted socket. */
    private static final class ScriptedServer implements AutoCloseable {
        interface Script {
            void run(Socket socket) throws Exception;
        }

        private final ServerSocket server;
        private final Thread thread;
        private final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();

        ScriptedServer(Script script) throws IOException {
            server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            thread = new Thread(() -> {
                try (Socket s = server.accept()) {
                    script.run(s);
                } catch (Throwable t) {
                    failures.add(t);
                }
            }, "scripted-server");
            thread.setDaemon(true);
            thread.start();
        }

        static ScriptedServer replying(String bytes, boolean closeAfter) throws IOException {
            return new ScriptedServer(s -> {
                readHead(s.getInputStream());
                s.getOutputStream().write(bytes.getBytes(StandardCharsets.ISO_8859_1));
                s.getOutputStream().flush();
                if (!closeAfter) {
                    // keep the connection open until the client closes it
                    while (s.getInputStream().read() >= 0) {
                        // drain
                    }
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(TIMEOUT.toMillis());
            Throwable failure = failures.poll();
            if (failure != null && !(failure instanceof java.net.SocketException)) {
                throw new AssertionError("scripted server failed", failure);
            }
        }
    }

    /** Reads up to and including the blank line of a request head. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("client closed before its request head ended: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    private static final String GET = "GET / HTTP/1.1\r\nHost: test\r\n\r\n";

    private ScriptedServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private RawResponse fetch(String response) throws Exception {
        server = ScriptedServer.replying(response, false);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            return raw.send(GET).readResponse(TIMEOUT);
        }
    }

    @Test
    void contentLengthBody() throws Exception {
        RawResponse r = fetch("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello");
        assertEquals("HTTP/1.1", r.version());
        assertEquals(200, r.status());
        assertEquals("OK", r.reason());
        assertEquals("hello", r.bodyText());
        assertFalse(r.chunked());
        assertEquals("1", r.header("x-a"));
        assertTrue(r.trailers().isEmpty());
    }

    @Test
    void headersAreCaseInsensitiveOrderedAndKeepDuplicates() throws Exception {
        RawResponse r = fetch("HTTP/1.1 200 OK\r\nSet-Cookie: a=1\r\ncontent-length: 0\r\nSET-COOKIE: b=2\r\n"
                + "Connection: keep-alive, Upgrade\r\nX-Spaces:   padded value  \r\n\r\n");
        assertEquals(List.of("a=1", "b=2"), r.headers().getAll("set-cookie"));
        assertEquals("a=1", r.header("Set-Cookie"));
        assertEquals("padded value", r.header("x-spaces"));
        assertTrue(r.headers().containsToken("connection", "upgrade"));
        assertFalse(r.headers().containsToken("connection", "close"));
        assertEquals(List.of("Set-Cookie", "content-length", "Connection", "X-Spaces"), List.copyOf(r.headers().names()));
        assertEquals(5, r.headers().size());
        assertNull(r.header("missing"));
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailers() throws Exception {
        RawResponse r = fetch("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;name=value\r\nhello\r\n" + "1\r\n \r\n" + "A\r\n0123456789\r\n"
                + "0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n");
        assertTrue(r.chunked());
        assertEquals("hello 0123456789", r.bodyText());
        assertEquals("abc", r.trailers().get("x-checksum"));
        assertEquals(2, r.trailers().size());
        assertNull(r.header("Content-Length"));
    }

    @Test
    void bodyUntilCloseWhenThereIsNoFraming() throws Exception {
        server = ScriptedServer.replying("HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\nall of this until the end", true);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            RawResponse r = raw.send(GET).readResponse(TIMEOUT);
            assertEquals("HTTP/1.0", r.version());
            assertEquals("all of this until the end", r.bodyText());
            assertTrue(raw.isClosedByPeer(TIMEOUT));
        }
    }

    @Test
    void pipelinedResponsesAreReadOneByOne() throws Exception {
        server = ScriptedServer.replying("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\none"
                + "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\ntwo\r\n0\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nthree", false);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            raw.send(GET);
            assertEquals("one", raw.readResponse(TIMEOUT).bodyText());
            RawResponse second = raw.readResponse(TIMEOUT);
            assertEquals(404, second.status());
            assertEquals("Not Found", second.reason());
            assertEquals("two", second.bodyText());
            RawResponse third = raw.readResponse(TIMEOUT);
            assertEquals(204, third.status());
            assertEquals(0, third.body().length);
            assertEquals("three", raw.readResponse(TIMEOUT).bodyText());
        }
    }

    @Test
    void interimResponsesComeFirstAndAlone() throws Exception {
        server = ScriptedServer.replying("HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", false);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            raw.send(GET);
            assertEquals(100, raw.readResponse(TIMEOUT).status());
            RawResponse r = raw.readResponse(TIMEOUT);
            assertEquals(201, r.status());
            assertEquals("ok", r.bodyText());
        }
    }

    @Test
    void responsesToHeadHaveNoBodyWhateverTheirLength() throws Exception {
        server = ScriptedServer.replying("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", false);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            raw.send(GET);
            RawResponse head = raw.readResponseToHead(TIMEOUT);
            assertEquals("1000", head.header("content-length"));
            assertEquals(0, head.body().length);
            assertEquals("x", raw.readResponse(TIMEOUT).bodyText());
        }
    }

    @Test
    void bareLineFeedsAreAccepted() throws Exception {
        RawResponse r = fetch("HTTP/1.1 200 OK\nContent-Length: 2\n\nhi");
        assertEquals("hi", r.bodyText());
    }

    @Test
    void binaryBodiesSurviveIntact() throws Exception {
        byte[] body = TestBodies.bytes(0, 200_000);
        server = new ScriptedServer(s -> {
            readHead(s.getInputStream());
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            s.getInputStream().read();
        });
        try (RawHttp raw = RawHttp.connect(server.address())) {
            assertArrayEquals(body, raw.send(GET).readResponse(TIMEOUT).body());
        }
    }

    @Test
    void truncatedBodyIsAnError() throws Exception {
        server = ScriptedServer.replying("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            EOFException e = assertThrows(EOFException.class, () -> raw.send(GET).readResponse(TIMEOUT));
            assertTrue(e.getMessage().contains("after 5 of 10"), e.getMessage());
        }
    }

    @Test
    void truncatedChunkedBodyIsAnError() throws Exception {
        server = ScriptedServer.replying("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", true);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            assertThrows(EOFException.class, () -> raw.send(GET).readResponse(TIMEOUT));
        }
    }

    @Test
    void closeBeforeAnyResponseIsAnError() throws Exception {
        server = ScriptedServer.replying("", true);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            EOFException e = assertThrows(EOFException.class, () -> raw.send(GET).readResponse(TIMEOUT));
            assertTrue(e.getMessage().contains("before a response"), e.getMessage());
        }
    }

    @Test
    void malformedResponsesAreRejected() throws Exception {
        server = ScriptedServer.replying("this is not http\r\n\r\n", true);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> raw.send(GET).readResponse(TIMEOUT));
            assertTrue(e.getMessage().contains("this is not http"), e.getMessage());
        }
    }

    @Test
    void conflictingContentLengthsAreRejected() throws Exception {
        server = ScriptedServer.replying("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", true);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            assertThrows(ProtocolException.class, () -> raw.send(GET).readResponse(TIMEOUT));
        }
    }

    @Test
    void aSilentServerTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server = new ScriptedServer(s -> {
            readHead(s.getInputStream());
            release.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        });
        try (RawHttp raw = RawHttp.connect(server.address())) {
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> raw.send(GET).readResponse(Duration.ofMillis(200)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(190));
            assertFalse(raw.isClosedByPeer(Duration.ofMillis(100)), "the server is still there");
        } finally {
            release.countDown();
        }
    }

    @Test
    void readRawReturnsEverythingUntilClose() throws Exception {
        server = ScriptedServer.replying("raw bytes\r\nmore", true);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            assertEquals("raw bytes\r\nmore", raw.send(GET).readRawText(TIMEOUT));
        }
    }

    @Test
    void isClosedByPeerSeesAClose() throws Exception {
        server = ScriptedServer.replying("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", true);
        try (RawHttp raw = RawHttp.connect(server.address())) {
            raw.send(GET);
            assertTrue(raw.isClosedByPeer(TIMEOUT), "bytes before the close are skipped");
        }
    }

    @Test
    void shutdownOutputHalfCloses() throws Exception {
        server = new ScriptedServer(s -> {
            InputStream in = s.getInputStream();
            byte[] all = in.readAllBytes(); // until the client's FIN
            s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + all.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(all);
            s.getOutputStream().flush();
        });
        try (RawHttp raw = RawHttp.connect(server.address())) {
            raw.send("ping");
            raw.shutdownOutput();
            assertEquals("ping", raw.readResponse(TIMEOUT).bodyText());
        }
    }

    @Test
    void connectingToNothingFails() {
        assertThrows(java.net.ConnectException.class, () -> RawHttp.connect(TestUpstream.refusingAddress()).close());
    }
}
