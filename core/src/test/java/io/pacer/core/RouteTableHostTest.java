package io.pacer.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Virtual hosts: Nginx's server_name precedence, case and ports ignored, then path prefixes. */
class RouteTableHostTest {

    private static App app(String id, List<String> hosts, List<String> hostPrefixes, String... prefixes) {
        return new App(id, List.of(prefixes), List.of(new Task(id.substring(1) + ".1", "10.0.0.1", 31000)),
                hosts, hostPrefixes);
    }

    private static final RouteTable TABLE = RouteTable.builder(1)
            .add(app("/exact", List.of("shop.example.org"), List.of("/")))
            .add(app("/wild", List.of("*.example.org"), List.of("/")))
            .add(app("/deepwild", List.of("*.eu.example.org"), List.of("/")))
            .add(app("/nixy", List.of("cart.shop", "cart.shop.*"), List.of("/")))
            .add(app("/short", List.of("cart.*"), List.of("/")))
            .add(app("/api", List.of("api.example.com"), List.of("/v1/", "/v2/")))
            .add(app("/paths", List.of(), List.of("/"), "/paths/"))
            .build();

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "shop.example.org, /x, /exact",
        "SHOP.Example.ORG, /x, /exact",
        "shop.example.org:8080, /x, /exact",
        "shop.example.org., /x, /exact",
        "www.example.org, /x, /wild",
        "a.b.example.org, /x, /wild",
        "a.eu.example.org, /x, /deepwild",
        "cart.shop, /, /nixy",
        "cart.shop:80, /anything/at/all, /nixy",
        "cart.shop.example.com, /x, /nixy",
        "Cart.Shop.Proxy-1.Example.com:8443, /x, /nixy",
        "cart.other.example.com, /x, /short",
        "api.example.com, /v2/users, /api",
        "api.example.com, /paths/x, /paths",
        "unknown.example.net, /paths/x, /paths",
    })
    void hostThenPath(String host, String uri, String app) {
        RouteMatch match = TABLE.lookup(host, uri);
        assertEquals(app, match == null ? null : match.app().id());
    }

    @ParameterizedTest
    @CsvSource({"example.org, /x", "unknown.example.net, /x", "api.example.com, /v3/x", "[::1]:8080, /x",
        "'', /x", "cart, /x", ":80, /x"})
    void noRoute(String host, String uri) {
        assertNull(TABLE.lookup(host, uri));
    }

    @Test
    void noHostHeaderFallsBackToPaths() {
        assertEquals("/paths", TABLE.lookup(null, "/paths/").app().id());
        assertNull(TABLE.lookup(null, "/x"));
    }

    @Test
    void theFirstAppKeepsAHostAndTheConflictIsReported() {
        RouteTable table = RouteTable.builder(1)
                .add(app("/one", List.of("www.example.org"), List.of("/")))
                .add(app("/two", List.of("WWW.example.org", "two.example.org"), List.of("/")))
                .build();
        assertEquals("/one", table.lookup("www.example.org", "/").app().id());
        assertEquals("/two", table.lookup("two.example.org", "/").app().id());
        assertEquals(List.of(new RouteTable.HostConflict("www.example.org", "/", "/one", "/two")),
                table.hostConflicts());
    }

    @Test
    void invalidHostPatternsAreRejected() {
        for (String bad : List.of("*", "*.", "a..b", "-a.org", "a b", "a/b", "*.*.org", "a.*.org", "")) {
            assertThrows(IllegalArgumentException.class, () -> HostPatterns.normalize(bad), bad);
        }
        assertEquals("*.example.org", HostPatterns.normalize(" *.Example.ORG "));
    }

    @Test
    void manyHostsLookUpTheSame() {
        RouteTable.Builder b = RouteTable.builder(1);
        List<App> apps = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            App a = app("/app" + i, List.of("app" + i, "app" + i + ".*"), List.of("/"));
            apps.add(a);
            b.add(a);
        }
        RouteTable table = b.build();
        for (int i = 0; i < 10_000; i += 97) {
            assertEquals("/app" + i, table.lookup("App" + i + ".proxy.example.com:80", "/x").app().id());
            assertEquals("/app" + i, table.lookup("app" + i, "/").app().id());
        }
    }
}
