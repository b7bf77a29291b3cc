package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Request headers as the upstream receives them, response headers as the client receives them. */
class HeadersTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_BODY = 1024;
    /** Small, so that a head over it still arrives in one read (LimitsTest covers realistic sizes). */
    private static final int MAX_HEADER = 1024;

    @RegisterExtension
    final Closer open = new Closer();
    /** Records requests; answers {@code ok}, or what the {@code X-Reply} request header asks for. */
    private TestUpstream app;
    private TestUpstream failing;
    private TestProxy proxy;

    @BeforeEach
    void start() {
        app = track(TestUpstream.start("app", req -> Reply.ok("ok " + req.uri())));
        failing = track(TestUpstream.start("failing", req -> Reply.status(500, "upstream broke")
                .header("X-Failure", "yes")));
        int deadPort = TestUpstream.refusing();
        proxy = track(TestProxy.start(TestProxy.table(
                        TestProxy.app("/app", app),
                        TestProxy.app("/failing", failing),
                        TestProxy.app("/dead", List.of("/dead"), deadPort)),
                cfg -> cfg.maxBodySize(MAX_BODY).maxHeaderSize(MAX_HEADER)));
    }

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    /** Sends {@code request} on a new connection and returns the answer. */
    private RawResponse send(String request) throws Exception {
        try (RawHttp raw = proxy.connect()) {
            raw.send(request);
            return raw.readResponse(TIMEOUT);
        }
    }

    /** Sends a GET to /app/h with {@code headerLines} (each ending in CRLF) and returns what the app received. */
    private RecordedRequest forwarded(String headerLines) throws Exception {
        RawResponse r = send("GET /app/h HTTP/1.1\r\n" + headerLines + "\r\n");
        assertEquals(200, r.status(), () -> r + " " + r.bodyText());
        assertEquals("app", r.header(TestUpstream.UPSTREAM_HEADER));
        return app.takeRequest(TIMEOUT);
    }

    private static void assertStamped(RawResponse r, int status) {
        assertEquals(status, r.status(), () -> r + " " + r.bodyText());
        assertEquals(List.of("test-proxy"), r.headers().getAll("X-Proxy"), () -> status + ": " + r.headers());
        assertEquals(List.of("pacer"), r.headers().getAll("Server"), () -> status + ": " + r.headers());
    }

    // ---- to the upstream -------------------------------------------------------------------------

    @Test
    void hostIsPassedThroughUnchanged() throws Exception {
        RecordedRequest plain = forwarded("Host: Shop.Example.COM\r\n");
        assertEquals(List.of("Shop.Example.COM"), plain.headers().getAll("Host"));
        assertEquals("Shop.Example.COM", plain.header("X-Forwarded-Host"));

        RecordedRequest withPort = forwarded("Host: shop.example.com:8443\r\n");
        assertEquals(List.of("shop.example.com:8443"), withPort.headers().getAll("Host"));
        assertEquals("shop.example.com:8443", withPort.header("X-Forwarded-Host"));

        RecordedRequest ip = forwarded("Host: [::1]:8080\r\n");
        assertEquals("[::1]:8080", ip.header("Host"));
    }

    @Test
    void forwardingHeadersAreSet() throws Exception {
        RecordedRequest seen = forwarded("Host: shop.example\r\n");
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("127.0.0.1", seen.header("X-Real-IP"));
        assertEquals("http", seen.header("X-Forwarded-Proto"));
        assertEquals("shop.example", seen.header("X-Forwarded-Host"));
    }

    @Test
    void spoofedForwardingHeadersAreReplaced() throws Exception {
        RecordedRequest seen = forwarded("Host: shop.example\r\nX-Real-IP: 6.6.6.6\r\nX-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: evil.example\r\n");
        assertEquals(List.of("127.0.0.1"), seen.headers().getAll("X-Real-IP"));
        assertEquals(List.of("http"), seen.headers().getAll("X-Forwarded-Proto"));
        assertEquals(List.of("shop.example"), seen.headers().getAll("X-Forwarded-Host"));
    }

    @Test
    void forwardedForIsAppendedTo() throws Exception {
        RecordedRequest one = forwarded("Host: t\r\nX-Forwarded-For: 10.0.0.1\r\n");
        assertEquals(List.of("10.0.0.1, 127.0.0.1"), one.headers().getAll("X-Forwarded-For"));

        RecordedRequest chain = forwarded("Host: t\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n");
        assertEquals(List.of("10.0.0.1, 10.0.0.2, 127.0.0.1"), chain.headers().getAll("X-Forwarded-For"));
    }

    @Test
    void forwardedForSentOnSeveralLinesKeepsEveryHop() throws Exception {
        // RFC 9110 5.3: several field lines are one comma-separated list; no hop may be lost.
        RecordedRequest seen = forwarded("Host: t\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2\r\n");
        assertEquals(List.of("10.0.0.1, 10.0.0.2, 127.0.0.1"), seen.headers().getAll("X-Forwarded-For"));
    }

    @Test
    void hopByHopRequestHeadersAreDropped() throws Exception {
        RecordedRequest seen = forwarded("Host: t\r\n"
                + "Connection: keep-alive, x-secret\r\n"
                + "X-Secret: do-not-forward\r\n"
                + "Keep-Alive: timeout=5, max=100\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "TE: trailers\r\n"
                + "Upgrade: h2c\r\n"
                + "Proxy-Authorization: Basic dXNlcjpwYXNz\r\n"
                + "Authorization: Bearer end-to-end\r\n"
                + "Accept: text/html\r\n"
                + "Accept: application/json\r\n"
                + "Cookie: a=1; b=2\r\n"
                + "X-Kept: yes\r\n");
        for (String name : List.of("X-Secret", "Keep-Alive", "Proxy-Connection", "TE", "Upgrade",
                "Proxy-Authorization")) {
            assertNull(seen.header(name), () -> name + " was forwarded: " + seen.headers());
        }
        for (String value : seen.headers().getAll("Connection")) {
            String v = value.toLowerCase(Locale.ROOT);
            assertFalse(v.contains("x-secret") || v.contains("upgrade"), "Connection forwarded as " + value);
        }
        assertEquals("Bearer end-to-end", seen.header("Authorization"));
        assertEquals(List.of("text/html", "application/json"), seen.headers().getAll("Accept"));
        assertEquals("a=1; b=2", seen.header("Cookie"));
        assertEquals("yes", seen.header("X-Kept"));
    }

    @Test
    void connectionNamedHeadersAreDroppedWhateverTheirCase() throws Exception {
        RecordedRequest seen = forwarded("Host: t\r\nConnection: X-Private-One,  x-private-two\r\n"
                + "x-private-one: 1\r\nX-PRIVATE-TWO: 2\r\nX-Kept: yes\r\n");
        assertNull(seen.header("X-Private-One"), () -> seen.headers().toString());
        assertNull(seen.header("X-Private-Two"), () -> seen.headers().toString());
        assertEquals("yes", seen.header("X-Kept"));
    }

    @Test
    void expectIsNotForwarded() throws Exception {
        try (RawHttp raw = proxy.connect()) {
            raw.send("POST /app/expect HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, raw.readResponse(TIMEOUT).status());
            raw.send("hello");
            RawResponse r = raw.readResponse(TIMEOUT);
            assertEquals(200, r.status(), r::toString);
        }
        RecordedRequest seen = app.takeRequest(TIMEOUT);
        assertNull(seen.header("Expect"), () -> seen.headers().toString());
        assertEquals("hello", seen.bodyText());
    }

    // ---- to the client ---------------------------------------------------------------------------

    @Test
    void hopByHopResponseHeadersAreDropped() throws Exception {
        TestUpstream hops = track(TestUpstream.start("hops", req -> Reply.ok("body")
                .header("Connection", "x-internal")
                .header("X-Internal", "1")
                .header("Keep-Alive", "timeout=5")
                .header("Proxy-Connection", "keep-alive")
                .header("Upgrade", "h2c")
                .header("X-Public", "2")));
        proxy.routes(TestProxy.table(TestProxy.app("/hops", hops)));

        RawResponse r = send("GET /hops/ HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(200, r.status());
        assertEquals("body", r.bodyText());
        for (String name : List.of("X-Internal", "Keep-Alive", "Proxy-Connection", "Upgrade")) {
            assertNull(r.header(name), () -> name + " reached the client: " + r.headers());
        }
        for (String value : r.headers().getAll("Connection")) {
            assertFalse(value.toLowerCase(Locale.ROOT).contains("x-internal"), "Connection: " + value);
        }
        assertEquals("2", r.header("X-Public"));
    }

    @Test
    void serverHeaderIsPacerOnlyEvenWhenTheUpstreamSetsItsOwn() throws Exception {
        TestUpstream named = track(TestUpstream.start("named", req -> Reply.ok("x")
                .header("Server", "Apache/2.4.1 (Unix)")));
        proxy.routes(TestProxy.table(TestProxy.app("/named", named)));

        RawResponse r = send("GET /named/ HTTP/1.1\r\nHost: t\r\n\r\n");
        assertStamped(r, 200);
        assertEquals("named", r.header(TestUpstream.UPSTREAM_HEADER));
    }

    @Test
    void responseHeadersArePassedThroughWithRepeatedFieldsKept() throws Exception {
        TestUpstream cookies = track(TestUpstream.start("cookies", req -> Reply.ok("{}")
                .header("Set-Cookie", "a=1; Path=/; HttpOnly")
                .header("Set-Cookie", "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT")
                .header("Set-Cookie", "c=3")
                .header("Cache-Control", "no-cache, no-store")
                .header("ETag", "\"v1\"")
                .header("Vary", "Accept")
                .header("Vary", "Accept-Encoding")
                .header("X-Custom", "  Mixed Case Value  ")
                .header("Date", "Tue, 15 Nov 1994 08:12:31 GMT")));
        proxy.routes(TestProxy.table(TestProxy.app("/cookies", cookies)));

        RawResponse r = send("GET /cookies/ HTTP/1.1\r\nHost: t\r\n\r\n");
        assertStamped(r, 200);
        assertEquals(List.of("a=1; Path=/; HttpOnly", "b=2; Expires=Wed, 21 Oct 2037 07:28:00 GMT", "c=3"),
                r.headers().getAll("Set-Cookie"));
        assertEquals("no-cache, no-store", r.header("Cache-Control"));
        assertEquals("\"v1\"", r.header("ETag"));
        assertEquals(List.of("Accept", "Accept-Encoding"), r.headers().getAll("Vary"));
        assertEquals("Mixed Case Value", r.header("X-Custom"));
        assertEquals(List.of("Tue, 15 Nov 1994 08:12:31 GMT"), r.headers().getAll("Date"));
        assertEquals("text/plain; charset=utf-8", r.header("Content-Type"));
        assertEquals("{}", r.bodyText());
    }

    // ---- X-Proxy and Server on every answer ------------------------------------------------------

    @Test
    void stampedOnProxied200() throws Exception {
        RawResponse r = send("GET /app/x HTTP/1.1\r\nHost: t\r\n\r\n");
        assertStamped(r, 200);
        assertEquals("app", r.header(TestUpstream.UPSTREAM_HEADER));
    }

    @Test
    void stampedOnProxied500() throws Exception {
        RawResponse r = send("GET /failing/x HTTP/1.1\r\nHost: t\r\n\r\n");
        assertStamped(r, 500);
        assertEquals("failing", r.header(TestUpstream.UPSTREAM_HEADER), "the upstream's own 500 is passed on");
        assertEquals("yes", r.header("X-Failure"));
        assertEquals("upstream broke", r.bodyText());
    }

    @Test
    void stampedOn301() throws Exception {
        RawResponse r = send("GET /app?q=1 HTTP/1.1\r\nHost: t\r\n\r\n");
        assertStamped(r, 301);
        assertEquals("/app/?q=1", r.header("Location"));
    }

    @Test
    void stampedOn503() throws Exception {
        assertStamped(send("GET /nothing/here HTTP/1.1\r\nHost: t\r\n\r\n"), 503);
    }

    @Test
    void stampedOn413() throws Exception {
        assertStamped(send("POST /app/x HTTP/1.1\r\nHost: t\r\nContent-Length: " + (MAX_BODY + 1) + "\r\n\r\n"), 413);
        assertEquals(0, app.requestCount());
    }

    @Test
    void stampedOn431() throws Exception {
        String big = "v".repeat(MAX_HEADER + 100);
        assertStamped(send("GET /app/x HTTP/1.1\r\nHost: t\r\nX-Big: " + big + "\r\n\r\n"), 431);
        assertEquals(0, app.requestCount());
    }

    @Test
    void stampedOn502() throws Exception {
        RawResponse r = send("GET /dead/x HTTP/1.1\r\nHost: t\r\n\r\n");
        assertStamped(r, 502);
        assertNull(r.header(TestUpstream.UPSTREAM_HEADER));
    }

    @Test
    void stampedOn400And405And417() throws Exception {
        assertStamped(send("GET /app/x HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400);
        assertStamped(send("CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: t\r\n\r\n"), 405);
        assertStamped(send("GET /app/x HTTP/1.1\r\nHost: t\r\nExpect: teapot\r\n\r\n"), 417);
    }

    @Test
    void ownAnswersCarryNoServerVersion() throws Exception {
        RawResponse r = send("GET /nothing/ HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals(503, r.status());
        assertTrue(r.bodyText().contains("pacer"), r.bodyText());
        assertFalse(r.bodyText().matches("(?s).*pacer/\\d.*"), "version in the error page: " + r.bodyText());
    }
}
