package io.pacer.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Virtual hosts from Marathon: Nixy's names in host mode, PACER_VHOST and marathon-lb's labels in both. */
class HostRoutesTest {

    private static final RouteOptions BY_HOST = new RouteOptions(null, true);

    private static MarathonApp app(String id, Map<String, String> labels) {
        MarathonTask task = new MarathonTask(id.substring(1).replace('/', '_') + ".1", id, "h", List.of(31000),
                List.of(), MarathonTask.RUNNING, List.of());
        return new MarathonApp(id, labels, 0, 0, List.of(), List.of(task), List.of());
    }

    private static App only(MarathonApp app, RouteOptions options) {
        return AppRoutes.apps(List.of(app), options).get(0);
    }

    @Test
    void hostModeServesNixyNamesAsNixysDefaultTemplateDoes() {
        App cart = only(app("/shop/cart", Map.of()), BY_HOST);
        assertEquals(List.of("cart.shop", "cart.shop.*"), cart.hosts());
        assertEquals(List.of(), cart.prefixes(), "no path routing in host mode");
        App named = only(app("/web", Map.of("subdomain", "www blog")), BY_HOST);
        assertEquals(List.of("www", "www.*", "blog", "blog.*"), named.hosts());
        assertEquals(List.of("/"), named.hostPrefixes());
    }

    @Test
    void nixyNamesKeepNixysOrder() {
        assertEquals(List.of("cart.shop"), AppRoutes.nixyNames(app("/shop/cart", Map.of())));
        assertEquals(List.of("a", "b"), AppRoutes.nixyNames(app("/x", Map.of("subdomain", "a b"))));
        assertEquals(List.of("m"), AppRoutes.nixyNames(app("/x", Map.of("subdomain", " ", "moxy_subdomain", "m"))));
    }

    @Test
    void explicitVirtualHostsInPathMode() {
        App app = only(app("/web", Map.of("PACER_VHOST", "www.example.org, *.example.net",
                "HAPROXY_0_VHOST", "legacy.example.org")), RouteOptions.defaults());
        assertEquals(List.of("www.example.org", "*.example.net", "legacy.example.org"), app.hosts());
        assertEquals(List.of("/web/"), app.prefixes(), "path routing stays");
        RouteTable table = AppRoutes.toTable(List.of(app), 1);
        assertEquals("/web", table.lookup("a.example.net", "/any").app().id());
        assertEquals("/web", table.lookup("www.example.org:8080", "/").app().id());
    }

    @Test
    void marathonLbPathNarrowsTheVirtualHostOrActsAsAPrefix() {
        App withHost = only(app("/api", Map.of("HAPROXY_0_VHOST", "api.example.com", "HAPROXY_0_PATH", "/v1")),
                RouteOptions.defaults());
        assertEquals(List.of("/v1/"), withHost.hostPrefixes());
        RouteTable table = AppRoutes.toTable(List.of(withHost), 1);
        assertEquals("/api", table.lookup("api.example.com", "/v1/x").app().id());
        assertEquals(null, table.lookup("api.example.com", "/v2/x"));
        App pathOnly = only(app("/api", Map.of("HAPROXY_0_PATH", "/public")), RouteOptions.defaults());
        assertTrue(pathOnly.prefixes().contains("/public/"), pathOnly.prefixes().toString());
    }

    @Test
    void badNamesAreLoggedAndSkipped() {
        try (LogCapture log = LogCapture.of(AppRoutes.class)) {
            App app = only(app("/web", Map.of("PACER_VHOST", "ok.example.org,bad..name,*")), RouteOptions.defaults());
            assertEquals(List.of("ok.example.org"), app.hosts());
            assertEquals(2, log.warnings().size(), log.warnings().toString());
            assertTrue(log.warnings().get(0).contains("PACER_VHOST"), log.warnings().get(0));
        }
    }
}
