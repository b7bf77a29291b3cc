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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pacer is no open proxy: whatever a request names (absolute-form targets, Host, forwarding
 * headers, CONNECT), it only ever contacts tasks of its table. An "evil" server listens on
 * loopback and must never see a connection.
 */
class NoOpenProxyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static TestUpstream app;
    private static TestUpstream evil;
    private static TestProxy proxy;
    private static String evilAuthority;

    @BeforeAll
    static void start() {
        app = TestUpstream.start("app", req -> Reply.ok("app " + req.uri() + " " + req.header("Host")));
        evil = TestUpstream.start("evil", req -> Reply.ok("evil"));
        evilAuthority = "127.0.0.1:" + evil.port();
        proxy = TestProxy.start(TestProxy.table(TestProxy.app("/app", app)));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        app.close();
        evil.close();
    }

    @AfterEach
    void evilUntouched() {
        assertEquals(0, evil.connections(), "Pacer contacted a host that is not a task of its table");
    }

    private static RawResponse send(String request) throws Exception {
        try (RawHttp raw = proxy.connect()) {
            raw.send(request);
            return raw.readResponse(TIMEOUT);
        }
    }

    @Test
    void hostNamingAnotherMachineIsRoutedByPathOnly() throws Exception {
        RawResponse r = send("GET /app/x HTTP/1.1\r\nHost: " + evilAuthority + "\r\n\r\n");
        assertEquals(200, r.status());
        assertEquals("app /app/x " + evilAuthority, r.bodyText(), "Host passed through, request sent to the task");
        RawResponse other = send("GET /elsewhere/ HTTP/1.1\r\nHost: " + evilAuthority + "\r\n\r\n");
        assertEquals(503, other.status());
        assertNull(other.header(TestUpstream.UPSTREAM_HEADER));
    }

    @Test
    void forwardingHeadersNamingAnotherMachineChangeNothing() throws Exception {
        RawResponse r = send("GET /app/y HTTP/1.1\r\nHost: t\r\nX-Forwarded-Host: " + evilAuthority
                + "\r\nForwarded: host=" + evilAuthority + "\r\nX-Original-URL: http://" + evilAuthority
                + "/\r\nX-Rewrite-URL: /x\r\n\r\n");
        assertEquals("app /app/y t", r.bodyText());
    }

    @Test
    void absoluteFormTargetsAreRoutedByPathOnly() throws Exception {
        for (String scheme : List.of("http", "https", "HTTP")) {
            RawResponse r = send("GET " + scheme + "://" + evilAuthority + "/app/z?q=1 HTTP/1.1\r\nHost: " + evilAuthority
                    + "\r\n\r\n");
            assertEquals(200, r.status(), scheme);
            assertTrue(r.bodyText().startsWith("app /app/z?q=1 "), r.bodyText());
        }
        RawResponse userinfo = send("GET http://user:pw@" + evilAuthority + "/app/u HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals("app /app/u t", userinfo.bodyText());
        RawResponse noPath = send("GET http://" + evilAuthority + " HTTP/1.1\r\nHost: " + evilAuthority + "\r\n\r\n");
        assertEquals(503, noPath.status(), "absolute form without a path is '/', which no app serves");
        RawResponse dots = send("GET http://" + evilAuthority + "/x/../app/d HTTP/1.1\r\nHost: t\r\n\r\n");
        assertEquals("app /app/d t", dots.bodyText());
    }

    @Test
    void otherTargetFormsAndSchemesAreRefused() throws Exception {
        for (String target : List.of(evilAuthority, "ftp://" + evilAuthority + "/app/", "*", "//" + evilAuthority + "/x",
                "gopher://" + evilAuthority + "/app/")) {
            RawResponse r = send("GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(r.status() == 400 || r.status() == 503, () -> target + ": " + r);
            assertNull(r.header(TestUpstream.UPSTREAM_HEADER), target);
        }
        assertEquals(400, send("OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n").status());
    }

    @Test
    void connectIs405ForAnyTargetAndClosed() throws Exception {
        for (String target : List.of(evilAuthority, "/app/x", "http://" + evilAuthority + "/")) {
            try (RawHttp raw = proxy.connect()) {
                raw.send("CONNECT " + target + " HTTP/1.1\r\nHost: " + evilAuthority + "\r\n\r\nGET / HTTP/1.1\r\n\r\n");
                RawResponse r = raw.readResponse(TIMEOUT);
                assertEquals(405, r.status(), target);
                assertTrue(raw.isClosedByPeer(TIMEOUT), "connection left open after CONNECT " + target);
            }
        }
    }

    @Test
    void webSocketUpgradeNamingAnotherHostGoesToTheTaskOnly() throws Exception {
        RawResponse r = send("GET http://" + evilAuthority + "/app/ws HTTP/1.1\r\nHost: " + evilAuthority
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertEquals("app", r.header(TestUpstream.UPSTREAM_HEADER), r::toString);
    }
}
