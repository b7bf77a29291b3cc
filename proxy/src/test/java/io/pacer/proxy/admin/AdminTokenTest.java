package io.pacer.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.TestHttpClients;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code admin_token} over a real socket: which endpoints want it, and what a missing or wrong one gets. */
class AdminTokenTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String TOKEN = "4f1c2e9a7b3d5e6f8a9b0c1d";

    private final AdminApiTest.FakeDiscovery discovery = new AdminApiTest.FakeDiscovery();
    private final HttpClient client = TestHttpClients.http11(TIMEOUT);
    private AdminServer server;

    @BeforeEach
    void start() throws Exception {
        App app = new App("/web", List.of("/web/"), List.of(new Task("w1", "10.0.0.1", 8001)));
        discovery.table = RouteTable.builder(1).add(app).build();
        discovery.apps = List.of(app);
        AdminApi api = new AdminApi("token-test", "", discovery, () -> "pacer_up 1.0\n", () -> null, Clock.systemUTC());
        server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), api, TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> send(String method, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.localAddress().getPort()
                + path)).timeout(TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthReadinessAndMetricsNeedNoToken() throws Exception {
        for (String path : List.of("/v1/health", "/v1/ready", "/metrics", "/v1/metrics")) {
            assertEquals(200, send("GET", path, null).statusCode(), path);
            assertEquals(200, send("GET", path, "Bearer wrong-token-wrong-token").statusCode(),
                    "a wrong token on an open path is ignored: " + path);
        }
    }

    @Test
    void everythingElseWantsTheToken() throws Exception {
        for (String path : List.of("/", "/v1/config", "/v1/routes", "/nope")) {
            HttpResponse<String> r = send("GET", path, null);
            assertEquals(401, r.statusCode(), path);
            assertEquals("Bearer realm=\"pacer\"", r.headers().firstValue("WWW-Authenticate").orElse(null), path);
            assertEquals("this admin API wants Authorization: Bearer <admin_token>\n", r.body());
        }
        assertEquals(200, send("GET", "/v1/config", "Bearer " + TOKEN).statusCode());
        assertEquals(200, send("GET", "/v1/routes", "bearer " + TOKEN).statusCode(), "the scheme is case-insensitive");
        assertEquals(404, send("GET", "/nope", "Bearer " + TOKEN).statusCode(), "404 only once authorized");
    }

    @Test
    void aWrongTokenIs401AndQueuesNothing() throws Exception {
        for (String auth : List.of("Bearer " + TOKEN + "x", "Bearer " + TOKEN.substring(1), "Bearer ",
                "Basic " + TOKEN, TOKEN, "Bearer " + TOKEN.toUpperCase())) {
            HttpResponse<String> r = send("POST", "/v1/reload", auth);
            assertEquals(401, r.statusCode(), auth);
            assertFalse(r.body().contains(TOKEN), "the token is never echoed");
        }
        HttpResponse<String> wrong = send("POST", "/v1/reload", "Bearer not-the-token-at-all");
        assertEquals("Bearer realm=\"pacer\", error=\"invalid_token\"",
                wrong.headers().firstValue("WWW-Authenticate").orElse(null));
        assertEquals("wrong admin token\n", wrong.body());
        assertEquals(0, discovery.resyncRequests.get(), "no resync without the token");

        HttpResponse<String> ok = send("POST", "/v1/reload", "Bearer " + TOKEN);
        assertEquals(202, ok.statusCode());
        assertEquals(1, discovery.resyncRequests.get());
        assertEquals(405, send("GET", "/v1/reload", "Bearer " + TOKEN).statusCode(), "the method is checked too");
    }

    @Test
    void aRefusedRequestKeepsTheConnection() throws Exception {
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            RawResponse refused = raw.send("GET /v1/config HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(401, refused.status());
            RawResponse next = raw.send("GET /v1/config HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer " + TOKEN
                    + "\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(200, next.status());
            assertTrue(next.bodyText().contains("\"Xproxy\" : \"token-test\""), next.bodyText());
        }
    }
}
