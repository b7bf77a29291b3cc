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
import io.pacer.proxy.BuildInfo;
import io.pacer.proxy.Pacer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link AdminApi} as a function: Nixy's shapes for every admin path, without sockets. */
class AdminApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2024-05-06T07:08:09Z");
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    /** A discovery whose every answer the test sets. */
    static class FakeDiscovery implements AdminApi.Discovery {
        String source = "marathon [http://marathon.test:8080]";
        RouteTable table = RouteTable.empty();
        List<App> apps = List.of();
        Map<String, Map<String, Object>> details = Map.of();
        List<AdminApi.Endpoint> endpoints = List.of();
        Instant lastSync;
        String syncProblem;
        boolean resyncAccepted = true;
        final AtomicInteger resyncRequests = new AtomicInteger();

        @Override
        public String source() {
            return source;
        }

        @Override
        public RouteTable table() {
            return table;
        }

        @Override
        public List<App> apps() {
            return apps;
        }

        @Override
        public Map<String, Map<String, Object>> details() {
            return details;
        }

        @Override
        public List<AdminApi.Endpoint> endpoints() {
            return endpoints;
        }

        @Override
        public Instant lastSync() {
            return lastSync;
        }

        @Override
        public String syncProblem() {
            return syncProblem;
        }

        @Override
        public boolean requestResync() {
            resyncRequests.incrementAndGet();
            return resyncAccepted;
        }
    }

    /** A clock that stands still until the test moves it. */
    static final class StepClock extends Clock {
        private volatile Instant now;

        StepClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final FakeDiscovery discovery = new FakeDiscovery();
    private String notReady;
    private String metricsText = "# HELP pacer_up Whether Pacer runs.\n# TYPE pacer_up gauge\npacer_up 1.0\n";

    private AdminApi api(Clock clock) {
        return new AdminApi("proxy-7", "public", discovery, () -> metricsText, () -> notReady, clock);
    }

    private AdminApi api() {
        return api(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private static JsonNode json(AdminApi.Answer a) throws Exception {
        assertEquals("application/json", a.contentType(), a.body());
        return JSON.readTree(a.body());
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static Task task(String id, String host, int port) {
        return new Task(id, host, port);
    }

    // ---- / -------------------------------------------------------------------------------------

    @Test
    void rootAnswersNixysVersionText() {
        AdminApi.Answer a = api().handle("GET", "/");
        assertEquals(200, a.status());
        assertTrue(a.contentType().startsWith("text/plain"), a.contentType());
        assertTrue(a.body().startsWith("version: " + BuildInfo.CURRENT.version() + "\n"), a.body());
        assertTrue(a.body().contains("\ncommit: "), a.body());
        assertTrue(a.body().contains("\ndate: "), a.body());
    }

    /** The build writes build.properties; a build inside a git checkout knows its commit. */
    @Test
    void rootNamesTheCommitAndDateOfTheBuild() {
        String body = api().handle("GET", "/").body();
        assertTrue(body.matches("version: \\S+\ncommit: ([0-9a-f]{7,40}|unknown)\ndate: \\d{4}-\\d\\d-\\d\\dT\\S+Z\n"), body);
        assertFalse(body.startsWith("version: dev\n"), "build.properties is on the class path: " + body);
        if (Files.isDirectory(Path.of("..", ".git")) || Files.isRegularFile(Path.of("..", ".git"))) {
            assertFalse(body.contains("commit: unknown"), "built in a git checkout: " + body);
        }
    }

    // ---- /v1/health ----------------------------------------------------------------------------

    @Test
    void healthIs200WithNixysKeysWhenReady() throws Exception {
        discovery.endpoints = List.of(new AdminApi.Endpoint("http://m1:8080", true, "OK"));
        AdminApi.Answer a = api().handle("GET", "/v1/health");
        assertEquals(200, a.status(), a.body());
        JsonNode body = json(a);
        assertEquals(List.of("Config", "Template", "Endpoints"), fieldNames(body).subList(0, 3),
                "Nixy's keys first, in Nixy's order: " + a.body());
        assertTrue(body.get("Config").get("Healthy").asBoolean());
        assertTrue(body.get("Config").has("Message"));
        assertTrue(body.get("Template").get("Healthy").asBoolean());
        assertTrue(body.get("Template").has("Message"));
        JsonNode endpoints = body.get("Endpoints");
        assertEquals(1, endpoints.size());
        assertEquals("http://m1:8080", endpoints.get(0).get("Endpoint").asText());
        assertTrue(endpoints.get(0).get("Healthy").asBoolean());
        assertEquals("OK", endpoints.get(0).get("Message").asText());
        assertTrue(body.get("Ready").get("Healthy").asBoolean());
    }

    @Test
    void aDiscoveryThatCannotSyncShowsInTheBodyAndKeepsServing() throws Exception {
        discovery.endpoints = List.of(new AdminApi.Endpoint("http://m1:8080", true, "OK"));
        AdminApi.Answer ok = api().handle("GET", "/v1/health");
        assertTrue(json(ok).get("Sync").get("Healthy").asBoolean(), ok.body());

        discovery.syncProblem = "the last sync failed (answer larger than 134217728 bytes); keeping routes v7";
        AdminApi.Answer a = api().handle("GET", "/v1/health");
        // The last good table still routes: the status stays, the body says why it may be stale.
        assertEquals(200, a.status(), a.body());
        assertFalse(json(a).get("Sync").get("Healthy").asBoolean(), a.body());
        assertEquals(discovery.syncProblem, json(a).get("Sync").get("Message").asText());
    }

    @Test
    void healthIs200WithoutAnyMarathonEndpoint() throws Exception {
        discovery.source = "apps file /etc/pacer/apps.json";
        AdminApi.Answer a = api().handle("GET", "/v1/health");
        assertEquals(200, a.status(), "an apps file has no endpoint to be down: " + a.body());
        assertEquals(0, json(a).get("Endpoints").size());
        assertTrue(json(a).get("Endpoints").isArray());
    }

    @Test
    void healthIs500WhenEveryEndpointIsDown() throws Exception {
        discovery.endpoints = List.of(
                new AdminApi.Endpoint("http://m1:8080", false, "connection refused"),
                new AdminApi.Endpoint("http://m2:8080", false, "HTTP 503 on /ping"));
        AdminApi.Answer a = api().handle("GET", "/v1/health");
        assertEquals(500, a.status(), a.body());
        JsonNode endpoints = json(a).get("Endpoints");
        assertEquals(2, endpoints.size());
        assertFalse(endpoints.get(0).get("Healthy").asBoolean());
        assertEquals("connection refused", endpoints.get(0).get("Message").asText());
        assertEquals("http://m2:8080", endpoints.get(1).get("Endpoint").asText());
        assertEquals("HTTP 503 on /ping", endpoints.get(1).get("Message").asText());
    }

    @Test
    void healthIs200WhenOneOfTwoEndpointsIsDown() throws Exception {
        discovery.endpoints = List.of(
                new AdminApi.Endpoint("http://m1:8080", false, "timeout"),
                new AdminApi.Endpoint("http://m2:8080", true, "OK"));
        AdminApi.Answer a = api().handle("GET", "/v1/health");
        assertEquals(200, a.status(), "Nixy: one endpoint down still answers 200: " + a.body());
        JsonNode endpoints = json(a).get("Endpoints");
        assertFalse(endpoints.get(0).get("Healthy").asBoolean());
        assertTrue(endpoints.get(1).get("Healthy").asBoolean());
    }

    /** Nixy's semantics: not being ready (no table yet, draining) is /v1/ready's business. */
    @Test
    void healthStays200WhenNotReadyAndShowsWhy() throws Exception {
        discovery.endpoints = List.of(new AdminApi.Endpoint("http://m1:8080", true, "OK"));
        AdminApi api = api();
        notReady = "no route table loaded yet";
        AdminApi.Answer a = api.handle("GET", "/v1/health");
        assertEquals(200, a.status(), a.body());
        JsonNode ready = json(a).get("Ready");
        assertFalse(ready.get("Healthy").asBoolean());
        assertEquals("no route table loaded yet", ready.get("Message").asText());
    }

    @Test
    void healthIs500WhenAllEndpointsAreDownWhateverTheReadiness() {
        discovery.endpoints = List.of(new AdminApi.Endpoint("http://m1:8080", false, "refused"));
        notReady = "no route table loaded yet";
        assertEquals(500, api().handle("GET", "/v1/health").status());
        notReady = null;
        assertEquals(500, api().handle("GET", "/v1/health").status());
    }

    // ---- /v1/ready -----------------------------------------------------------------------------

    @Test
    void readyIs503WithTheReasonUntilATableIsLoadedAndWhileDraining() {
        AdminApi api = api();
        notReady = "no route table loaded yet";
        AdminApi.Answer a = api.handle("GET", "/v1/ready");
        assertEquals(503, a.status());
        assertEquals("not ready: no route table loaded yet\n", a.body());
        assertTrue(a.contentType().startsWith("text/plain"), a.contentType());

        notReady = null;
        a = api.handle("GET", "/v1/ready");
        assertEquals(200, a.status(), "the supplier is asked on every call");
        assertEquals("ready\n", a.body());

        notReady = "draining";
        assertEquals("not ready: draining\n", api.handle("HEAD", "/v1/ready").body());
        assertEquals(503, api.handle("HEAD", "/v1/ready").status());
    }

    /** Every Marathon down: the last good table still serves, so the balancer in front keeps sending traffic. */
    @Test
    void readyIs200WhileMarathonIsDown() {
        discovery.endpoints = List.of(new AdminApi.Endpoint("http://m1:8080", false, "refused"));
        assertEquals(500, api().handle("GET", "/v1/health").status());
        assertEquals(200, api().handle("GET", "/v1/ready").status());
    }

    // ---- /v1/config ----------------------------------------------------------------------------

    @Test
    void configShowsNixysModelWithTasksAndDetailsMerged() throws Exception {
        App cart = new App("/shop/cart", List.of("/shop/cart/", "/basket/"),
                List.of(task("t1", "10.0.0.1", 31001), task("t2", "::1", 31002)));
        App idle = new App("/idle", List.of("/idle/"), List.of());
        discovery.apps = List.of(cart, idle);
        Map<String, Object> cartDetails = new LinkedHashMap<>();
        cartDetails.put("Labels", Map.of("NIXY_REALM", "public"));
        cartDetails.put("Env", Map.of("MODE", "prod"));
        cartDetails.put("PortDefinitions", List.of(Map.of("port", 10030)));
        cartDetails.put("HealthChecks", List.of());
        cartDetails.put("Container", null);
        discovery.details = Map.of("/shop/cart", cartDetails);
        discovery.lastSync = Instant.parse("2024-05-06T07:00:00Z");

        AdminApi.Answer a = api().handle("GET", "/v1/config");
        assertEquals(200, a.status());
        JsonNode body = json(a);
        assertEquals("proxy-7", body.get("Xproxy").asText());
        assertEquals("public", body.get("Realm").asText());
        JsonNode updates = body.get("LastUpdates");
        assertEquals("2024-05-06T07:00:00Z", updates.get("LastSync").asText());
        assertTrue(updates.has("LastConfigRendered"), a.body());
        assertTrue(updates.has("LastConfigValid"), a.body());
        assertTrue(updates.has("LastNginxReload"), a.body());

        JsonNode apps = body.get("Apps");
        assertEquals(List.of("/shop/cart", "/idle"), fieldNames(apps), "keyed by app id");
        JsonNode c = apps.get("/shop/cart");
        assertEquals("10.0.0.1:31001", c.get("Tasks").get(0).asText());
        assertEquals("[::1]:31002", c.get("Tasks").get(1).asText(), "IPv6 hosts are bracketed");
        assertEquals(2, c.get("Tasks").size());
        assertTrue(c.get("Hosts").isArray());
        assertEquals("public", c.get("Labels").get("NIXY_REALM").asText());
        assertEquals("prod", c.get("Env").get("MODE").asText());
        assertEquals(10030, c.get("PortDefinitions").get(0).get("port").asInt());
        assertTrue(c.get("HealthChecks").isArray());
        assertTrue(c.has("Container"));

        JsonNode i = apps.get("/idle");
        assertEquals(0, i.get("Tasks").size(), "an app without a routable task is still listed");
        assertFalse(i.has("Labels"), "no details given for it");
    }

    @Test
    void configBeforeAnySyncHasNullTimesAndAnEmptyRealm() throws Exception {
        AdminApi api = new AdminApi("px", null, discovery, () -> "", () -> null, Clock.fixed(NOW, ZoneOffset.UTC));
        JsonNode body = json(api.handle("GET", "/v1/config"));
        assertEquals("", body.get("Realm").asText());
        assertTrue(body.get("LastUpdates").get("LastSync").isNull());
        assertEquals(0, body.get("Apps").size());
        assertTrue(body.get("Apps").isObject());
    }

    @Test
    void configMasksEnvValuesWhoseNamesLookSecret() throws Exception {
        JsonNode secretRef = new ObjectMapper().readTree("{\"secret\": \"/db/password\"}");
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("MODE", new com.fasterxml.jackson.databind.node.TextNode("prod"));
        env.put("DB_PASSWORD", new com.fasterxml.jackson.databind.node.TextNode("hunter2"));
        env.put("api_key", "k-123");
        env.put("GITHUB_TOKEN", "ghp_abc");
        env.put("AWS_SECRET_ACCESS_KEY", "wJalr");
        env.put("DATABASE_URL", "postgres://app:s3cret@db:5432/shop");
        env.put("PASSWORD", secretRef);
        env.put("PORT", 8080);
        discovery.apps = List.of(new App("/shop", List.of("/shop/"), List.of()));
        discovery.details = Map.of("/shop", Map.of("Env", env));
        String body = api().handle("GET", "/v1/config").body();
        JsonNode shown = new ObjectMapper().readTree(body).get("Apps").get("/shop").get("Env");
        assertEquals(List.of("MODE", "DB_PASSWORD", "api_key", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL",
                "PASSWORD", "PORT"), fieldNames(shown), "every name stays, in Marathon's order");
        assertEquals("prod", shown.get("MODE").asText());
        for (String name : List.of("DB_PASSWORD", "api_key", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY")) {
            assertEquals("***", shown.get(name).asText(), name);
        }
        assertEquals("postgres://app:***@db:5432/shop", shown.get("DATABASE_URL").asText());
        assertEquals("/db/password", shown.get("PASSWORD").get("secret").asText(), "a reference holds no secret");
        assertEquals(8080, shown.get("PORT").asInt());
        for (String secret : List.of("hunter2", "k-123", "ghp_abc", "wJalr", "s3cret")) {
            assertFalse(body.contains(secret), secret + " leaked: " + body);
        }
    }

    // ---- /v1/reload ----------------------------------------------------------------------------

    @Test
    void reloadQueuesAResyncOnPost() {
        AdminApi api = api();
        AdminApi.Answer a = api.handle("POST", "/v1/reload");
        assertEquals(202, a.status());
        assertEquals("queued", a.body());
        assertTrue(a.contentType().startsWith("text/plain"));
        assertEquals(1, discovery.resyncRequests.get());

        discovery.resyncAccepted = false;
        a = api.handle("POST", "/v1/reload");
        assertEquals(202, a.status(), "Nixy answers 202 even when nothing more is queued");
        assertEquals("queue is full", a.body());
        assertEquals(2, discovery.resyncRequests.get());
    }

    /** Nixy queued a resync on any method; a link followed by a crawler should not. */
    @Test
    void reloadRefusesEveryMethodButPostWith405() {
        AdminApi api = api();
        for (String method : List.of("GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS")) {
            AdminApi.Answer a = api.handle(method, "/v1/reload");
            assertEquals(405, a.status(), method);
            assertEquals(Map.of("Allow", "POST"), a.headers(), method);
        }
        assertEquals(0, discovery.resyncRequests.get(), "nothing queued");
    }

    @Test
    void readEndpointsRefuseWritesWith405() {
        AdminApi api = api();
        for (String path : List.of("/", "/v1/health", "/v1/ready", "/v1/config", "/v1/routes", "/metrics", "/v1/metrics")) {
            for (String method : List.of("POST", "PUT", "DELETE")) {
                AdminApi.Answer a = api.handle(method, path);
                assertEquals(405, a.status(), method + " " + path);
                assertEquals("GET, HEAD", a.headers().get("Allow"), method + " " + path);
            }
            assertEquals(200, api.handle("HEAD", path).status(), "HEAD " + path);
        }
        assertEquals(404, api.handle("POST", "/nope").status(), "an unknown path is 404 whatever the method");
    }

    // ---- /v1/metrics ---------------------------------------------------------------------------

    @Test
    void metricsServeTheSuppliersTextAsPrometheus() {
        AdminApi api = api();
        for (String path : List.of("/v1/metrics", "/metrics")) {
            AdminApi.Answer a = api.handle("GET", path);
            assertEquals(200, a.status(), path);
            assertEquals(PROMETHEUS, a.contentType(), path);
            assertEquals(metricsText, a.body(), path);
        }
        metricsText = "pacer_up 0.0\n";
        assertEquals("pacer_up 0.0\n", api.handle("GET", "/metrics").body(), "asked on every scrape");
    }

    // ---- /v1/routes ----------------------------------------------------------------------------

    @Test
    void routesListPrefixesAppsTasksVersionAndConflicts() throws Exception {
        App web = new App("/web", List.of("/web/", "/shared/"), List.of(task("w1", "10.0.0.1", 8001)));
        App api2 = new App("/api", List.of("/api/", "/shared/"),
                List.of(task("a1", "10.0.0.2", 8002), task("a2", "10.0.0.3", 8003)));
        discovery.table = RouteTable.builder(42).add(web).add(api2).build();
        StepClock clock = new StepClock(NOW);
        AdminApi api = api(clock);

        AdminApi.Answer a = api.handle("GET", "/v1/routes");
        assertEquals(200, a.status());
        JsonNode body = json(a);
        assertEquals(42, body.get("version").asLong());
        assertEquals(discovery.source, body.get("source").asText());
        JsonNode routes = body.get("routes");
        assertEquals(3, routes.size(), a.body());
        Map<String, JsonNode> byPrefix = new LinkedHashMap<>();
        routes.forEach(r -> byPrefix.put(r.get("prefix").asText(), r));
        assertEquals(List.of("/web/", "/shared/", "/api/"), List.copyOf(byPrefix.keySet()));
        assertEquals("/web", byPrefix.get("/shared/").get("app").asText(), "the first app keeps a shared prefix");
        JsonNode apiRoute = byPrefix.get("/api/");
        assertEquals("/api", apiRoute.get("app").asText());
        assertEquals("10.0.0.2:8002", apiRoute.get("tasks").get(0).asText());
        assertEquals("10.0.0.3:8003", apiRoute.get("tasks").get(1).asText());

        JsonNode conflicts = body.get("conflicts");
        assertEquals(1, conflicts.size());
        assertEquals("/shared/", conflicts.get(0).get("prefix").asText());
        assertEquals("/web", conflicts.get(0).get("owner").asText());
        assertEquals("/api", conflicts.get(0).get("loser").asText());
    }


    @Test
    void routesShowEachTasksLoadAndFailureMemory() throws Exception {
        Task healthy = task("a1", "10.0.0.2", 8002);
        Task failing = task("a2", "10.0.0.3", 8003);
        App app = new App("/api", List.of("/api/"), List.of(healthy, failing));
        discovery.table = RouteTable.builder(7).add(app).build();
        TaskStates states = new TaskStates(FailurePolicy.DEFAULT);
        states.retainOnly(Set.of(healthy, failing));
        states.get(healthy).attemptStarted();
        states.get(healthy).attemptStarted();
        states.get(failing).failed(System.nanoTime(), FailurePolicy.DEFAULT);
        AdminApi api = new AdminApi("proxy-7", "public", discovery, () -> "", () -> null,
                Clock.fixed(NOW, ZoneOffset.UTC), states);

        JsonNode taskStates = json(api.handle("GET", "/v1/routes")).get("routes").get(0).get("task_states");
        assertEquals(2, taskStates.size());
        JsonNode first = taskStates.get(0);
        assertEquals("10.0.0.2:8002", first.get("address").asText());
        assertEquals(2, first.get("in_flight").asInt());
        assertEquals(0, first.get("recent_failures").asInt());
        assertFalse(first.get("marked").asBoolean());
        assertNull(first.get("back_in_seconds"));
        JsonNode second = taskStates.get(1);
        assertEquals("a2", second.get("id").asText());
        assertEquals(1, second.get("recent_failures").asInt());
        assertTrue(second.get("marked").asBoolean());
        double backIn = second.get("back_in_seconds").asDouble();
        assertTrue(backIn > 5 && backIn <= 10, "probed again within fail_timeout (10 s): " + backIn);
    }
    @Test
    void routesAgeCountsFromWhenTheTableVersionChanged() throws Exception {
        discovery.table = RouteTable.builder(1)
                .add(new App("/a", List.of("/a/"), List.of(task("a", "10.0.0.1", 80)))).build();
        StepClock clock = new StepClock(NOW);
        AdminApi api = api(clock);
        assertEquals(0.0, json(api.handle("GET", "/v1/routes")).get("age_seconds").asDouble(), 1e-9);
        clock.advance(Duration.ofMillis(7500));
        assertEquals(7.5, json(api.handle("GET", "/v1/routes")).get("age_seconds").asDouble(), 1e-9);

        discovery.table = RouteTable.builder(2)
                .add(new App("/a", List.of("/a/"), List.of(task("a", "10.0.0.9", 80)))).build();
        clock.advance(Duration.ofSeconds(1));
        JsonNode body = json(api.handle("GET", "/v1/routes"));
        assertEquals(2, body.get("version").asLong());
        assertEquals(0.0, body.get("age_seconds").asDouble(), 1e-9, "a new version starts a new age");
        clock.advance(Duration.ofSeconds(3));
        assertEquals(3.0, json(api.handle("GET", "/v1/routes")).get("age_seconds").asDouble(), 1e-9);
    }

    @Test
    void routesOfTheEmptyTable() throws Exception {
        JsonNode body = json(api().handle("GET", "/v1/routes"));
        assertEquals(0, body.get("version").asLong());
        assertEquals(0, body.get("routes").size());
        assertTrue(body.get("routes").isArray());
        assertEquals(0, body.get("conflicts").size());
    }

    // ---- other paths ---------------------------------------------------------------------------

    @Test
    void unknownPathsAre404() {
        AdminApi api = api();
        for (String path : List.of("/nope", "/v1", "/v2/apps", "/v1/healthz")) {
            AdminApi.Answer a = api.handle("GET", path);
            assertEquals(404, a.status(), path);
            assertTrue(a.contentType().startsWith("text/plain"), path);
        }
        assertEquals(0, discovery.resyncRequests.get(), "no path but /v1/reload queues a resync");
    }
}
