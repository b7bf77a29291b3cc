package io.pacer.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.TestHttpClients;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API over real sockets: {@link AdminServer} serving an {@link AdminApi}. */
class AdminServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminApiTest.FakeDiscovery discovery = new AdminApiTest.FakeDiscovery();
    private volatile String notReady;
    private AdminServer server;
    private AdminApi api;
    private final HttpClient client = TestHttpClients.http11(TIMEOUT);

    @BeforeEach
    void start() throws Exception {
        App app = new App("/web", List.of("/web/"), List.of(new Task("w1", "10.0.0.1", 8001)));
        discovery.table = RouteTable.builder(3).add(app).build();
        discovery.apps = List.of(app);
        discovery.endpoints = List.of(new AdminApi.Endpoint("http://m1:8080", true, "OK"));
        discovery.lastSync = Instant.parse("2024-01-02T03:04:05Z");
        api = new AdminApi("admin-test", "", discovery, () -> "pacer_up 1.0\n", () -> notReady,
                Clock.fixed(Instant.parse("2024-01-02T03:04:05Z"), ZoneOffset.UTC));
        server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), api);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.localAddress().getPort() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> r) {
        return r.headers().firstValue("content-type").orElse(null);
    }

    @Test
    void listensOnTheAddressGiven() {
        InetSocketAddress a = server.localAddress();
        assertEquals("127.0.0.1", a.getAddress().getHostAddress());
        assertTrue(a.getPort() > 0);
    }

    @Test
    void rootAnswersTheVersion() throws Exception {
        HttpResponse<String> r = get("/");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; charset=utf-8", contentType(r));
        assertTrue(r.body().startsWith("version: "), r.body());
        assertTrue(r.headers().firstValue("server").isPresent(), "Pacer names itself");
    }

    @Test
    void healthAnswersJsonAndReadyFollowsReadiness() throws Exception {
        HttpResponse<String> r = get("/v1/health");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", contentType(r));
        JsonNode body = JSON.readTree(r.body());
        assertTrue(body.has("Config") && body.has("Template") && body.has("Endpoints"), r.body());
        assertEquals("http://m1:8080", body.get("Endpoints").get(0).get("Endpoint").asText());

        assertEquals(200, get("/v1/ready").statusCode());

        notReady = "draining";
        r = get("/v1/health");
        assertEquals(200, r.statusCode(), "Nixy's health does not turn on readiness: " + r.body());
        assertEquals("draining", JSON.readTree(r.body()).get("Ready").get("Message").asText());
        HttpResponse<String> ready = get("/v1/ready");
        assertEquals(503, ready.statusCode(), ready.body());
        assertEquals("not ready: draining\n", ready.body());

        notReady = null;
        discovery.endpoints = List.of(new AdminApi.Endpoint("http://m1:8080", false, "refused"));
        assertEquals(500, get("/v1/health").statusCode());
    }

    @Test
    void configAnswersTheModel() throws Exception {
        HttpResponse<String> r = get("/v1/config");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", contentType(r));
        JsonNode body = JSON.readTree(r.body());
        assertEquals("admin-test", body.get("Xproxy").asText());
        assertEquals("2024-01-02T03:04:05Z", body.get("LastUpdates").get("LastSync").asText());
        assertEquals("10.0.0.1:8001", body.get("Apps").get("/web").get("Tasks").get(0).asText());
    }

    @Test
    void reloadAnswers202ToPostAnd405ToGet() throws Exception {
        HttpResponse<String> r = get("/v1/reload");
        assertEquals(405, r.statusCode());
        assertEquals("POST", r.headers().firstValue("allow").orElse(null));
        assertEquals(0, discovery.resyncRequests.get());
        HttpResponse<String> first = client.send(HttpRequest.newBuilder(uri("/v1/reload")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, first.statusCode());
        assertEquals("queued", first.body());
        assertTrue(contentType(first).startsWith("text/plain"));
        discovery.resyncAccepted = false;
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri("/v1/reload")).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, post.statusCode());
        assertEquals("queue is full", post.body());
        assertEquals(2, discovery.resyncRequests.get());
    }

    @Test
    void metricsAnswerPrometheusText() throws Exception {
        for (String path : List.of("/v1/metrics", "/metrics")) {
            HttpResponse<String> r = get(path);
            assertEquals(200, r.statusCode(), path);
            assertEquals("text/plain; version=0.0.4; charset=utf-8", contentType(r), path);
            assertEquals("pacer_up 1.0\n", r.body(), path);
        }
    }

    @Test
    void routesAnswerJson() throws Exception {
        HttpResponse<String> r = get("/v1/routes");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", contentType(r));
        JsonNode body = JSON.readTree(r.body());
        assertEquals(3, body.get("version").asLong());
        assertEquals("/web/", body.get("routes").get(0).get("prefix").asText());
        assertEquals("/web", body.get("routes").get(0).get("app").asText());
    }

    @Test
    void aQueryStringDoesNotChangeThePath() throws Exception {
        HttpResponse<String> r = get("/v1/health?pretty=1");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("application/json", contentType(r));
    }

    @Test
    void unknownPathsAre404() throws Exception {
        HttpResponse<String> r = get("/v2/nothing");
        assertEquals(404, r.statusCode());
        assertTrue(contentType(r).startsWith("text/plain"));
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            List<String> paths = List.of("/", "/v1/health", "/v1/metrics", "/nope", "/v1/routes");
            List<Integer> expected = List.of(200, 200, 200, 404, 200);
            for (int i = 0; i < paths.size(); i++) {
                RawResponse r = raw.send("GET " + paths.get(i) + " HTTP/1.1\r\nHost: admin\r\n\r\n")
                        .readResponse(TIMEOUT);
                assertEquals((int) expected.get(i), r.status(), paths.get(i));
                assertNotNull(r.header("content-length"), "framed by length, so the connection can go on");
                assertEquals(String.valueOf(r.body().length), r.header("content-length"));
                assertFalse("close".equalsIgnoreCase(r.header("connection")), paths.get(i));
            }
            assertFalse(raw.isClosedByPeer(Duration.ofMillis(200)), "still open after five requests");
            RawResponse last = raw.send("GET /metrics HTTP/1.1\r\nHost: admin\r\n\r\n").readResponse(TIMEOUT);
            assertEquals("pacer_up 1.0\n", last.bodyText());
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            raw.send("POST /v1/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"
                    + "GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
            RawResponse first = raw.readResponse(TIMEOUT);
            RawResponse second = raw.readResponse(TIMEOUT);
            assertEquals(202, first.status());
            assertEquals("queued", first.bodyText());
            assertEquals(200, second.status());
            assertEquals("pacer_up 1.0\n", second.bodyText());
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            RawResponse r = raw.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(200, r.status());
            assertEquals("close", r.header("connection"));
            assertTrue(raw.isClosedByPeer(TIMEOUT));
        }
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            RawResponse r = raw.send("GET / HTTP/1.0\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(200, r.status());
            assertTrue(raw.isClosedByPeer(TIMEOUT), "HTTP/1.0 without keep-alive closes");
        }
    }

    @Test
    void headGetsTheHeadOnlyAndTheConnectionGoesOn() throws Exception {
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            RawResponse head = raw.send("HEAD /v1/health HTTP/1.1\r\nHost: a\r\n\r\n").readResponseToHead(TIMEOUT);
            assertEquals(200, head.status());
            assertEquals("application/json", head.header("content-type"));
            RawResponse next = raw.send("GET /metrics HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(200, next.status(), "no body bytes were sent after the HEAD answer");
            assertEquals("pacer_up 1.0\n", next.bodyText());
        }
    }

    @Test
    void aMalformedRequestLineGets400() throws Exception {
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            RawResponse r = raw.send("THIS IS NOT HTTP\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(400, r.status());
            assertTrue(raw.isClosedByPeer(TIMEOUT), "a connection out of sync is closed");
        }
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            RawResponse r = raw.send("GET /v1/health HTTP/9.Z\r\nHost: a\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(400, r.status());
        }
        assertEquals(200, get("/v1/health").statusCode(), "the server still serves");
    }

    @Test
    void aFailingDiscoveryAnswers500AndTheServerCarriesOn() throws Exception {
        server.close();
        AdminApi.Discovery broken = new AdminApiTest.FakeDiscovery() {
            @Override
            public List<App> apps() {
                throw new IllegalStateException("boom");
            }
        };
        AdminApi api = new AdminApi("x", "", broken, () -> "", () -> null, Clock.systemUTC());
        server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), api);
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            RawResponse r = raw.send("GET /v1/config HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(500, r.status());
            RawResponse next = raw.send("GET /v1/health HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(TIMEOUT);
            assertEquals(200, next.status(), "the same connection still works");
        }
    }

    @Test
    void closeStopsListening() throws Exception {
        InetSocketAddress address = server.localAddress();
        assertEquals(200, get("/").statusCode());
        server.close();
        server = null;
        assertThrows(ConnectException.class, () -> RawHttp.connect(address).close());
    }

    /**
     * An admin connection kept alive (a scraper, a load balancer's health check) must not outlive
     * the server. Repeated because whether it does depends on a race inside the event loop's
     * shutdown; each round costs milliseconds when the connection is closed as it should be.
     */
    @Test
    void closeClosesOpenKeepAliveConnections() throws Exception {
        server.close();
        server = null;
        for (int round = 1; round <= 10; round++) {
            AdminServer s = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), api);
            boolean closed = false;
            try (RawHttp raw = RawHttp.connect(s.localAddress())) {
                assertEquals(200, raw.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(TIMEOUT).status());
                closed = true;
                s.close();
                if (!raw.isClosedByPeer(Duration.ofSeconds(2))) {
                    String symptom;
                    try {
                        raw.send("GET /v1/health HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(Duration.ofSeconds(1));
                        symptom = "and still answers";
                    } catch (SocketTimeoutException e) {
                        symptom = "and a request sent on it is never answered (its event loop is gone)";
                    } catch (IOException e) {
                        symptom = "until a request is sent on it (" + e + ")";
                    }
                    fail("round " + round + ": 2 s after AdminServer.close() returned, a keep-alive admin connection"
                            + " is still open " + symptom);
                }
            } finally {
                if (!closed) {
                    s.close();
                }
            }
        }
    }
}
