package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MarathonAppsTest {

    private static MarathonApp byId(List<MarathonApp> apps, String id) {
        return apps.stream().filter(a -> a.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no app " + id));
    }

    private static MarathonTask task(MarathonApp app, String id) {
        return app.tasks().stream().filter(t -> t.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no task " + id));
    }

    private static List<MarathonApp> parse(String json) throws MarathonFormatException {
        return MarathonApps.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsAppsWithEmbeddedTasksInMarathonsOrder() {
        List<MarathonApp> apps = Fixtures.apps("apps-tasks.json");

        assertEquals(List.of("/shop/cart", "/hello-world", "/net/api", "/legacy/docker", "/bridge/web",
                "/ready/app", "/all/down"), apps.stream().map(MarathonApp::id).toList());
        MarathonApp cart = apps.get(0);
        assertEquals(Map.of("subdomain", "cart"), cart.labels());
        assertEquals(2, cart.healthCheckCount());
        assertEquals(0, cart.readinessCheckCount());
        assertEquals(List.of(), cart.portMappings());
        assertEquals(6, cart.tasks().size());

        MarathonTask two = task(cart, "cart-healthy-two-checks");
        assertEquals("/shop/cart", two.appId());
        assertEquals("10.0.1.12", two.host());
        assertEquals(List.of(31002, 31003), two.ports());
        assertEquals(List.of("10.0.1.12"), two.ipAddresses());
        assertEquals("TASK_RUNNING", two.state());
        assertEquals(List.of(true, true), two.healthCheckResults());
        assertEquals(List.of(true, false), task(cart, "cart-one-check-failing").healthCheckResults());
        assertEquals(List.of(), task(cart, "cart-grace-period").healthCheckResults());
        assertEquals(List.of(), task(cart, "cart-no-results").healthCheckResults());
        assertEquals("TASK_KILLING", task(cart, "cart-killing").state());
    }

    @Test
    void envSecretObjectsDoNotBreakParsing() throws Exception {
        // The fixture's /shop/cart has {"DB_PASSWORD": {"secret": "dbpass"}}, which broke Nixy.
        assertEquals(7, Fixtures.apps("apps-tasks.json").size());

        List<MarathonApp> apps = parse("{\"apps\":[{\"id\":\"/a\",\"env\":{\"PLAIN\":\"x\","
                + "\"PASSWORD\":{\"secret\":\"/db/password\"},\"ODD\":[1,{\"deep\":null}]}}]}");
        assertEquals("/a", apps.get(0).id());
    }

    @Test
    void readsPortMappingsFromContainerOrFromDocker() {
        List<MarathonApp> apps = Fixtures.apps("apps-tasks.json");

        MarathonApp api = byId(apps, "/net/api");
        assertEquals(List.of(new MarathonApp.PortMapping(8080, 0, 10101, "tcp", "http"),
                new MarathonApp.PortMapping(9090, 0, 10102, "tcp", "metrics")), api.portMappings());
        assertEquals(Map.of(), api.labels(), "labels absent");
        assertEquals(List.of(), task(api, "api-container-ip").ports());
        assertEquals(List.of("9.0.0.12"), task(api, "api-container-ip").ipAddresses());

        MarathonApp legacy = byId(apps, "/legacy/docker");
        assertEquals(List.of(new MarathonApp.PortMapping(9000, 0, 10201, "tcp", "web")), legacy.portMappings());
    }

    @Test
    void readsReadinessChecksAndTheirResults() {
        MarathonApp ready = byId(Fixtures.apps("apps-tasks.json"), "/ready/app");

        assertEquals(1, ready.readinessCheckCount());
        assertEquals(List.of(new MarathonApp.ReadinessResult("ready-not-yet", "readinessCheck", false),
                new MarathonApp.ReadinessResult("ready-yes", "readinessCheck", true)),
                ready.readinessCheckResults());
        assertEquals(List.of(), byId(Fixtures.apps("apps-tasks.json"), "/shop/cart").readinessCheckResults());
    }

    @Test
    void absentAndNullFieldsDefault() throws Exception {
        MarathonApp bare = parse("{\"apps\":[{\"id\":\"/bare\"}]}").get(0);
        assertEquals(new MarathonApp("/bare", Map.of(), 0, 0, List.of(), List.of(), List.of()), bare);

        MarathonApp nulls = parse("{\"apps\":[{\"id\":\"/n\",\"labels\":null,\"container\":null,"
                + "\"healthChecks\":null,\"tasks\":[{\"id\":\"t\",\"host\":null,\"ports\":null,"
                + "\"state\":null,\"healthCheckResults\":[{\"consecutiveFailures\":0}]}]}]}").get(0);
        MarathonTask t = nulls.tasks().get(0);
        assertEquals(new MarathonTask("t", "/n", "", List.of(), List.of(), null, List.of(false)), t,
                "a result without \"alive\" counts as not alive");
    }

    @Test
    void skipsMalformedAppsAndTasksOneByOne() {
        try (LogCapture logs = LogCapture.of(MarathonApps.class)) {
            List<MarathonApp> apps = Fixtures.apps("apps-malformed.json");

            assertEquals(List.of("/good", "/mixed/tasks", "/nulls"), apps.stream().map(MarathonApp::id).toList());
            assertEquals(List.of("mixed-ok"),
                    byId(apps, "/mixed/tasks").tasks().stream().map(MarathonTask::id).toList());
            MarathonApp nulls = byId(apps, "/nulls");
            assertEquals(Map.of(), nulls.labels());
            assertEquals("/nulls", nulls.tasks().get(0).appId(), "a task without appId belongs to its app");

            List<String> warnings = logs.warnings();
            assertEquals(6, warnings.size(), warnings::toString);
            assertTrue(warnings.stream().anyMatch(w -> w.contains("#0") && w.contains("no \"id\"")), warnings::toString);
            assertTrue(warnings.stream().anyMatch(w -> w.contains("/bad/labels") && w.contains("labels")),
                    warnings::toString);
            assertTrue(warnings.stream().anyMatch(w -> w.contains("mixed-bad-port") && w.contains("ports[0]")),
                    warnings::toString);
        }
    }

    @Test
    void emptyAppListIsNoApps() throws Exception {
        assertEquals(List.of(), parse("{\"apps\":[]}"));
        assertEquals(List.of(), parse("{\"apps\":[],\"somethingNew\":{\"x\":1}}"));
    }

    @Test
    void marathonErrorAnswerThrows() {
        MarathonFormatException e = assertThrows(MarathonFormatException.class,
                () -> MarathonApps.parse(Fixtures.bytes("error-message.json")));
        assertTrue(e.getMessage().contains("Could not determine the current leader"), e.getMessage());

        e = assertThrows(MarathonFormatException.class, () -> parse("{\"message\":\"leader unknown\"}"));
        assertTrue(e.getMessage().contains("leader unknown"), e.getMessage());
    }

    @Test
    void htmlPageThrows() {
        MarathonFormatException e = assertThrows(MarathonFormatException.class,
                () -> MarathonApps.parse(Fixtures.bytes("error-page.html")));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        assertTrue(e.getMessage().contains("502 Bad Gateway"), e.getMessage());
    }

    @Test
    void truncatedBodyThrows() {
        byte[] full = Fixtures.bytes("apps-tasks.json");
        for (int length : new int[] {1, 10, full.length / 2, full.length - 3}) {
            byte[] cut = Arrays.copyOf(full, length);
            assertThrows(MarathonFormatException.class, () -> MarathonApps.parse(cut), "cut at " + length);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " \n ", "null", "[]", "[{\"id\":\"/a\"}]", "\"apps\"", "42", "{}",
            "{\"apps\":{}}", "{\"apps\":null}", "{\"app\":{\"id\":\"/a\"}}",
            "{\"apps\":[]} {\"apps\":[]}", "{\"apps\":[]}]"})
    void bodiesThatAreNotAnAppListThrow(String body) {
        assertThrows(MarathonFormatException.class, () -> parse(body));
    }

    @Test
    void nullBodyThrows() {
        assertThrows(MarathonFormatException.class, () -> MarathonApps.parse(null));
    }

    @Test
    void readsMarathonsOwnAppExample() throws IOException, MarathonFormatException {
        Path appJson = Fixtures.docs("app.json");
        byte[] body = ("{\"apps\":[" + Files.readString(appJson) + "]}").getBytes(StandardCharsets.UTF_8);
        List<MarathonApp> apps = MarathonApps.parse(body);

        assertEquals(1, apps.size());
        MarathonApp foo = apps.get(0);
        assertEquals("/foo", foo.id());
        assertEquals(Map.of("owner", "zeus", "note", "Away from olympus"), foo.labels());
        assertEquals(1, foo.healthCheckCount());
        assertEquals(1, foo.readinessCheckCount());
        assertEquals(List.of(new MarathonApp.PortMapping(80, 0, 10019, "tcp", "http")), foo.portMappings());
        assertEquals(List.of(), foo.tasks());
    }

    @Test
    void readsMarathonsOwnAppListExample() throws IOException, MarathonFormatException {
        Path appList = Fixtures.docs("app_list.json");
        List<MarathonApp> apps = MarathonApps.parse(Files.readAllBytes(appList));

        assertEquals(List.of("/myapp"), apps.stream().map(MarathonApp::id).toList());
        assertEquals(List.of(), apps.get(0).portMappings(), "container is null");
    }

    @Test
    void keepsWhatTheAdminApiReportsAsMarathonSentIt() throws IOException, MarathonFormatException {
        Path appJson = Fixtures.docs("app.json");
        MarathonApp foo = MarathonApps.parse(("{\"apps\":[" + Files.readString(appJson) + "]}")
                .getBytes(StandardCharsets.UTF_8)).get(0);

        assertEquals(List.of("XPS1", "XPS2", "PASSWORD"), List.copyOf(foo.env().keySet()), "Marathon's order");
        assertEquals("Test", foo.env().get("XPS1").textValue());
        assertEquals("/db/password", foo.env().get("PASSWORD").get("secret").textValue());
        assertEquals(1, foo.portDefinitions().size());
        assertEquals("http", foo.portDefinitions().get(0).get("name").textValue());
        assertEquals("192.168.0.1:80", foo.portDefinitions().get(0).get("labels").get("vip").textValue());
        assertEquals(1, foo.healthChecks().size());
        assertEquals("HTTP", foo.healthChecks().get(0).get("protocol").textValue());
        assertEquals("DOCKER", foo.container().get("type").textValue());
        assertEquals("kdc", foo.container().get("docker").get("parameters").get(0).get("value").textValue());
    }

    @Test
    void reportingFieldsDefaultWhenAbsentOrOdd() throws Exception {
        MarathonApp app = parse("{\"apps\":[{\"id\":\"/a\",\"env\":[1],\"portDefinitions\":\"x\","
                + "\"container\":null,\"tasks\":[{\"id\":\"t\",\"servicePorts\":[\"x\",10001],"
                + "\"slaveId\":7}]}]}").get(0);
        assertEquals(Map.of(), app.env());
        assertTrue(app.portDefinitions().isArray() && app.portDefinitions().isEmpty());
        assertTrue(app.healthChecks().isArray() && app.healthChecks().isEmpty());
        assertTrue(app.container().isNull());
        MarathonTask t = app.tasks().get(0);
        assertEquals(List.of(10001), t.servicePorts());
        assertEquals(null, t.slaveId());
        assertEquals(null, t.startedAt());

        MarathonApp bare = new MarathonApp("/b", Map.of(), 0, 0, List.of(), List.of(), List.of());
        assertEquals(Map.of(), bare.env());
        assertTrue(bare.container().isNull());
        MarathonTask bareTask = new MarathonTask("t", "/b", "h", List.of(1), List.of(), "TASK_RUNNING", List.of());
        assertEquals(List.of(), bareTask.servicePorts());
    }

    @Test
    void readsTaskDetailsFromMarathonsOwnTaskExample() throws IOException, MarathonFormatException {
        Path appTasks = Fixtures.docs("app_tasks.json");
        String tasks = new com.fasterxml.jackson.databind.ObjectMapper().readTree(appTasks.toFile()).get("tasks").toString();
        MarathonApp app = parse("{\"apps\":[{\"id\":\"/minecraft/survival-world\",\"tasks\":" + tasks + "}]}").get(0);
        MarathonTask t = app.tasks().get(0);
        assertEquals("minecraft_survival-world.instance-564bd685-4c30-11e5-98c1-be5b2935a987", t.id());
        assertEquals("TASK_STAGING", t.state());
        assertEquals("agent0", t.slaveId());
        assertEquals("2015-08-26T20:23:39.463Z", t.stagedAt());
        assertEquals("2015-08-26T20:23:44.678Z", t.startedAt());
        assertEquals("2015-04-17T04:00:14.171Z", t.version());
        assertEquals(List.of(31756), t.ports());
    }

    @Test
    void readsReadinessResultsAsEmbedAppsReadinessSendsThem() throws Exception {
        MarathonApp app = parse("""
                {"apps":[{"id":"/r","readinessChecks":[{"name":"ready","protocol":"HTTP","path":"/ready"}],
                  "readinessCheckResults":[
                    {"name":"ready","taskId":"r.1","ready":false,
                     "lastResponse":{"status":503,"contentType":"text/plain","body":"warming up"}},
                    {"name":"ready","taskId":"r.2","ready":true,
                     "lastResponse":{"status":200,"contentType":"text/plain","body":"ok"}}],
                  "tasks":[
                    {"id":"r.1","host":"h1","ports":[1],"state":"TASK_RUNNING"},
                    {"id":"r.2","host":"h2","ports":[2],"state":"TASK_RUNNING"}]}]}
                """).get(0);
        assertEquals(List.of(new MarathonApp.ReadinessResult("r.1", "ready", false),
                new MarathonApp.ReadinessResult("r.2", "ready", true)), app.readinessCheckResults());
        assertEquals(List.of("r.2"), AppRoutes.apps(List.of(app), RouteOptions.defaults()).get(0).tasks().stream()
                .map(io.pacer.core.Task::id).toList());
    }
}
