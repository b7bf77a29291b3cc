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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Routing decisions use the normalized path (see {@code RequestPaths}), and the upstream receives
 * exactly that path with the original query: no spelling reaches an app through another app's prefix.
 */
class PathRoutingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static TestUpstream pub;
    private static TestUpstream admin;
    private static TestUpstream hello;
    private static TestProxy proxy;

    @BeforeAll
    static void start() {
        pub = TestUpstream.start("public", req -> Reply.ok("public " + req.uri()));
        admin = TestUpstream.start("admin", req -> Reply.ok("admin " + req.uri()));
        hello = TestUpstream.start("hello", req -> Reply.ok("hello " + req.uri()));
        proxy = TestProxy.start(TestProxy.table(TestProxy.app("/public", pub), TestProxy.app("/admin", admin),
                TestProxy.app("/hello-world", hello)));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        pub.close();
        admin.close();
        hello.close();
    }

    private static RawResponse get(String target) throws Exception {
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET " + target + " HTTP/1.1\r\nHost: pacer.test\r\n\r\n");
            return raw.readResponse(TIMEOUT);
        }
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "/%68ello-world/                 | hello  | /hello-world/",
        "/%68ello-world/x?q=%68          | hello  | /hello-world/x?q=%68",
        "/public/../admin/x              | admin  | /admin/x",
        "/public/../admin/x?a=/../b      | admin  | /admin/x?a=/../b",
        "/public/%2e%2e/admin/x          | admin  | /admin/x",
        "/public/%2E%2E/admin/x          | admin  | /admin/x",
        "/admin/../public/x              | public | /public/x",
        "/public/./x/../y                | public | /public/y",
        "/hello-world/a/./b/../c         | hello  | /hello-world/a/c",
        "/public/..%2Fadmin/x            | public | /public/..%2Fadmin/x",
        "/public/%2F../admin/x           | public | /public/%2F../admin/x",
        "/public/a%2Fb/%7Euser            | public | /public/a%2Fb/~user",
        "/x/../public/                    | public | /public/",
    })
    void routesAndForwardsTheNormalizedPath(String target, String app, String forwarded) throws Exception {
        RawResponse r = get(target);
        assertEquals(200, r.status(), () -> target + ": " + r + " " + r.bodyText());
        assertEquals(app + " " + forwarded, r.bodyText(), target);
        assertEquals(app, r.header(TestUpstream.UPSTREAM_HEADER));
    }

    @ParameterizedTest(name = "{0} -> 503")
    @ValueSource(strings = {"/public%2Fx", "/admin%2F", "/%61dmin%2Fx/", "/public%5Cx/", "/x/..", "/"})
    void encodedSlashIsNotASeparator(String target) throws Exception {
        RawResponse r = get(target);
        assertEquals(503, r.status(), () -> target + ": " + r);
        assertNull(r.header(TestUpstream.UPSTREAM_HEADER));
    }

    @ParameterizedTest(name = "{0} -> 301 {1}")
    @CsvSource(delimiter = '|', value = {
        "/%68ello-world          | /hello-world/",
        "/public/../admin?x=1    | /admin/?x=1",
        "/admin/.                | /admin/",
    })
    void redirectsUseTheNormalizedPath(String target, String location) throws Exception {
        RawResponse r = get(target);
        if (location.endsWith("/") && target.endsWith("/.")) {
            // "/admin/." normalizes to the prefix itself: served, not redirected
            assertEquals(200, r.status(), r::toString);
            assertEquals("admin /admin/", r.bodyText());
            return;
        }
        assertEquals(301, r.status(), () -> target + ": " + r);
        assertEquals(location, r.header("Location"));
    }

    @ParameterizedTest(name = "{0} -> 400")
    @ValueSource(strings = {"/../admin/x", "/public/../../admin/x", "/public/%2e%2e/%2e%2e/admin/", "/public\\..\\admin/x",
        "/public/%zz", "/public/%2"})
    void refusedAndClosed(String target) throws Exception {
        int before = pub.requestCount() + admin.requestCount() + hello.requestCount();
        try (RawHttp raw = proxy.connect()) {
            raw.send("GET " + target + " HTTP/1.1\r\nHost: pacer.test\r\n\r\n");
            RawResponse r = raw.readResponse(TIMEOUT);
            assertEquals(400, r.status(), () -> target + ": " + r);
            assertTrue(raw.isClosedByPeer(TIMEOUT), target);
        }
        assertEquals(before, pub.requestCount() + admin.requestCount() + hello.requestCount(), target);
    }
}
