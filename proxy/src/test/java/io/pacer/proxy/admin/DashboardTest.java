package io.pacer.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pacer.core.App;
import io.pacer.core.FailurePolicy;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.core.TaskStates;
import io.pacer.proxy.metrics.AppTotals;
import io.pacer.proxy.testing.TestHttpClients;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The dashboard's data ({@code /v1/dashboard}), its live events, its files and its cookie, over a real socket. */
class DashboardTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "0f9e8d7c6b5a4f3e2d1c";

    private final AdminApiTest.FakeDiscovery discovery = new AdminApiTest.FakeDiscovery();
    private final AtomicReference<Map<String, AppTotals>> totals = new AtomicReference<>(Map.of());
    private final HttpClient client = TestHttpClients.http11(TIMEOUT);
    private AdminServer server;

    @BeforeEach
    void start() throws Exception {
        App web = new App("/web", List.of("/web/", "/www/"), List.of(new Task("web.1", "10.0.0.1", 8001)));
        App idle = new App("/idle", List.of("/idle/"), List.of());
        discovery.table = RouteTable.builder(7).add(web).build();
        discovery.apps = List.of(web, idle);
        discovery.endpoints = List.of(new AdminApi.Endpoint("http://m1:8080", true, "OK"));
        discovery.lastSync = Instant.now();
        Dashboard dashboard = new Dashboard(discovery, () -> null, totals::get, () -> null, Clock.systemUTC(), null);
        AdminApi api = new AdminApi("dash", "", discovery, () -> "", () -> null, Clock.systemUTC(), null, dashboard);
        server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), api, TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path))
                .timeout(TIMEOUT);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = request(path);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String cookie() throws Exception {
        HttpResponse<String> login = get("/ui/?token=" + TOKEN);
        String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void theSnapshotListsAppsTasksAndTheSync() throws Exception {
        HttpResponse<String> r = get("/v1/dashboard", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(7, body.get("version").asLong());
        assertEquals("marathon [http://marathon.test:8080]", body.get("source").asText());
        assertTrue(body.get("notReady").isNull());
        assertEquals("http://m1:8080", body.get("sync").get("endpoints").get(0).get("url").asText());
        JsonNode web = body.get("apps").get(0);
        assertEquals("/web", web.get("id").asText());
        assertEquals(List.of("/web/", "/www/"), List.of(web.get("prefixes").get(0).asText(), web.get("prefixes").get(1).asText()));
        assertEquals("www", web.get("hosts").get(1).asText());
        assertEquals("10.0.0.1:8001", web.get("tasks").get(0).get("address").asText());
        assertEquals("healthy", web.get("tasks").get(0).get("state").asText());
        assertTrue(web.get("requestsPerSecond").isNull(), "no rate from a single reading");
        assertEquals(0, body.get("apps").get(1).get("tasks").size(), "an app with no task is listed too");
    }

    @Test
    void ratesComeFromTwoReadings() {
        Dashboard dashboard = new Dashboard(discovery, () -> null, totals::get, () -> "draining", Clock.systemUTC(), null);
        Dashboard.Sampler sampler = dashboard.sampler();
        totals.set(Map.of("/web", new AppTotals(100, 10, 1)));
        sampler.next();
        totals.set(Map.of("/web", new AppTotals(140, 20, 5)));
        JsonNode web = read(sampler.next()).get("apps").get(0);
        assertEquals(0.25, web.get("errorRatio").asDouble(), 1e-9, "10 of 40 requests");
        assertTrue(web.get("requestsPerSecond").asDouble() > 0);
        assertTrue(web.get("retriesPerSecond").asDouble() > 0);
        // Counters reset (an app that left the table and came back) read as zero, not negative.
        totals.set(Map.of("/web", new AppTotals(3, 0, 0)));
        assertEquals(0.0, read(sampler.next()).get("apps").get(0).get("requestsPerSecond").asDouble());
        assertEquals("draining", read(sampler.next()).get("notReady").asText());
    }

    /** The data plane's failure memory shows on each task: failing after a failure, marked at max_fails. */
    @Test
    void tasksShowTheirFailureState() {
        Task healthy = new Task("web.1", "10.0.0.1", 8001);
        Task failing = new Task("web.2", "10.0.0.2", 8001);
        Task marked = new Task("web.3", "10.0.0.3", 8001);
        App web = new App("/web", List.of("/web/"), List.of(healthy, failing, marked));
        discovery.table = RouteTable.builder(9).add(web).build();
        discovery.apps = List.of(web);
        FailurePolicy policy = FailurePolicy.of(2, Duration.ofSeconds(30));
        TaskStates states = new TaskStates(policy);
        states.retainOnly(discovery.table.tasks());
        long now = System.nanoTime();
        states.get(failing).failed(now, policy);
        states.get(marked).failed(now, policy);
        states.get(marked).failed(now, policy);
        Dashboard dashboard = new Dashboard(discovery, () -> null, totals::get, () -> null, Clock.systemUTC(), states);
        JsonNode tasks = read(dashboard.sampler().next()).get("apps").get(0).get("tasks");
        assertEquals(List.of("healthy", "failing", "marked"),
                List.of(tasks.get(0).get("state").asText(), tasks.get(1).get("state").asText(),
                        tasks.get(2).get("state").asText()));
    }

    @Test
    void eventsStreamTheStateAndFollowTableChanges() throws Exception {
        HttpResponse<Stream<String>> r = client.send(request(DashboardEvents.PATH).header("Cookie", cookie()).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, r.statusCode());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("content-type").orElse(null));
        assertEquals("no-cache", r.headers().firstValue("cache-control").orElse(null));
        try (Stream<String> lines = r.body()) {
            Iterator<String> it = lines.iterator();
            assertEquals("retry: 2000", it.next());
            JsonNode first = nextState(it);
            assertEquals(7, first.get("version").asLong());
            discovery.table = RouteTable.builder(8).add(discovery.apps.get(0)).build();
            JsonNode next = nextState(it);
            assertEquals(8, next.get("version").asLong(), "the next event, a second later, has the new table");
            assertFalse(next.get("apps").get(0).get("requestsPerSecond").isNull(), "rates from the second event on");
        }
    }

    private static JsonNode nextState(Iterator<String> lines) throws Exception {
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.equals("event: state")) {
                String data = lines.next();
                assertTrue(data.startsWith("data: {"), data);
                return JSON.readTree(data.substring("data: ".length()));
            }
        }
        throw new AssertionError("the stream ended");
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new AssertionError(json, e);
        }
    }

    @Test
    void thePageAndItsFilesAreServedWithAStrictContentPolicy() throws Exception {
        String cookie = cookie();
        HttpResponse<String> page = get("/ui/", "Cookie", cookie);
        assertEquals(200, page.statusCode(), page.body());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("content-type").orElse(null));
        assertTrue(page.body().contains("<script src=\"app.js\" defer></script>"), page.body());
        assertTrue(page.headers().firstValue("content-security-policy").orElse("").startsWith("default-src 'self'"));
        HttpResponse<String> js = get("/ui/app.js", "Cookie", cookie);
        assertEquals("text/javascript; charset=utf-8", js.headers().firstValue("content-type").orElse(null));
        assertTrue(js.body().contains("new EventSource(\"/v1/dashboard/events\")"));
        assertFalse(js.body().contains("innerHTML"), "server data goes in as text only");
        assertEquals("text/css; charset=utf-8", get("/ui/style.css", "Cookie", cookie).headers()
                .firstValue("content-type").orElse(null));
        assertEquals(404, get("/ui/secret.txt", "Cookie", cookie).statusCode());
        HttpResponse<String> bare = get("/ui", "Cookie", cookie);
        assertEquals(301, bare.statusCode());
        assertEquals("/ui/", bare.headers().firstValue("location").orElse(null));
        HttpResponse<String> post = client.send(request("/ui/").header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void theTokenInTheAddressBecomesAnHttpOnlyCookieForTheDashboardOnly() throws Exception {
        HttpResponse<String> login = get("/ui/?token=" + TOKEN);
        assertEquals(303, login.statusCode());
        assertEquals("/ui/", login.headers().firstValue("location").orElse(null));
        String setCookie = login.headers().firstValue("set-cookie").orElseThrow();
        assertTrue(setCookie.startsWith(AdminAuth.COOKIE + "="), setCookie);
        assertTrue(setCookie.endsWith("; Path=/; HttpOnly; SameSite=Strict"), setCookie);
        assertFalse(setCookie.contains(TOKEN), "the cookie holds a digest, not the token: " + setCookie);
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        assertEquals(200, get("/v1/dashboard", "Cookie", cookie).statusCode());
        assertEquals(401, get("/v1/config", "Cookie", cookie).statusCode(), "the cookie opens the dashboard only");
        assertEquals(401, get("/v1/dashboard", "Cookie", AdminAuth.COOKIE + "=forged").statusCode());
        assertEquals(401, get("/ui/").statusCode());
        HttpResponse<String> wrong = get("/ui/?token=not-the-token-at-all");
        assertEquals(401, wrong.statusCode());
        assertNull(wrong.headers().firstValue("set-cookie").orElse(null));
        assertEquals("wrong admin token\n", wrong.body());
    }
}
