package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.RecordedRequest;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestHttpClients;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Path-prefix routing, redirects, 503s, request targets and connection handling, over real sockets. */
class RoutingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** For answers that come at once when all is well (keeps a failing class quick). */
    private static final Duration SHORT = Duration.ofSeconds(3);
    private static final HttpClient CLIENT = TestHttpClients.http11(TIMEOUT);

    @RegisterExtension
    final Closer open = new Closer();

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    /** An upstream answering {@code <name> <target>}, tagged with {@code X-Upstream: <name>}. */
    private TestUpstream upstream(String name) {
        return track(TestUpstream.start(name, req -> Reply.ok(name + " " + req.uri())));
    }

    private TestProxy proxy(App... apps) {
        return track(TestProxy.start(TestProxy.table(apps)));
    }

    private RawHttp connect(TestProxy proxy) throws Exception {
        return track(proxy.connect());
    }

    private static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: pacer.test\r\n\r\n";
    }

    private static RawResponse exchange(RawHttp raw, String target) throws Exception {
        raw.send(get(target));
        return raw.readResponse(TIMEOUT);
    }

    /** One request on a connection of its own, so each routing decision is checked on its own. */
    private static RawResponse fetch(TestProxy proxy, String target) throws Exception {
        try (RawHttp raw = proxy.connect()) {
            return exchange(raw, target);
        }
    }

    private static void assertServedBy(RawResponse r, String upstream, String target) {
        assertEquals(200, r.status(), () -> target + ": " + r + " " + r.bodyText());
        assertEquals(upstream, r.header(TestUpstream.UPSTREAM_HEADER), target);
        assertEquals(upstream + " " + target, r.bodyText(), target);
    }

    private static void assertPacerAnswer(RawResponse r, int status, String what) {
        assertEquals(status, r.status(), () -> what + ": " + r + " " + r.bodyText());
        assertEquals(null, r.header(TestUpstream.UPSTREAM_HEADER), what + " must be Pacer's own answer");
        assertEquals("test-proxy", r.header("X-Proxy"), what);
    }

    // ---- prefixes ----------------------------------------------------------------------------

    @Test
    void appIsServedUnderItsIdAsPathPrefix() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));
        RawHttp raw = connect(proxy);

        assertServedBy(exchange(raw, "/hello-world/x"), "hello", "/hello-world/x");
        assertServedBy(exchange(raw, "/hello-world/"), "hello", "/hello-world/");
        assertServedBy(exchange(raw, "/hello-world/a/b/c.html"), "hello", "/hello-world/a/b/c.html");

        assertEquals("/hello-world/x", hello.takeRequest(TIMEOUT).uri());
        assertEquals("/hello-world/", hello.takeRequest(TIMEOUT).uri());
        assertEquals("/hello-world/a/b/c.html", hello.takeRequest(TIMEOUT).uri());
    }

    @Test
    void longestPrefixWinsForNestedApps() throws Exception {
        TestUpstream shop = upstream("shop");
        TestUpstream cart = upstream("cart");
        // The nested app is added first and second, to show the order of the apps does not matter.
        TestProxy proxy = proxy(TestProxy.app("/shop/cart", cart), TestProxy.app("/shop", shop));

        assertServedBy(fetch(proxy, "/shop/cart/x"), "cart", "/shop/cart/x");
        assertServedBy(fetch(proxy, "/shop/cart/"), "cart", "/shop/cart/");
        assertServedBy(fetch(proxy, "/shop/cart/a/b?c=/shop/"), "cart", "/shop/cart/a/b?c=/shop/");
        assertServedBy(fetch(proxy, "/shop/cartx"), "shop", "/shop/cartx");
        assertServedBy(fetch(proxy, "/shop/cartx/y"), "shop", "/shop/cartx/y");
        assertServedBy(fetch(proxy, "/shop/x/cart/"), "shop", "/shop/x/cart/");
        assertServedBy(fetch(proxy, "/shop/"), "shop", "/shop/");
        assertServedBy(fetch(proxy, "/shop/?next=/shop/cart/"), "shop", "/shop/?next=/shop/cart/");

        RawResponse redirect = fetch(proxy, "/shop/cart");
        assertPacerAnswer(redirect, 301, "/shop/cart");
        assertEquals("/shop/cart/", redirect.header("Location"));

        assertEquals(3, cart.requestCount());
        assertEquals(5, shop.requestCount());
    }

    @Test
    void prefixMatchesWholeSegmentsOnly() throws Exception {
        TestUpstream api = upstream("api");
        TestProxy proxy = proxy(TestProxy.app("/api", api));

        assertPacerAnswer(fetch(proxy, "/apix"), 503, "/apix");
        assertPacerAnswer(fetch(proxy, "/apix/y"), 503, "/apix/y");
        assertPacerAnswer(fetch(proxy, "/ap"), 503, "/ap");
        assertPacerAnswer(fetch(proxy, "/apix?x=/api/"), 503, "/apix?x=/api/");
        assertServedBy(fetch(proxy, "/api/x"), "api", "/api/x");

        assertEquals(1, api.requestCount(), "only /api/x reaches the app: " + api.requests());
    }

    @Test
    void prefixWithoutItsSlashIsRedirectedWithTheQueryKept() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));

        RawResponse plain = fetch(proxy, "/hello-world");
        assertPacerAnswer(plain, 301, "/hello-world");
        assertEquals("/hello-world/", plain.header("Location"));

        RawResponse withQuery = fetch(proxy, "/hello-world?a=1&b=2");
        assertPacerAnswer(withQuery, 301, "/hello-world?a=1&b=2");
        assertEquals("/hello-world/?a=1&b=2", withQuery.header("Location"));

        assertEquals(0, hello.connections(), "a redirect never contacts the app");
    }

    @Test
    void unknownPathIs503() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));

        for (String target : List.of("/unknown/", "/", "/hello", "/hello-worldx/", "/HELLO-WORLD/x", "/x/hello-world/")) {
            assertPacerAnswer(fetch(proxy, target), 503, target);
        }
        assertEquals(0, hello.connections(), "no unknown path may reach the app");
    }

    @Test
    void appWithNoTasksIs503() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/empty"), TestProxy.app("/hello-world", hello));

        assertPacerAnswer(fetch(proxy, "/empty/x"), 503, "/empty/x");
        assertPacerAnswer(fetch(proxy, "/empty/"), 503, "/empty/");
        assertPacerAnswer(fetch(proxy, "/empty"), 503, "/empty (no redirect to an app that cannot serve)");
        assertServedBy(fetch(proxy, "/hello-world/x"), "hello", "/hello-world/x");
    }

    @Test
    void connectionStaysUsableAfterA503() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));
        RawHttp raw = connect(proxy);

        RawResponse first = exchange(raw, "/unknown/");
        assertPacerAnswer(first, 503, "/unknown/");
        assertFalse(first.headers().containsToken("Connection", "close"), "a 503 to a bodiless request keeps the connection");
        // The next request on the same connection, sent after the 503 arrived.
        raw.send(get("/hello-world/after-503"));
        assertServedBy(raw.readResponse(SHORT), "hello", "/hello-world/after-503");
    }

    @Test
    void connectionStaysUsableAfterA301() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));
        RawHttp raw = connect(proxy);

        RawResponse first = exchange(raw, "/hello-world");
        assertPacerAnswer(first, 301, "/hello-world");
        assertFalse(first.headers().containsToken("Connection", "close"), "a 301 to a bodiless request keeps the connection");
        raw.send(get("/hello-world/after-301"));
        assertServedBy(raw.readResponse(SHORT), "hello", "/hello-world/after-301");
    }

    @Test
    void pathAndQueryAreForwardedUnchanged() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));
        RawHttp raw = connect(proxy);

        List<String> targets = List.of(
                "/hello-world/a%20b/c;v=1;w=2?q=%2F%3F&x=a+b&empty=&flag",
                "/hello-world/%E2%82%AC/%25/x%2Fy/%3B",
                "/hello-world/x//y///?a=1&a=2&a=3",
                "/hello-world/?",
                "/hello-world/~user/!$&'()*+,;=:@/x?k=v;w&z=%00",
                "/hello-world/x?q=/shop/cart/?and?more");
        for (String target : targets) {
            assertServedBy(exchange(raw, target), "hello", target);
            RecordedRequest seen = hello.takeRequest(TIMEOUT);
            assertEquals(target, seen.uri());
            assertEquals("GET", seen.method());
        }
    }

    @Test
    void roundRobinSharesRequestsEvenlyAcrossTasks() throws Exception {
        TestUpstream a = upstream("a");
        TestUpstream b = upstream("b");
        TestUpstream c = upstream("c");
        TestProxy proxy = proxy(TestProxy.app("/rr", a, b, c));

        int rounds = 10;
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3 * rounds; i++) {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(proxy.uri("/rr/" + i)).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r::body);
            String name = r.headers().firstValue(TestUpstream.UPSTREAM_HEADER).orElseThrow();
            assertEquals(name + " /rr/" + i, r.body());
            order.add(name);
        }
        Map<String, Integer> counts = new HashMap<>();
        order.forEach(n -> counts.merge(n, 1, Integer::sum));
        assertEquals(Map.of("a", rounds, "b", rounds, "c", rounds), counts, "answers by task: " + order);
        // Strict rotation: any three consecutive requests hit the three tasks.
        for (int i = 0; i + 3 <= order.size(); i++) {
            assertEquals(3, new HashSet<>(order.subList(i, i + 3)).size(), "rotation broken at " + i + ": " + order);
        }
        assertEquals(rounds, a.requestCount());
        assertEquals(rounds, b.requestCount());
        assertEquals(rounds, c.requestCount());
    }

    @Test
    void absoluteFormTargetIsRoutedByPathAndNeverContactsTheNamedHost() throws Exception {
        TestUpstream hello = upstream("hello");
        TestUpstream evil = upstream("evil"); // listening, but in no app
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));
        RawHttp raw = connect(proxy);

        raw.send("GET http://evil.example/hello-world/x HTTP/1.1\r\nHost: evil.example\r\n\r\n");
        RawResponse r = raw.readResponse(TIMEOUT);
        assertEquals(200, r.status(), r::toString);
        assertEquals("hello", r.header(TestUpstream.UPSTREAM_HEADER));
        assertEquals("/hello-world/x", hello.takeRequest(TIMEOUT).uri());

        String evilAuthority = "127.0.0.1:" + evil.port();
        raw.send("GET http://" + evilAuthority + "/hello-world/y?z=1 HTTP/1.1\r\nHost: " + evilAuthority + "\r\n\r\n");
        r = raw.readResponse(TIMEOUT);
        assertEquals(200, r.status(), r::toString);
        assertEquals("hello", r.header(TestUpstream.UPSTREAM_HEADER));
        assertEquals("/hello-world/y?z=1", hello.takeRequest(TIMEOUT).uri());

        // A path no app serves is 503 even though the named host would answer it.
        raw.send("GET http://" + evilAuthority + "/other/ HTTP/1.1\r\nHost: " + evilAuthority + "\r\n\r\n");
        assertPacerAnswer(raw.readResponse(TIMEOUT), 503, "absolute-form /other/");

        assertEquals(0, evil.connections(), "Pacer connected to the host named in the request target");
        assertEquals(2, hello.requestCount());
    }

    @Test
    void connectIs405AndNeverTunnels() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));

        String authority = "127.0.0.1:" + hello.port();
        try (RawHttp raw = proxy.connect()) {
            raw.send("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n\r\n");
            assertPacerAnswer(raw.readResponse(TIMEOUT), 405, "CONNECT authority");
            assertTrue(raw.isClosedByPeer(TIMEOUT), "connection left open after refusing CONNECT");
        }
        try (RawHttp raw = proxy.connect()) {
            raw.send("CONNECT /hello-world/x HTTP/1.1\r\nHost: pacer.test\r\n\r\n");
            assertPacerAnswer(raw.readResponse(TIMEOUT), 405, "CONNECT to a routed path");
        }
        assertEquals(0, hello.connections());
    }

    // ---- connections ---------------------------------------------------------------------------

    @Test
    void keepAliveServesManyRequestsOverOneUpstreamConnection() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));
        RawHttp raw = connect(proxy);

        int n = 6;
        for (int i = 1; i <= n; i++) {
            RawResponse r = exchange(raw, "/hello-world/" + i);
            assertServedBy(r, "hello", "/hello-world/" + i);
            assertFalse(r.headers().containsToken("Connection", "close"), "Connection: close on a keep-alive answer");
        }
        List<RecordedRequest> seen = hello.requests();
        assertEquals(n, seen.size());
        for (int i = 0; i < n; i++) {
            assertEquals("/hello-world/" + (i + 1), seen.get(i).uri());
            assertEquals(seen.get(0).connection(), seen.get(i).connection(), "upstream connection not reused: " + seen);
            assertEquals(i + 1, seen.get(i).sequence(), () -> "sequence on the upstream connection: " + seen);
        }
        assertEquals(1, hello.connections());
    }

    @Test
    void http10RequestWithoutKeepAliveIsAnsweredThenClosed() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));
        RawHttp raw = connect(proxy);

        raw.send("GET /hello-world/old HTTP/1.0\r\n\r\n");
        RawResponse r = raw.readResponse(TIMEOUT);
        assertServedBy(r, "hello", "/hello-world/old");
        assertTrue(raw.isClosedByPeer(TIMEOUT), "HTTP/1.0 without keep-alive must be closed after the answer");
        RecordedRequest seen = hello.takeRequest(TIMEOUT);
        assertEquals("/hello-world/old", seen.uri());
    }

    @Test
    void http10RequestWithKeepAliveStaysOpen() throws Exception {
        TestUpstream hello = upstream("hello");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello));
        RawHttp raw = connect(proxy);

        for (int i = 0; i < 2; i++) {
            raw.send("GET /hello-world/ka" + i + " HTTP/1.0\r\nHost: pacer.test\r\nConnection: keep-alive\r\n\r\n");
            RawResponse r = raw.readResponse(TIMEOUT);
            assertServedBy(r, "hello", "/hello-world/ka" + i);
            assertTrue(r.headers().containsToken("Connection", "keep-alive"), () -> "headers: " + r.headers());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        TestUpstream hello = track(TestUpstream.start("hello", req -> {
            Reply reply = Reply.ok("hello " + req.uri());
            // The first answer is the slowest: a proxy answering out of order would show it.
            return req.uri().endsWith("/1") ? reply.delayed(Duration.ofMillis(150)) : reply;
        }));
        TestUpstream shop = upstream("shop");
        TestProxy proxy = proxy(TestProxy.app("/hello-world", hello), TestProxy.app("/shop", shop));
        RawHttp raw = connect(proxy);

        raw.send(get("/hello-world/1") + get("/unknown/") + get("/hello-world") + get("/shop/2")
                + "HEAD /hello-world/3 HTTP/1.1\r\nHost: pacer.test\r\n\r\n" + get("/hello-world/4"));

        assertServedBy(raw.readResponse(TIMEOUT), "hello", "/hello-world/1");
        assertPacerAnswer(raw.readResponse(TIMEOUT), 503, "pipelined /unknown/");
        RawResponse redirect = raw.readResponse(TIMEOUT);
        assertPacerAnswer(redirect, 301, "pipelined /hello-world");
        assertEquals("/hello-world/", redirect.header("Location"));
        assertServedBy(raw.readResponse(TIMEOUT), "shop", "/shop/2");
        RawResponse head = raw.readResponseToHead(TIMEOUT);
        assertEquals(200, head.status());
        assertEquals(String.valueOf(("hello /hello-world/3").length()), head.header("Content-Length"));
        assertServedBy(raw.readResponse(TIMEOUT), "hello", "/hello-world/4");

        List<String> uris = new ArrayList<>();
        hello.requests().forEach(r -> uris.add(r.method() + " " + r.uri()));
        assertEquals(List.of("GET /hello-world/1", "HEAD /hello-world/3", "GET /hello-world/4"), uris);
    }

    @Test
    void routeTableSwapAppliesToTheNextRequestOnAnOpenConnection() throws Exception {
        TestUpstream one = upstream("one");
        TestUpstream two = upstream("two");
        TestProxy proxy = proxy(TestProxy.app("/app", one));
        RawHttp raw = connect(proxy);

        assertServedBy(exchange(raw, "/app/x"), "one", "/app/x");
        RouteTable next = TestProxy.table(TestProxy.app("/app", two));
        proxy.routes(next);
        RawResponse r = exchange(raw, "/app/y");
        assertServedBy(r, "two", "/app/y");
        assertNotEquals(0, two.requestCount());
        Set<String> ones = new HashSet<>();
        one.requests().forEach(q -> ones.add(q.uri()));
        assertEquals(Set.of("/app/x"), ones);
    }
}
