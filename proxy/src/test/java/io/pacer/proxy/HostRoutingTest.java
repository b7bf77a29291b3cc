package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.pacer.proxy.testing.MarathonPayload.app;
import static io.pacer.proxy.testing.MarathonPayload.apps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pacer.config.PacerConfig;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.SoakMarathon;
import io.pacer.proxy.testing.TestUpstream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Routing by Host end to end, from a Marathon serving real payload shapes: Nixy's default template
 * ({@code route_by = "host"}), explicit virtual hosts ({@code PACER_VHOST}, marathon-lb's
 * {@code HAPROXY_0_VHOST} and {@code HAPROXY_0_PATH}) and their precedence, conflicts reported.
 */
class HostRoutingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private Pacer pacer;
    private int adminPort;

    private void start(SoakMarathon marathon, UnaryOperator<PacerConfig.Builder> extra) throws Exception {
        try (ServerSocket free = new ServerSocket(0)) {
            adminPort = free.getLocalPort();
        }
        pacer = open.track(Pacer.start(extra.apply(PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("hosts")
                .workerThreads(2)
                .adminPort(adminPort)
                .marathon(List.of(marathon.uri()))).build(), dir.resolve("pacer.toml")));
        Await.until(Duration.ofSeconds(10), () -> pacer.server().routes().version() > 0, "first table");
    }

    private RawResponse get(String host, String target) throws Exception {
        try (RawHttp raw = RawHttp.connect(pacer.server().localAddress())) {
            return raw.send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").readResponse(TIMEOUT);
        }
    }

    private void assertServedBy(String upstream, String host, String target) throws Exception {
        RawResponse r = get(host, target);
        assertEquals(200, r.status(), () -> host + " " + target + ": " + r);
        assertEquals(upstream, r.header(TestUpstream.UPSTREAM_HEADER), () -> host + " " + target);
    }

    private JsonNode admin(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + path)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    @Test
    void hostModeServesEveryNixyNameAndNothingElse() throws Exception {
        TestUpstream cart = open.track(TestUpstream.echo("cart"));
        TestUpstream web = open.track(TestUpstream.echo("web"));
        SoakMarathon marathon = open.track(new SoakMarathon(0));
        marathon.publishApps(apps(app("/shop/cart", "{}", cart), app("/web", "{\"subdomain\":\"www blog\"}", web)));
        start(marathon, cfg -> cfg.routeByHost(true));

        assertServedBy("cart", "cart.shop", "/shop/cart/x");
        assertServedBy("cart", "Cart.Shop:8080", "/");
        assertServedBy("cart", "cart.shop.proxy-1.example.com", "/any/path?q=1");
        assertServedBy("web", "www.example.com", "/");
        assertServedBy("web", "blog", "/");
        assertEquals("/any/path?q=1", cart.requests().get(2).uri(), "the path goes upstream unchanged");
        assertEquals(503, get("unknown.example.com", "/shop/cart/").status(), "no path routing in host mode");
        assertEquals(503, get("web", "/").status(), "web is not one of the app's names");

        JsonNode apps = admin("/v1/config").get("Apps");
        assertEquals("cart.shop", apps.get("/shop/cart").get("Hosts").get(0).asText(), "Nixy's Hosts[0]");
        assertEquals(List.of("www", "blog"), texts(apps.get("/web").get("Hosts")));
        List<String> hosts = new ArrayList<>();
        admin("/v1/routes").get("hosts").forEach(h -> hosts.add(h.get("host").asText() + " " + h.get("app").asText()));
        assertEquals(List.of("cart.shop /shop/cart", "cart.shop.* /shop/cart", "www /web", "www.* /web",
                "blog /web", "blog.* /web"), hosts);
    }

    @Test
    void explicitVirtualHostsComeBeforePathsWithNginxPrecedenceAndConflictsShow() throws Exception {
        TestUpstream exact = open.track(TestUpstream.echo("exact"));
        TestUpstream wildcard = open.track(TestUpstream.echo("wildcard"));
        TestUpstream lb = open.track(TestUpstream.echo("lb"));
        TestUpstream loser = open.track(TestUpstream.echo("loser"));
        SoakMarathon marathon = open.track(new SoakMarathon(0));
        marathon.publishApps(apps(
                app("/exact", "{\"PACER_VHOST\":\"shop.example.org\"}", exact),
                app("/wildcard", "{\"PACER_VHOST\":\"*.example.org\"}", wildcard),
                app("/lb", "{\"HAPROXY_0_VHOST\":\"api.example.org\",\"HAPROXY_0_PATH\":\"/v1\"}", lb),
                app("/loser", "{\"PACER_VHOST\":\"SHOP.example.org\"}", loser)));
        start(marathon, UnaryOperator.identity());

        assertServedBy("exact", "shop.example.org", "/anything");
        assertServedBy("wildcard", "other.example.org", "/anything");
        assertServedBy("lb", "api.example.org", "/v1/users");
        // api.example.org is lb's host: a path it does not serve falls back to path routing, not to *.example.org.
        assertEquals(503, get("api.example.org", "/v2/users").status());
        assertServedBy("loser", "no-vhost.test", "/loser/x"); // path routing stays in path mode
        JsonNode conflicts = admin("/v1/routes").get("conflicts");
        assertEquals(1, conflicts.size(), conflicts.toString());
        assertEquals("shop.example.org", conflicts.get(0).get("host").asText());
        assertEquals("/exact", conflicts.get(0).get("owner").asText());
        assertEquals("/loser", conflicts.get(0).get("loser").asText());
        assertTrue(exact.requestCount() > 0 && loser.requestCount() == 1);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
