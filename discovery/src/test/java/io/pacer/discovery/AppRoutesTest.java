package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.RouteMatch;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AppRoutesTest {

    private static final List<App> TASKS = AppRoutes.apps(Fixtures.apps("apps-tasks.json"), RouteOptions.defaults());

    private static App app(List<App> apps, String id) {
        return apps.stream().filter(a -> a.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no app " + id + " in " + apps));
    }

    private static List<String> ids(List<App> apps) {
        return apps.stream().map(App::id).toList();
    }

    private static MarathonTask running(String id, List<Integer> ports, List<String> ips) {
        return new MarathonTask(id, "/x", "10.9.0.1", ports, ips, MarathonTask.RUNNING, List.of());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        // app,           task,                          address (empty: gets no traffic)
        "/shop/cart,      cart-healthy,                  10.0.1.11:31001",
        "/shop/cart,      cart-healthy-two-checks,       10.0.1.12:31002",
        "/shop/cart,      cart-one-check-failing,        ",
        "/shop/cart,      cart-grace-period,             ",
        "/shop/cart,      cart-no-results,               ",
        "/shop/cart,      cart-killing,                  ",
        "/hello-world,    hello-running,                 10.0.2.21:31101",
        "/hello-world,    hello-staging,                 ",
        "/hello-world,    hello-starting,                ",
        "/hello-world,    hello-unreachable,             ",
        "/hello-world,    hello-no-host,                 ",
        "/hello-world,    hello-no-ports,                ",
        "/hello-world,    hello-results-without-checks,  10.0.2.27:31107",
        "/net/api,        api-container-ip,              9.0.0.12:8080",
        "/net/api,        api-no-ip,                     ",
        "/legacy/docker,  legacy-container-ip,           9.0.1.7:9000",
        "/bridge/web,     bridge-host-port,              10.0.5.51:31501",
        "/ready/app,      ready-not-yet,                 ",
        "/ready/app,      ready-yes,                     10.0.6.62:31602",
        "/ready/app,      ready-no-result,               10.0.6.63:31603",
        "/all/down,       down-killing,                  ",
        "/all/down,       down-unreachable,              ",
    })
    void decidesWhichTasksGetTraffic(String appId, String taskId, String address) {
        Task task = app(TASKS, appId).tasks().stream().filter(t -> t.id().equals(taskId)).findFirst().orElse(null);
        if (address == null) {
            assertNull(task, taskId + " must get no traffic");
        } else {
            assertNotNull(task, taskId + " must get traffic");
            assertEquals(address, task.address());
        }
    }

    @Test
    void keepsMarathonsAppOrderAndAppsWithoutTasks() {
        assertEquals(List.of("/shop/cart", "/hello-world", "/net/api", "/legacy/docker", "/bridge/web",
                "/ready/app", "/all/down"), ids(TASKS));
        assertEquals(List.of(), app(TASKS, "/all/down").tasks());

        RouteTable table = AppRoutes.toTable(TASKS, 7);
        assertEquals(7, table.version());
        assertFalse(ids(table.apps()).contains("/all/down"), "an app with no task is not routed");
        assertNull(table.lookup("/all/down/x"));
        assertEquals("/shop/cart", table.lookup("/shop/cart/items").app().id());
        assertEquals("/shop/cart", table.lookup("/cart/items").app().id());
    }

    @Test
    void containerNetworkTaskUsesFirstMappingsContainerPortAndItsIpv6Address() {
        MarathonApp app = new MarathonApp("/v6", Map.of(), 0, 0,
                List.of(new MarathonApp.PortMapping(8443, 0, 0, "tcp", "https"),
                        new MarathonApp.PortMapping(9000, 0, 0, "tcp", "admin")),
                List.of(running("t", List.of(), List.of("fd00::12", "10.1.1.1"))), List.of());

        assertEquals("[fd00::12]:8443", AppRoutes.route(app, app.tasks().get(0)).address());
    }

    @Test
    void containerPortZeroIsNotRoutable() {
        MarathonApp app = new MarathonApp("/zero", Map.of(), 0, 0,
                List.of(new MarathonApp.PortMapping(0, 0, 0, "tcp", null)),
                List.of(running("t", List.of(), List.of("9.0.0.1"))), List.of());

        assertNull(AppRoutes.route(app, app.tasks().get(0)));
    }

    @Test
    void hostPortsWinOverContainerAddress() {
        MarathonApp app = new MarathonApp("/b", Map.of(), 0, 0,
                List.of(new MarathonApp.PortMapping(80, 0, 0, "tcp", null)),
                List.of(running("t", List.of(31000, 31001), List.of("172.17.0.3"))), List.of());

        assertEquals("10.9.0.1:31000", AppRoutes.route(app, app.tasks().get(0)).address());
    }

    @Test
    void readinessResultsCountOnlyWhenTheAppHasReadinessChecks() {
        List<MarathonApp.ReadinessResult> notReady = List.of(new MarathonApp.ReadinessResult("t", "c", false));
        MarathonTask task = running("t", List.of(31000), List.of());

        assertNull(AppRoutes.route(new MarathonApp("/r", Map.of(), 0, 1, List.of(), List.of(task), notReady), task));
        assertNotNull(AppRoutes.route(new MarathonApp("/r", Map.of(), 0, 0, List.of(), List.of(task), notReady), task));
        assertNotNull(AppRoutes.route(new MarathonApp("/r", Map.of(), 0, 1, List.of(), List.of(task), List.of()), task),
                "no result: the deployment is not waiting on it");
    }

    @Test
    void healthChecksNeedEveryResultAlive() {
        MarathonTask none = new MarathonTask("a", "/h", "h", List.of(1), List.of(), MarathonTask.RUNNING, List.of());
        MarathonTask alive = new MarathonTask("b", "/h", "h", List.of(2), List.of(), MarathonTask.RUNNING, List.of(true));
        MarathonTask dead = new MarathonTask("c", "/h", "h", List.of(3), List.of(), MarathonTask.RUNNING, List.of(false));
        MarathonTask mixed = new MarathonTask("d", "/h", "h", List.of(4), List.of(), MarathonTask.RUNNING,
                List.of(true, false));
        List<MarathonTask> all = List.of(none, alive, dead, mixed);

        App checked = AppRoutes.apps(List.of(new MarathonApp("/h", Map.of(), 1, 0, List.of(), all, List.of())),
                RouteOptions.defaults()).get(0);
        assertEquals(List.of("b"), checked.tasks().stream().map(Task::id).toList());

        App unchecked = AppRoutes.apps(List.of(new MarathonApp("/h", Map.of(), 0, 0, List.of(), all, List.of())),
                RouteOptions.defaults()).get(0);
        assertEquals(List.of("a", "b", "c", "d"), unchecked.tasks().stream().map(Task::id).toList());
    }

    @Test
    void realmKeepsOnlyAppsLabelledWithIt() {
        List<MarathonApp> apps = Fixtures.apps("apps-labels.json");

        assertEquals(List.of("/shop/cart", "/legacy/app", "/cart"),
                ids(AppRoutes.apps(apps, new RouteOptions("public"))));
        assertEquals(List.of("/shop/admin"), ids(AppRoutes.apps(apps, new RouteOptions("internal"))));
        assertEquals(List.of(), AppRoutes.apps(apps, new RouteOptions("nope")));
        assertEquals(7, AppRoutes.apps(apps, new RouteOptions(" ")).size(), "a blank realm is no realm");
        assertEquals(7, AppRoutes.apps(apps, RouteOptions.defaults()).size());
    }

    @Test
    void anUnlabelledNestedAppIsAlsoServedAtItsNixyName() {
        assertEquals("cart.shop", AppRoutes.nixyName("/shop/cart"));
        assertEquals("app.b.a", AppRoutes.nixyName("/a/b/app"));
        assertEquals("hello-world", AppRoutes.nixyName("/hello-world"));
        assertNull(AppRoutes.nixyName("/"));
        assertNull(AppRoutes.nixyName("/shop/Not_A_Label"));
        MarathonApp nested = new MarathonApp("/shop/cart", Map.of(), 0, 0, List.of(), List.of(), List.of());
        assertEquals(List.of("/shop/cart/", "/cart.shop/"), AppRoutes.prefixes(nested),
                "the seed's template served /shop/cart at /cart.shop/, so that URL keeps working");
        MarathonApp labelled = new MarathonApp("/shop/cart", Map.of("subdomain", "basket"), 0, 0, List.of(),
                List.of(), List.of());
        assertEquals(List.of("/shop/cart/", "/basket/"), AppRoutes.prefixes(labelled),
                "a subdomain label replaces Nixy's default name, as in Nixy");
    }

    @Test
    void prefixesComeFromPacerPathThenIdThenSubdomains() {
        try (LogCapture logs = LogCapture.of(AppRoutes.class)) {
            List<App> apps = AppRoutes.apps(Fixtures.apps("apps-labels.json"), RouteOptions.defaults());

            assertEquals(List.of("/cart/", "/api/cart/", "/shop/cart/", "/basket/", "/ok-name/"),
                    app(apps, "/shop/cart").prefixes());
            assertEquals(List.of("/shop/admin/", "/admin/"), app(apps, "/shop/admin").prefixes(),
                    "moxy_subdomain when there is no subdomain");
            assertEquals(List.of("/legacy/app/", "/old/", "/legacy/"), app(apps, "/legacy/app").prefixes());
            assertEquals(List.of("/both/", "/new/"), app(apps, "/both").prefixes(),
                    "subdomain hides moxy_subdomain");
            assertEquals(List.of("/blank/subdomain/", "/fallback/"), app(apps, "/blank/subdomain").prefixes());
            assertEquals(List.of("/unlabelled/"), app(apps, "/unlabelled").prefixes(),
                    "a top-level id is its own Nixy name");

            List<String> warnings = logs.warnings();
            assertEquals(4, warnings.size(), warnings::toString);
            for (String bad : List.of("'Bad_Name'", "'-dash'")) {
                assertTrue(warnings.stream().anyMatch(w -> w.contains("/shop/cart") && w.contains("label subdomain")
                        && w.contains(bad)), warnings::toString);
            }
            for (String bad : List.of("'/bad//path'", "'/caf%C3%A9'")) {
                assertTrue(warnings.stream().anyMatch(w -> w.contains("/shop/cart") && w.contains("PACER_PATH")
                        && w.contains(bad)), warnings::toString);
            }
        }
    }

    @Test
    void invalidMoxySubdomainNamesAreWarnedWithTheirLabel() {
        MarathonApp app = new MarathonApp("/m", Map.of("moxy_subdomain", "good bad.name"), 0, 0, List.of(),
                List.of(), List.of());
        try (LogCapture logs = LogCapture.of(AppRoutes.class)) {
            assertEquals(List.of("/m/", "/good/"), AppRoutes.prefixes(app));
            assertEquals(1, logs.warnings().size());
            assertTrue(logs.warnings().get(0).contains("label moxy_subdomain"), logs.warnings().get(0));
            assertTrue(logs.warnings().get(0).contains("'bad.name'"), logs.warnings().get(0));
        }
    }

    @Test
    void pacerPathDuplicatingTheIdIsListedOnce() {
        MarathonApp app = new MarathonApp("/shop", Map.of("PACER_PATH", "shop /shop/ /", "subdomain", "shop"),
                0, 0, List.of(), List.of(), List.of());

        assertEquals(List.of("/shop/", "/"), AppRoutes.prefixes(app));
    }

    @Test
    void firstAppKeepsAContestedPrefix() {
        List<App> apps = AppRoutes.apps(Fixtures.apps("apps-labels.json"), RouteOptions.defaults());
        try (LogCapture logs = LogCapture.of(AppRoutes.class)) {
            RouteTable table = AppRoutes.toTable(apps, 1);

            assertEquals(List.of(new RouteTable.PrefixConflict("/cart/", "/shop/cart", "/cart")), table.conflicts());
            RouteMatch match = table.lookup("/cart/checkout");
            assertEquals("/shop/cart", match.app().id());
            assertFalse(ids(table.apps()).contains("/cart"), "/cart lost its only prefix");
            assertEquals(1, logs.warnings().size());
            assertTrue(logs.warnings().get(0).contains("/cart/") && logs.warnings().get(0).contains("/shop/cart"),
                    logs.warnings().get(0));
        }
    }

    @Test
    void sameModelGivesEqualAppsWhateverMarathonsTaskOrder() {
        List<MarathonApp> marathon = Fixtures.apps("apps-tasks.json");
        List<MarathonApp> shuffled = new ArrayList<>();
        for (MarathonApp a : marathon) {
            List<MarathonTask> tasks = new ArrayList<>(a.tasks());
            Collections.reverse(tasks);
            shuffled.add(new MarathonApp(a.id(), a.labels(), a.healthCheckCount(), a.readinessCheckCount(),
                    a.portMappings(), tasks, a.readinessCheckResults()));
        }

        assertEquals(TASKS, AppRoutes.apps(Fixtures.apps("apps-tasks.json"), RouteOptions.defaults()));
        assertEquals(TASKS, AppRoutes.apps(shuffled, RouteOptions.defaults()));
        assertTrue(AppRoutes.toTable(TASKS, 1).sameRoutesAs(AppRoutes.toTable(AppRoutes.apps(shuffled,
                RouteOptions.defaults()), 2)));
    }

    @Test
    void anAppListedTwiceKeepsItsFirstEntry() {
        MarathonTask t = running("t", List.of(31000), List.of());
        MarathonApp first = new MarathonApp("/d", Map.of(), 0, 0, List.of(), List.of(t), List.of());
        MarathonApp second = new MarathonApp("/d", Map.of("subdomain", "other"), 0, 0, List.of(), List.of(), List.of());

        List<App> apps = AppRoutes.apps(List.of(first, second), RouteOptions.defaults());

        assertEquals(1, apps.size());
        assertEquals(List.of("/d/"), apps.get(0).prefixes());
    }

    @ParameterizedTest
    @CsvSource({"a,true", "cart,true", "ok-name,true", "Shop2,true", "0abc,true", "-a,false", "a-,false",
        "a.b,false", "a_b,false", "café,false", "a/b,false"})
    void dnsLabels(String name, boolean valid) {
        assertEquals(valid, AppRoutes.isDnsLabel(name));
    }

    @Test
    void dnsLabelLength() {
        assertFalse(AppRoutes.isDnsLabel(""));
        assertTrue(AppRoutes.isDnsLabel("a".repeat(63)));
        assertFalse(AppRoutes.isDnsLabel("a".repeat(64)));
    }
}
