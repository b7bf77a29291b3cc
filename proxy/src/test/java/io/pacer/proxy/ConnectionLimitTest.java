package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code max_connections}: connections beyond it get a clean 503 and a close, counted; the others are unaffected. */
class ConnectionLimitTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private static RawResponse get(RawHttp raw, String path) throws Exception {
        return raw.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(TIMEOUT);
    }

    @Test
    void connectionsBeyondTheLimitGet503AndAreClosed() throws Exception {
        TestUpstream up = track(TestUpstream.start("up", req -> Reply.ok("ok")));
        TestProxy proxy = track(TestProxy.start(TestProxy.table(TestProxy.app("/app", up)), cfg -> cfg.maxConnections(3)));
        List<RawHttp> admitted = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            RawHttp raw = track(proxy.connect());
            assertEquals(200, get(raw, "/app/" + i).status());
            admitted.add(raw);
        }
        for (int i = 0; i < 5; i++) {
            try (RawHttp refused = proxy.connect()) {
                RawResponse r = get(refused, "/app/refused");
                assertEquals(503, r.status(), r::toString);
                assertTrue(r.headers().containsToken("Connection", "close"), () -> r.headers().toString());
                assertEquals("test-proxy", r.header("X-Proxy"));
                assertNull(r.header(TestUpstream.UPSTREAM_HEADER));
                assertTrue(refused.isClosedByPeer(TIMEOUT), "refused connection left open");
            }
        }
        assertEquals(5, proxy.server().refusedConnections());
        assertEquals(3, up.requestCount(), "a refused connection's request reached the upstream");
        // The admitted connections carry on.
        for (RawHttp raw : admitted) {
            assertEquals(200, get(raw, "/app/again").status());
        }
        // A slot freed is a slot taken again.
        admitted.get(0).close();
        Await.until(TIMEOUT, () -> proxy.server().stats().clientConnections() == 2, "the closed connection to be gone");
        try (RawHttp raw = proxy.connect()) {
            assertEquals(200, get(raw, "/app/after").status());
        }
        assertEquals(5, proxy.server().refusedConnections());
    }

    @Test
    void refusedClientThatSendsNothingStillGetsTheAnswerAndAClose() throws Exception {
        TestUpstream up = track(TestUpstream.start("up", req -> Reply.ok("ok")));
        TestProxy proxy = track(TestProxy.start(TestProxy.table(TestProxy.app("/app", up)), cfg -> cfg.maxConnections(1)));
        RawHttp first = track(proxy.connect());
        assertEquals(200, get(first, "/app/1").status());
        try (RawHttp silent = proxy.connect()) {
            RawResponse r = silent.readResponse(TIMEOUT);
            assertEquals(503, r.status());
            assertTrue(silent.isClosedByPeer(TIMEOUT));
        }
    }

    @Test
    void noLimitByDefault() throws Exception {
        TestUpstream up = track(TestUpstream.start("up", req -> Reply.ok("ok")));
        TestProxy proxy = track(TestProxy.start(TestProxy.table(TestProxy.app("/app", up))));
        for (int i = 0; i < 50; i++) {
            assertEquals(200, get(track(proxy.connect()), "/app/" + i).status());
        }
        assertEquals(0, proxy.server().refusedConnections());
    }
}
