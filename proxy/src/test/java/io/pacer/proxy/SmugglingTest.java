package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Requests whose framing or syntax could be read two ways: each is refused by Pacer itself with
 * the given status, the connection is closed (so nothing after it is read), and the upstream is
 * never contacted. Every case carries a second, smuggled request after the first, which must not
 * reach the upstream either.
 */
class SmugglingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String SMUGGLED = "GET /app/smuggled HTTP/1.1\r\nHost: t\r\n\r\n";

    private static LimitsTest.SinkUpstream sink;
    private static TestProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        sink = new LimitsTest.SinkUpstream();
        proxy = TestProxy.start(TestProxy.table(TestProxy.app("/app", List.of("/app"), sink.port())),
                cfg -> cfg.maxUriSize(512));
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        sink.close();
    }

    static Stream<Arguments> ambiguous() {
        String post = "POST /app/x HTTP/1.1\r\nHost: t\r\n";
        return Stream.of(
                // framing
                Arguments.of("CL with TE", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE with CL", post + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("two different CLs", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
                Arguments.of("two equal CLs (refused, as Nginx does)", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
                Arguments.of("CL list", post + "Content-Length: 5, 6\r\n\r\nhello!", 400),
                Arguments.of("non-numeric CL", post + "Content-Length: abc\r\n\r\nhello", 400),
                Arguments.of("signed CL", post + "Content-Length: +5\r\n\r\nhello", 400),
                Arguments.of("negative CL", post + "Content-Length: -1\r\n\r\nhello", 400),
                Arguments.of("hex CL", post + "Content-Length: 0x5\r\n\r\nhello", 400),
                Arguments.of("empty CL", post + "Content-Length: \r\n\r\nhello", 400),
                Arguments.of("huge CL", post + "Content-Length: 99999999999999999999999\r\n\r\nhello", 400),
                Arguments.of("TE gzip only", post + "Transfer-Encoding: gzip\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE chunked then gzip", post + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE chunked twice", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE empty element", post + "Transfer-Encoding: , chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE identity", post + "Transfer-Encoding: identity\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("TE on HTTP/1.0", "POST /app/x HTTP/1.0\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                // obsolete line folding
                Arguments.of("obs-fold with space", "GET /app/x HTTP/1.1\r\nHost: t\r\nX-A: a\r\n b\r\n\r\n", 400),
                Arguments.of("obs-fold with tab", "GET /app/x HTTP/1.1\r\nHost: t\r\nX-A: a\r\n\tb\r\n\r\n", 400),
                Arguments.of("folded TE", post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("folded CL", post + "Content-Length:\r\n 5\r\n\r\nhello", 400),
                Arguments.of("whitespace before the first header", "GET /app/x HTTP/1.1\r\n Host: t\r\n\r\n", 400),
                Arguments.of("whitespace before the request line", " GET /app/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                // line endings
                Arguments.of("bare LF after request line", "GET /app/x HTTP/1.1\nHost: t\r\n\r\n", 400),
                Arguments.of("bare LF in headers", "GET /app/x HTTP/1.1\r\nHost: t\nX: y\r\n\r\n", 400),
                Arguments.of("bare LF ending the head", "GET /app/x HTTP/1.1\r\nHost: t\r\n\n", 400),
                Arguments.of("bare CR in a value", "GET /app/x HTTP/1.1\r\nHost: t\r\nX: a\rb\r\n\r\n", 400),
                Arguments.of("bare CR ending a line", "GET /app/x HTTP/1.1\r\nHost: t\rX: b\r\n\r\n", 400),
                Arguments.of("bare CR in the request line", "GET /app/x\r HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                // control bytes
                Arguments.of("NUL in a value", "GET /app/x HTTP/1.1\r\nHost: t\r\nX: a\u0000b\r\n\r\n", 400),
                Arguments.of("NUL in a name", "GET /app/x HTTP/1.1\r\nHost: t\r\nX\u0000Y: b\r\n\r\n", 400),
                Arguments.of("SOH in a value", "GET /app/x HTTP/1.1\r\nHost: t\r\nX: a\u0001b\r\n\r\n", 400),
                Arguments.of("DEL in a value", "GET /app/x HTTP/1.1\r\nHost: t\r\nX: a\u007fb\r\n\r\n", 400),
                Arguments.of("ESC in a name", "GET /app/x HTTP/1.1\r\nHost: t\r\n\u001bX: b\r\n\r\n", 400),
                Arguments.of("NUL in the target", "GET /app/\u0000x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("VT in the target", "GET /app/\u000bx HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("space before colon", "GET /app/x HTTP/1.1\r\nHost : t\r\n\r\n", 400),
                Arguments.of("empty header name", "GET /app/x HTTP/1.1\r\nHost: t\r\n: v\r\n\r\n", 400),
                // methods and request lines
                Arguments.of("method with (", "G(T /app/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("method with @", "G@T /app/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("method with /", "GET/ /app/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("method with NUL", "GE\u0000T /app/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("two spaces", "GET  /app/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("two spaces before the version", "GET /app/x  HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("space after the version", "GET /app/x HTTP/1.1 \r\nHost: t\r\n\r\n", 400),
                Arguments.of("tab in the request line", "GET\t/app/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("target with #", "GET /app/x#frag HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("target with backslash", "GET /app\\..\\x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("target above root", "GET /../app/x HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("bad escape", "GET /app/%zz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("over-long URI", "GET /app/" + "u".repeat(600) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414),
                // versions
                Arguments.of("HTTP/2.0", "GET /app/x HTTP/2.0\r\nHost: t\r\n\r\n", 505),
                Arguments.of("HTTP/1.2", "GET /app/x HTTP/1.2\r\nHost: t\r\n\r\n", 505),
                Arguments.of("HTTP/0.9", "GET /app/x HTTP/0.9\r\nHost: t\r\n\r\n", 505),
                Arguments.of("HTTP/3.0", "GET /app/x HTTP/3.0\r\nHost: t\r\n\r\n", 505),
                Arguments.of("lowercase http", "GET /app/x http/1.1\r\nHost: t\r\n\r\n", 400),
                Arguments.of("HTTP/1.1.1", "GET /app/x HTTP/1.1.1\r\nHost: t\r\n\r\n", 400));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("ambiguous")
    void refusedClosedAndNeverForwarded(String what, String request, int status) throws Exception {
        try (RawHttp raw = proxy.connect()) {
            raw.send(request + SMUGGLED);
            RawResponse r = raw.readResponse(TIMEOUT);
            assertEquals(status, r.status(), () -> what + ": " + r + " " + r.bodyText());
            assertEquals("test-proxy", r.header("X-Proxy"), what);
            assertNull(r.header(TestUpstream.UPSTREAM_HEADER), what);
            assertTrue(r.headers().containsToken("Connection", "close"), () -> what + ": " + r.headers());
            assertTrue(raw.isClosedByPeer(TIMEOUT), what + ": connection left open");
        }
        assertEquals(0, sink.connections(), () -> what + " reached the upstream: " + sink.receivedText());
    }

    /** The same heads, well formed, are served: the checks refuse what is ambiguous, not what is unusual. */
    @Test
    void wellFormedNeighboursAreServed() throws Exception {
        try (TestUpstream echo = TestUpstream.start("echo", req -> Reply.ok(req.method() + " " + req.uri() + " "
                + req.body().length + " " + req.header("X-A")));
             TestProxy p = TestProxy.start(TestProxy.table(TestProxy.app("/app", echo)));
             RawHttp raw = p.connect()) {
            List<String[]> cases = List.of(
                    new String[] {"POST /app/x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
                        "POST /app/x 5 null"},
                    new String[] {"POST /app/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", "POST /app/x 5 null"},
                    new String[] {"POST /app/x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
                        + "5\r\nhello\r\n0\r\n\r\n", "POST /app/x 5 null"},
                    new String[] {"GET /app/x HTTP/1.1\r\nHost: t\r\nX-A: a\tb  c \r\n\r\n", "GET /app/x 0 a\tb  c"},
                    new String[] {"\r\nGET /app/y HTTP/1.1\r\nHost: t\r\nX-A:\u00e9\r\n\r\n", "GET /app/y 0 \u00e9"},
                    new String[] {"GET /app/z HTTP/1.0\r\nHost: t\r\nConnection: keep-alive\r\n\r\n", "GET /app/z 0 null"});
            for (String[] c : cases) {
                raw.send(c[0]);
                RawResponse r = raw.readResponse(TIMEOUT);
                assertEquals(200, r.status(), () -> c[0].replace("\r", "\\r").replace("\n", "\\n") + ": " + r + " " + r.bodyText());
                assertEquals(c[1], r.bodyText());
            }
        }
    }

    /** Pipelined requests after a body are each checked as heads of their own. */
    @Test
    void foldInAPipelinedRequestAfterABodyIsRefused() throws Exception {
        try (TestUpstream echo = TestUpstream.start("echo", req -> Reply.ok(req.uri()));
             TestProxy p = TestProxy.start(TestProxy.table(TestProxy.app("/app", echo)));
             RawHttp raw = p.connect()) {
            raw.send("POST /app/1 HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
                    + "POST /app/2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
                    + "GET /app/3 HTTP/1.1\r\nHost: t\r\nX: a\r\n b\r\n\r\n" + SMUGGLED);
            assertEquals("/app/1", raw.readResponse(TIMEOUT).bodyText());
            assertEquals("/app/2", raw.readResponse(TIMEOUT).bodyText());
            RawResponse third = raw.readResponse(TIMEOUT);
            assertEquals(400, third.status(), third::toString);
            assertTrue(raw.isClosedByPeer(TIMEOUT));
            assertEquals(2, echo.requestCount());
        }
    }
}
