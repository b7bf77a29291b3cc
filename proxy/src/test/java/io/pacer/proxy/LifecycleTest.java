package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.pacer.config.ConfigException;
import io.pacer.config.PacerConfig;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestHttpClients;
import io.pacer.proxy.testing.TestUpstream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole Pacer through {@link Pacer#start}: discovery (apps file or a fake Marathon) feeding the
 * data plane, the admin API's readiness, and graceful shutdown.
 */
class LifecycleTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpClient http = TestHttpClients.http11(TIMEOUT);
    private final ExecutorService background = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lifecycle-test");
        t.setDaemon(true);
        return t;
    });
    private Pacer pacer;
    private int adminPort;

    @AfterEach
    void closeAll() throws Exception {
        if (pacer != null && !pacer.server().isDraining()) {
            pacer.close(); // a Pacer whose shutdown began closes itself
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        background.shutdownNow();
        assertTrue(background.awaitTermination(10, TimeUnit.SECONDS));
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Marathon's {@code /v2/apps?embed=apps.tasks} shape: app {@code /app} with one running task per port. */
    private static String appsJson(int... ports) {
        StringBuilder tasks = new StringBuilder();
        for (int port : ports) {
            if (tasks.length() > 0) {
                tasks.append(", ");
            }
            tasks.append("{\"id\": \"app.t").append(port).append("\", \"appId\": \"/app\", \"host\": \"127.0.0.1\", ")
                    .append("\"ports\": [").append(port).append("], \"state\": \"TASK_RUNNING\", ")
                    .append("\"healthCheckResults\": []}");
        }
        return "{\"apps\": [{\"id\": \"/app\", \"labels\": {}, \"env\": {}, \"healthChecks\": [], \"tasks\": ["
                + tasks + "]}]}\n";
    }

    private Pacer start(UnaryOperator<PacerConfig.Builder> custom) throws Exception {
        adminPort = freePort();
        PacerConfig.Builder b = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("lifecycle")
                .workerThreads(2)
                .adminPort(adminPort)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(10))
                .shutdownGrace(Duration.ofSeconds(5));
        pacer = Pacer.start(custom.apply(b).build(), dir.resolve("pacer.toml"));
        return pacer;
    }

    private Pacer startWithApps(Duration grace, TestUpstream... upstreams) throws Exception {
        int[] ports = new int[upstreams.length];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = upstreams[i].port();
        }
        Path apps = dir.resolve("apps.json");
        Files.writeString(apps, appsJson(ports));
        return start(b -> b.appsFile(apps).shutdownGrace(grace));
    }

    private HttpResponse<String> admin(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                .timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> proxied(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + pacer.server().localAddress().getPort()
                + path)).timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Asks the admin API every 20 ms until {@code path} answers {@code status}; returns that answer. */
    private HttpResponse<String> awaitAdminStatus(String path, int status, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() - deadline < 0) {
            last = admin(path);
            if (last.statusCode() == status) {
                return last;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        fail(path + " did not answer " + status + " within " + timeout.toMillis() + " ms; last answer: "
                + (last == null ? "none" : last.statusCode() + " " + last.body()));
        return null;
    }

    private static boolean refused(InetSocketAddress address) {
        try {
            RawHttp.connect(address, Duration.ofSeconds(1)).close();
            return false;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: pacer.test\r\n\r\n";
    }

    // ---- readiness -----------------------------------------------------------------------------

    @Test
    void healthIs200OnceTheAppsFileIsLoaded() throws Exception {
        TestUpstream a = track(TestUpstream.start("a", req -> Reply.ok("from a")));
        TestUpstream b = track(TestUpstream.start("b", req -> Reply.ok("from b")));
        startWithApps(Duration.ofSeconds(5), a, b);
        assertNotNull(pacer.admin(), "adminPort set: the admin API runs");
        assertEquals(adminPort, pacer.admin().localAddress().getPort());
        assertNull(pacer.notReadyReason());

        HttpResponse<String> health = admin("/v1/health");
        assertEquals(200, health.statusCode(), health.body());
        JsonNode body = JSON.readTree(health.body());
        assertTrue(body.get("Ready").get("Healthy").asBoolean(), health.body());
        assertEquals(0, body.get("Endpoints").size());

        JsonNode config = JSON.readTree(admin("/v1/config").body());
        assertEquals("lifecycle", config.get("Xproxy").asText());
        JsonNode tasks = config.get("Apps").get("/app").get("Tasks");
        assertEquals(2, tasks.size(), config.toString());
        assertFalse(config.get("LastUpdates").get("LastSync").isNull(), "the file load counts as a sync");

        JsonNode routes = JSON.readTree(admin("/v1/routes").body());
        assertEquals("/app/", routes.get("routes").get(0).get("prefix").asText());

        HttpResponse<String> first = proxied("/app/x");
        HttpResponse<String> second = proxied("/app/x");
        assertEquals(200, first.statusCode());
        assertEquals(200, second.statusCode());
        assertEquals(List.of("from a", "from b"), List.of(first.body(), second.body()).stream().sorted().toList(),
                "both tasks of the file take traffic");

        HttpResponse<String> metrics = admin("/v1/metrics");
        assertEquals(200, metrics.statusCode());
        assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    }

    /** A fake Marathon: {@code /ping} answers 200; {@code /v2/apps} 503 until it is given a body. */
    private static final class FakeMarathon implements AutoCloseable {
        final HttpServer server;
        final ExecutorService executor = Executors.newCachedThreadPool();
        final AtomicInteger appsCalls = new AtomicInteger();
        final AtomicInteger eventsCalls = new AtomicInteger();
        volatile String apps;
        volatile int pingStatus = 200;

        FakeMarathon() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(executor);
            server.createContext("/ping", ex -> answer(ex, pingStatus, "text/plain", "pong"));
            server.createContext("/v2/events", ex -> {
                eventsCalls.incrementAndGet();
                answer(ex, 503, "application/json", "{\"message\":\"Could not determine the current leader\"}");
            });
            server.createContext("/v2/apps", ex -> {
                appsCalls.incrementAndGet();
                String body = apps;
                if (body == null) {
                    answer(ex, 503, "application/json", "{\"message\":\"Could not determine the current leader\"}");
                } else {
                    answer(ex, 200, "application/json", body);
                }
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private static void answer(HttpExchange ex, int status, String type, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", type);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Test
    void withMarathonDownReadyIs503UntilTheFirstSyncThen200() throws Exception {
        TestUpstream up = track(TestUpstream.start("m", req -> Reply.ok("via marathon")));
        FakeMarathon marathon = track(new FakeMarathon());
        start(b -> b.marathon(List.of(marathon.uri())));

        Await.until(TIMEOUT, () -> marathon.appsCalls.get() >= 1, "Pacer asked Marathon for /v2/apps");
        HttpResponse<String> notReady = admin("/v1/ready");
        assertEquals(503, notReady.statusCode(), notReady.body());
        assertEquals("not ready: no route table loaded yet\n", notReady.body());
        HttpResponse<String> health = admin("/v1/health");
        assertEquals(200, health.statusCode(), "Marathon answers its ping, as Nixy reads health: " + health.body());
        JsonNode body = JSON.readTree(health.body());
        assertFalse(body.get("Ready").get("Healthy").asBoolean());
        assertEquals("no route table loaded yet", body.get("Ready").get("Message").asText());
        assertEquals(1, body.get("Endpoints").size(), health.body());
        assertTrue(body.get("Endpoints").get(0).get("Healthy").asBoolean(), "/ping answers 200: " + health.body());
        assertEquals("no route table loaded yet", pacer.notReadyReason());

        HttpResponse<String> early = proxied("/app/x");
        assertEquals(503, early.statusCode(), "no table yet: the data plane answers 503");
        assertEquals(0, up.requestCount());

        marathon.apps = appsJson(up.port());
        HttpResponse<String> ready = awaitAdminStatus("/v1/ready", 200, Duration.ofSeconds(10));
        assertEquals("ready\n", ready.body());
        assertTrue(JSON.readTree(admin("/v1/health").body()).get("Ready").get("Healthy").asBoolean());
        assertNull(pacer.notReadyReason());

        HttpResponse<String> served = proxied("/app/x");
        assertEquals(200, served.statusCode());
        assertEquals("via marathon", served.body());
        JsonNode config = JSON.readTree(admin("/v1/config").body());
        assertEquals("127.0.0.1:" + up.port(), config.get("Apps").get("/app").get("Tasks").get(0).asText());
        assertFalse(config.get("LastUpdates").get("LastSync").isNull());
        assertTrue(marathon.eventsCalls.get() >= 1, "the event stream was tried too");
    }

    @Test
    void healthIs500WhenTheOnlyMarathonFailsItsPing() throws Exception {
        TestUpstream up = track(TestUpstream.start("p", req -> Reply.ok("ok")));
        FakeMarathon marathon = track(new FakeMarathon());
        marathon.apps = appsJson(up.port());
        start(b -> b.marathon(List.of(marathon.uri())));
        awaitAdminStatus("/v1/health", 200, Duration.ofSeconds(10));
        // /v1/health is 200 before the first table too (Nixy's meaning); /v1/ready waits for it.
        awaitAdminStatus("/v1/ready", 200, Duration.ofSeconds(10));

        marathon.pingStatus = 503;
        // Endpoints are pinged every 2 s.
        HttpResponse<String> down = awaitAdminStatus("/v1/health", 500, Duration.ofSeconds(6));
        JsonNode endpoint = JSON.readTree(down.body()).get("Endpoints").get(0);
        assertFalse(endpoint.get("Healthy").asBoolean(), down.body());
        assertTrue(endpoint.get("Message").asText().contains("503"), down.body());
        assertEquals(200, proxied("/app/x").statusCode(), "the last table keeps serving meanwhile");
        assertEquals(200, admin("/v1/ready").statusCode(), "so the balancer in front keeps sending traffic");
    }

    // ---- failing starts ------------------------------------------------------------------------

    @Test
    void aStartThatCannotBindTheAdminPortFailsAndReleasesTheDataPlane() throws Exception {
        TestUpstream up = track(TestUpstream.start("x", req -> Reply.ok("x")));
        Path apps = dir.resolve("apps.json");
        Files.writeString(apps, appsJson(up.port()));
        int listenPort = freePort();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            PacerConfig config = PacerConfig.builder()
                    .listen(new InetSocketAddress("127.0.0.1", listenPort))
                    .xproxy("lifecycle")
                    .workerThreads(2)
                    .appsFile(apps)
                    .adminPort(taken.getLocalPort())
                    .build();
            Exception e = assertThrows(Exception.class,
                    () -> Pacer.start(config, dir.resolve("pacer.toml")));
            assertEquals("port 127.0.0.1:" + taken.getLocalPort() + ": address already in use", e.getMessage(),
                    "Nixy's port key and the address it made");
        }
        try (ServerSocket again = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress())) {
            assertEquals(listenPort, again.getLocalPort(), "the data plane's port was released");
        }
    }

    @Test
    void aBrokenAppsFileIsAConfigurationError() throws Exception {
        Path apps = dir.resolve("apps.json");
        Files.writeString(apps, "{\"apps\": [ {\"id\": ");
        int listenPort = freePort();
        PacerConfig config = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", listenPort))
                .xproxy("lifecycle")
                .appsFile(apps)
                .build();
        ConfigException e = assertThrows(
                ConfigException.class, () -> Pacer.start(config, dir.resolve("pacer.toml")));
        assertTrue(e.getMessage().contains("apps_file"), e.getMessage());
        assertTrue(e.getMessage().contains(apps.toString()), e.getMessage());
        assertTrue(refused(new InetSocketAddress("127.0.0.1", listenPort)), "nothing listens");
    }

    // ---- graceful shutdown ---------------------------------------------------------------------

    @Test
    void shutdownDrainsInFlightRequestsAndRefusesNewOnes() throws Exception {
        TestUpstream up = track(TestUpstream.start("slow", req -> req.path().equals("/app/fast")
                ? Reply.ok("fast")
                : Reply.ok("done " + req.path()).delayed(Duration.ofSeconds(1))));
        startWithApps(Duration.ofSeconds(5), up);
        InetSocketAddress address = pacer.server().localAddress();

        RawHttp idle = track(RawHttp.connect(address));
        RawResponse warm = idle.send(get("/app/fast")).readResponse(TIMEOUT);
        assertEquals(200, warm.status());
        assertNull(warm.header("connection"), "a keep-alive connection, idle from now on");

        List<RawHttp> clients = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            clients.add(track(RawHttp.connect(address)).send(get("/app/slow-" + i)));
        }
        Await.until(TIMEOUT, () -> up.requestCount() == 11, () -> "upstream got " + up.requestCount() + " of 11");

        long started = System.nanoTime();
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(pacer::shutdown, background);
        Await.until(TIMEOUT, () -> pacer.server().isDraining(), "shutdown began");

        assertTrue(idle.isClosedByPeer(Duration.ofMillis(500)), "the idle keep-alive connection is closed at once");
        Await.until(Duration.ofSeconds(2), () -> refused(address), "new connections are refused while draining");
        HttpResponse<String> ready = admin("/v1/ready");
        assertEquals(503, ready.statusCode(), "a draining instance says so: " + ready.body());
        assertEquals("not ready: draining\n", ready.body());
        assertEquals("draining", JSON.readTree(admin("/v1/health").body()).get("Ready").get("Message").asText());
        assertFalse(shutdown.isDone(), "still draining: ten requests are in flight");

        for (int i = 0; i < 10; i++) {
            RawResponse r = clients.get(i).readResponse(TIMEOUT);
            assertEquals(200, r.status(), "client " + i);
            assertEquals("done /app/slow-" + i, r.bodyText(), "client " + i + " got its whole body");
            assertEquals("close", r.header("connection"), "client " + i + " is told the connection closes");
            assertTrue(clients.get(i).isClosedByPeer(TIMEOUT), "client " + i + " connection closed after its answer");
        }
        shutdown.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis < 3000, "shutdown returned after " + tookMillis + " ms, well before the 5 s grace");
        assertEquals(11, up.requestCount(), "nothing was retried or lost");

        assertTrue(refused(address), "the data plane stays closed");
        assertTrue(refused(new InetSocketAddress("127.0.0.1", adminPort)), "the admin API is stopped too");
        pacer = null;
    }

    @Test
    void shutdownCutsARequestThatOutlastsTheGrace() throws Exception {
        TestUpstream up = track(TestUpstream.start("slower", req -> Reply.ok("too late").delayed(Duration.ofSeconds(5))));
        startWithApps(Duration.ofMillis(300), up);
        RawHttp client = track(RawHttp.connect(pacer.server().localAddress())).send(get("/app/long"));
        up.takeRequest(TIMEOUT);

        long started = System.nanoTime();
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(pacer::shutdown, background);
        shutdown.get(4, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMillis >= 250, "waited for the grace period first: " + tookMillis + " ms");
        assertTrue(tookMillis < 3000, "returned soon after the 300 ms grace: " + tookMillis + " ms");

        try {
            RawResponse r = client.readResponse(Duration.ofSeconds(2));
            fail("the cut request got an answer: " + r);
        } catch (EOFException | SocketException expected) {
            // closed (or reset) without an answer
        } catch (SocketTimeoutException e) {
            fail("the connection of the cut request was left open");
        }
        assertTrue(refused(new InetSocketAddress("127.0.0.1", adminPort)), "the admin API is stopped");
        pacer = null;
    }

    @Test
    void closingAPacerThatWasShutDownIsHarmless() throws Exception {
        TestUpstream up = track(TestUpstream.start("c", req -> Reply.ok("c")));
        startWithApps(Duration.ofSeconds(1), up);
        Pacer p = pacer;
        p.shutdown();
        assertTrue(refused(new InetSocketAddress("127.0.0.1", adminPort)));
        // Pacer is AutoCloseable: try-with-resources around a Pacer that was shut down closes it again.
        assertDoesNotThrow(p::close, "close() after shutdown()");
        pacer = null;
    }
}
