package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.pacer.proxy.testing.MarathonPayload.app;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pacer.config.PacerConfig;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.MarathonPayload;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.SoakMarathon;
import io.pacer.proxy.testing.TestUpstream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-app options from Marathon labels, end to end: a Marathon serving apps with PACER_* labels,
 * real upstreams, raw clients. Each option changes its app only; bad values fall back or, for access
 * labels, close the app.
 */
class AppLabelOptionsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final String HASH = BCrypt.with(BCrypt.Version.VERSION_2Y).hashToString(4,
            "s3cret".toCharArray());

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private TestUpstream echo;
    private TestUpstream hanging;
    private TestUpstream busy;
    private TestUpstream slow;
    private TestUpstream fast;
    private ServerSocket unaccepting;
    private Pacer pacer;
    private int adminPort;

    @BeforeEach
    void start() throws Exception {
        echo = open.track(TestUpstream.echo("echo"));
        hanging = open.track(TestUpstream.hanging("hanging"));
        busy = open.track(TestUpstream.start("busy", req -> Reply.status(503, "busy")));
        slow = open.track(TestUpstream.start("slow", req -> {
            Thread.sleep(100);
            return Reply.ok("slow");
        }));
        fast = open.track(TestUpstream.echo("fast"));
        // A listener that never accepts, its backlog full: further connection attempts get no answer.
        unaccepting = open.track(new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()));
        for (int i = 0; i < 4; i++) {
            java.net.Socket filler = new java.net.Socket();
            open.track(filler);
            try {
                filler.connect(unaccepting.getLocalSocketAddress(), 200);
            } catch (java.io.IOException full) {
                break; // the backlog is full
            }
        }
        SoakMarathon marathon = open.track(new SoakMarathon(0));
        marathon.publishApps("{\"apps\":[" + String.join(",",
                app("/plain", "{}", echo),
                app("/strip", "{\"PACER_STRIP_PREFIX\":\"true\"}", echo),
                app("/quick", "{\"PACER_READ_TIMEOUT\":\"300ms\"}", hanging),
                app("/noretry", "{\"PACER_NEXT_UPSTREAM\":\"off\"}", busy, echo),
                app("/retry", "{}", busy, echo),
                app("/small", "{\"PACER_MAX_BODY_SIZE\":\"1k\"}", echo),
                app("/office", "{\"PACER_ALLOW\":\"10.0.0.0/8\"}", echo),
                app("/local", "{\"PACER_ALLOW\":\"127.0.0.0/8 ::1\"}", echo),
                app("/typo", "{\"PACER_ALLOW\":\"10.0.0.0/88\",\"PACER_READ_TIMEOUT\":\"soon\"}", echo),
                app("/private", "{\"PACER_AUTH\":\"alice:" + HASH.replace("$", "\\u0024") + "\"}", echo),
                app("/balanced", "{\"PACER_BALANCE\":\"least_request\"}", slow, fast),
                appAt("/connect", "{\"PACER_CONNECT_TIMEOUT\":\"200ms\"}", unaccepting.getLocalPort()))
                + "]}");
        try (ServerSocket free = new ServerSocket(0)) {
            adminPort = free.getLocalPort();
        }
        pacer = open.track(Pacer.start(PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .workerThreads(2)
                .adminPort(adminPort)
                .readTimeout(Duration.ofSeconds(20))
                .connectTimeout(Duration.ofSeconds(20))
                .maxFails(0)
                .marathon(List.of(marathon.uri()))
                .build(), dir.resolve("pacer.toml")));
        Await.until(TIMEOUT, () -> pacer.server().routes().apps().size() == 12, "all apps routed");
    }

    private RawResponse send(String request) throws Exception {
        try (RawHttp raw = RawHttp.connect(pacer.server().localAddress())) {
            return raw.send(request).readResponse(TIMEOUT);
        }
    }

    private RawResponse get(String target, String... headers) throws Exception {
        StringBuilder r = new StringBuilder("GET " + target + " HTTP/1.1\r\nHost: t\r\n");
        for (String h : headers) {
            r.append(h).append("\r\n");
        }
        return send(r.append("\r\n").toString());
    }

    @Test
    void stripPrefixForwardsTheRestWithTheQuery() throws Exception {
        assertEquals(200, get("/strip/api/users?id=7&x=/strip/").status());
        assertEquals("/api/users?id=7&x=/strip/", echo.takeRequest(TIMEOUT).uri());
        assertEquals(200, get("/strip/").status());
        assertEquals("/", echo.takeRequest(TIMEOUT).uri());
        assertEquals(200, get("/plain/api").status());
        assertEquals("/plain/api", echo.takeRequest(TIMEOUT).uri(), "other apps keep their prefix");
    }

    @Test
    void readTimeoutOfOneAppOnly() throws Exception {
        long start = System.nanoTime();
        assertEquals(504, get("/quick/").status());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "300ms, not the global 20s");
    }

    @Test
    void nextUpstreamOffForOneApp() throws Exception {
        // Both apps list busy first; a new table starts each app's round robin at its first task.
        assertEquals(503, get("/noretry/").status(), "off: the first answer is the client's");
        assertEquals(200, get("/retry/").status(), "the default list retries 503 on the next task");
    }

    @Test
    void maxBodySizeOfOneApp() throws Exception {
        String body = "x".repeat(2048);
        String post = "POST %s HTTP/1.1\r\nHost: t\r\nContent-Length: 2048\r\n\r\n" + body;
        assertEquals(413, send(post.formatted("/small/")).status());
        assertEquals(200, send(post.formatted("/plain/")).status());
    }

    @Test
    void allowListsLetInTheirNetworksOnlyAndATypoClosesTheApp() throws Exception {
        assertEquals(403, get("/office/").status(), "127.0.0.1 is not in 10.0.0.0/8");
        assertEquals(200, get("/local/").status());
        assertEquals(403, get("/typo/").status(), "an unreadable PACER_ALLOW closes the app");
        JsonNode routes = admin("/v1/routes").get("routes");
        JsonNode typo = null;
        for (JsonNode r : routes) {
            if (r.get("app").asText().equals("/typo")) {
                typo = r;
            }
        }
        assertEquals("PACER_ALLOW cannot be read", typo.get("closed").asText());
        assertEquals(2, typo.get("label_problems").size(), typo.toString());
    }

    @Test
    void basicAuthWithHtpasswdBcrypt() throws Exception {
        RawResponse none = get("/private/");
        assertEquals(401, none.status());
        assertEquals("Basic realm=\"/private\", charset=\"UTF-8\"", none.header("WWW-Authenticate"));
        assertEquals(401, get("/private/", basic("alice", "wrong")).status());
        assertEquals(401, get("/private/", basic("mallory", "s3cret")).status());
        assertEquals(401, get("/private/", "Authorization: Basic !!!").status());
        assertEquals(200, get("/private/", basic("alice", "s3cret")).status());
        assertEquals(200, get("/private/", basic("alice", "s3cret")).status(), "remembered");
        assertEquals(2, echo.requestCount(), "only the two requests with the right password reached the app");
    }

    @Test
    void balanceOfOneApp() throws Exception {
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
        open.track(clients::shutdownNow);
        List<java.util.concurrent.Future<Integer>> loops = new java.util.ArrayList<>();
        for (int c = 0; c < 8; c++) {
            loops.add(clients.submit(() -> {
                for (int i = 0; i < 20; i++) {
                    assertEquals(200, get("/balanced/").status());
                }
                return 20;
            }));
        }
        for (java.util.concurrent.Future<Integer> loop : loops) {
            loop.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertTrue(fast.requestCount() > 120, "least_request sent " + fast.requestCount() + " of 160 to the fast task");
    }

    @Test
    void connectTimeoutOfOneApp() throws Exception {
        long start = System.nanoTime();
        assertEquals(504, get("/connect/").status());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos(), "200ms, not the global 20s");
    }

    private static String appAt(String id, String labels, int port) {
        return MarathonPayload.app(id, labels, false, List.of(MarathonPayload.task(id, "1", port, null)));
    }

    private static String basic(String user, String password) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode admin(String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + path)).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }
}
