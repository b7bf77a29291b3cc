package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.Task;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Upstream faults not covered by UpstreamFailuresTest and RetriesTest. */
class UpstreamFaultsFrontDoorTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void garbageResponseHeadToAPostIs502AndNotReplayed() throws Exception {
        try (TestUpstream a = TestUpstream.garbage("a"); TestUpstream b = TestUpstream.garbage("b");
             TestProxy proxy = TestProxy.start(TestProxy.table(TestProxy.app("/app", a, b)));
             RawHttp raw = proxy.connect()) {
            RawResponse r = raw.send("POST /app/x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello")
                    .readResponse(TIMEOUT);
            assertEquals(502, r.status(), r::toString);
            assertEquals("test-proxy", r.header("X-Proxy"));
            assertEquals(1, a.requestCount() + b.requestCount(), "a POST that reached a task was replayed");
            // The GET after it, idempotent, is tried on both.
            RawResponse g = raw.send("GET /app/y HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(502, g.status(), g::toString);
            assertEquals(3, a.requestCount() + b.requestCount());
        }
    }

    @Test
    void taskAnswering500PlusTasksDownGivesWellFormedAnswers() throws Exception {
        try (TestUpstream failing = TestUpstream.start("failing", req -> Reply.status(500, "boom"))) {
            int down1 = TestUpstream.refusing();
            int down2 = TestUpstream.refusing();
            App app = new App("/app", List.of("/app"), List.of(new Task("app.failing", "127.0.0.1", failing.port()),
                    new Task("app.d1", "127.0.0.1", down1), new Task("app.d2", "127.0.0.1", down2)));
            App allDown = TestProxy.app("/down", List.of("/down"), down1, down2);
            try (TestProxy proxy = TestProxy.start(TestProxy.table(app, allDown)); RawHttp raw = proxy.connect()) {
                for (int i = 0; i < 12; i++) {
                    String path = i % 2 == 0 ? "/app/" + i : "/down/" + i;
                    boolean head = i % 3 == 0;
                    raw.send((head ? "HEAD " : "GET ") + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
                    RawResponse r = head ? raw.readResponseToHead(TIMEOUT) : raw.readResponse(TIMEOUT);
                    if (head) {
                        // a head only: a body after it would break the next read
                        assertTrue(path.startsWith("/app/") ? r.status() == 500 || r.status() == 502 : r.status() == 502,
                                r::toString);
                    } else if (path.startsWith("/app/")) {
                        // The 500 task's own answer when it was tried last, else 502 (the last attempt was refused).
                        assertTrue(r.status() == 500 || r.status() == 502, r::toString);
                        assertEquals(r.status() == 500 ? "boom" : r.bodyText(), r.bodyText());
                        assertTrue(r.status() == 500 || r.bodyText().contains("502 Bad Gateway"), r::bodyText);
                    } else {
                        assertEquals(502, r.status(), r::toString);
                        assertEquals("test-proxy", r.header("X-Proxy"));
                        assertTrue(r.bodyText().contains("502 Bad Gateway"));
                    }
                    assertEquals("test-proxy", r.header("X-Proxy"), path);
                }
            }
        }
    }
}
