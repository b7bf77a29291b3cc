package io.pacer.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.PacerConfig;
import io.pacer.proxy.Pacer;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.HeadlessChromium;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.SoakMarathon;
import io.pacer.proxy.testing.TestUpstream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The dashboard at {@code /ui/} in a real headless Chromium, fed by a Pacer that follows a live
 * (fake) Marathon: the token taken once from the address and kept in an HttpOnly cookie, and an app
 * added to Marathon appearing on the page without a reload. {@code -Dpacer.ui.screenshot=FILE}
 * saves what the page looked like (the README's picture).
 */
class DashboardChromiumTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String TOKEN = "d2b5c0a4e9f1437b8a6c5d4e";

    @RegisterExtension
    final Closer open = new Closer();

    private HeadlessChromium chromium;
    private SoakMarathon marathon;
    private TestUpstream first;
    private TestUpstream second;
    private String ui;
    private Pacer pacer;

    @BeforeEach
    void start() throws Exception {
        String executable = HeadlessChromium.executable();
        Assumptions.assumeTrue(executable != null,
                "no chromium on the PATH (Debian: apt-get install chromium, or set PACER_CHROMIUM); the dashboard was"
                        + " not tried in a browser");
        first = open.track(TestUpstream.start("first", req -> Reply.ok("first")));
        second = open.track(TestUpstream.start("second", req -> Reply.ok("second")));
        marathon = open.track(new SoakMarathon(0));
        marathon.publishApps("{\"apps\":[" + app("/shop/cart", first.port(), "") + "]}");
        PacerConfig config = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .adminListen(new InetSocketAddress("127.0.0.1", 0))
                .adminToken(TOKEN)
                .workerThreads(1)
                .marathon(List.of(marathon.uri()))
                .build();
        pacer = open.track(Pacer.start(config, Path.of("pacer.toml")));
        ui = "http://127.0.0.1:" + pacer.admin().localAddress().getPort() + "/ui/";
        chromium = open.track(HeadlessChromium.start(executable, 1200, 640));
    }

    private static String app(String id, int port, String labels) {
        String task = id.substring(1).replace('/', '_');
        return "{\"id\":\"" + id + "\",\"labels\":{" + labels + "},\"healthChecks\":[],\"tasks\":[{\"id\":\"" + task
                + ".t" + port + "\",\"appId\":\"" + id + "\",\"host\":\"127.0.0.1\",\"ports\":[" + port
                + "],\"state\":\"TASK_RUNNING\"}]}";
    }

    private static String row(String appId) {
        return "document.querySelector('tr[data-app=\"" + appId + "\"]')";
    }

    @Test
    void anAppAddedToMarathonAppearsWithoutAReload() throws Exception {
        chromium.navigate(ui + "?token=" + TOKEN);
        Await.until(TIMEOUT, () -> chromium.isTrue(row("/shop/cart") + " !== null"), "/shop/cart on the page");
        assertEquals(ui, chromium.evaluate("location.href").asText(), "the token left the address");
        assertEquals("", chromium.evaluate("document.cookie").asText(), "HttpOnly: no script can read the token");
        String cart = chromium.evaluate(row("/shop/cart") + ".innerText").asText();
        assertTrue(cart.contains("/shop/cart/") && cart.contains("/cart.shop/"), "prefixes: " + cart);
        assertTrue(cart.contains("127.0.0.1:" + first.port() + " healthy"), "the task and its state: " + cart);
        Await.until(TIMEOUT, () -> chromium.isTrue("document.getElementById('live').textContent === 'live'"),
                "the event stream is live");
        assertEquals("connected", chromium.evaluate("document.getElementById('stream').textContent").asText());

        // A mark that only survives if the page is never loaded again.
        chromium.evaluate("window.pacerMark = 'kept'");
        long before = chromium.evaluate("Number(document.body.dataset.version)").asLong();
        marathon.publishApps("{\"apps\":[" + app("/shop/cart", first.port(), "") + ","
                + app("/search", second.port(), "\"subdomain\":\"find\"") + "]}");

        Await.until(TIMEOUT, () -> chromium.isTrue(row("/search") + " !== null"), "/search on the page");
        assertEquals("kept", chromium.evaluate("window.pacerMark").asText(), "the page was not reloaded");
        String search = chromium.evaluate(row("/search") + ".innerText").asText();
        assertTrue(search.contains("/find/") && search.contains("127.0.0.1:" + second.port() + " healthy"), search);
        assertTrue(chromium.evaluate("Number(document.body.dataset.version)").asLong() > before, "a newer table");

        // Traffic shows as a rate within a second or two.
        HttpClient client = HttpClient.newHttpClient();
        URI cartUri = URI.create("http://127.0.0.1:" + pacer.server().localAddress().getPort() + "/shop/cart/x");
        String rate = row("/shop/cart") + ".children[4].textContent";
        Await.until(TIMEOUT, () -> {
            for (int i = 0; i < 20; i++) {
                send(client, cartUri);
            }
            return chromium.isTrue("!['0.0', '\u2013'].includes(" + rate + ")");
        }, "a request rate for /shop/cart on the page");
        assertTrue(chromium.evaluate(rate).asDouble() > 0, chromium.evaluate(rate).asText());
        assertEquals(List.of(), chromium.exceptions(), "the page's scripts threw nothing");

        String screenshot = System.getProperty("pacer.ui.screenshot");
        if (screenshot != null && !screenshot.isBlank()) {
            Files.write(Path.of(screenshot), chromium.screenshot());
        }
    }

    private static void send(HttpClient client, URI uri) {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void withoutTheTokenThePageSaysHowToOpenIt() throws Exception {
        chromium.navigate(ui);
        Await.until(TIMEOUT, () -> chromium.isTrue("document.body !== null && document.body.innerText.length > 0"),
                "an answer");
        assertTrue(chromium.evaluate("document.body.innerText").asText().contains("open /ui/?token=<admin_token> once"));

        chromium.navigate(ui + "?token=wrong-token-wrong-token");
        Await.until(TIMEOUT, () -> chromium.isTrue("document.body !== null"
                + " && document.body.innerText.includes('wrong admin token')"), "the wrong token refused");
        assertTrue(chromium.evaluate("location.href").asText().endsWith("?token=wrong-token-wrong-token"),
                "no redirect for a wrong token");

        // The cookie opens the dashboard only: the rest of the admin API still wants the bearer token.
        chromium.navigate(ui + "?token=" + TOKEN);
        Await.until(TIMEOUT, () -> chromium.isTrue(row("/shop/cart") + " !== null"), "the dashboard");
        chromium.navigate(URI.create(ui).resolve("/v1/config").toString());
        Await.until(TIMEOUT, () -> chromium.isTrue("document.body !== null && document.body.innerText.length > 0"),
                "an answer");
        assertTrue(chromium.evaluate("document.body.innerText").asText().contains("wants Authorization: Bearer"),
                chromium.evaluate("document.body.innerText").asText());
    }
}
