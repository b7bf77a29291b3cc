package io.pacer.discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.pacer.discovery.MarathonModel.healthy;
import static io.pacer.discovery.MarathonModel.killing;
import static io.pacer.discovery.MarathonModel.model;
import static io.pacer.discovery.MarathonModel.routes;
import static io.pacer.discovery.MarathonModel.running;
import static io.pacer.discovery.MarathonModel.unhealthy;
import static io.pacer.discovery.MarathonModel.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.pacer.core.RouteTable;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MarathonSource} against WireMock as Marathon's API and {@link FakeMarathon} as its live
 * event stream, over real loopback sockets.
 */
class MarathonSourceTest {

    private static final String USER = "ops";
    private static final String PASS = "s3cret";
    private static final String BASIC = "Basic " + Base64.getEncoder()
            .encodeToString((USER + ":" + PASS).getBytes(StandardCharsets.UTF_8));

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private WireMockServer wiremock;
    private FakeMarathon marathon;
    private final Published published = new Published();
    private MarathonSource source;

    @BeforeEach
    void setUp() throws Exception {
        wiremock = wiremock();
        marathon = fake(wiremock);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (source != null) {
            source.close();
        }
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private WireMockServer wiremock() {
        WireMockServer server = MarathonSourceFixture.marathonApi();
        toClose.add(server::stop);
        return server;
    }

    private FakeMarathon fake(WireMockServer backend) throws Exception {
        FakeMarathon fake = new FakeMarathon(backend.baseUrl());
        toClose.add(fake);
        return fake;
    }

    private static MarathonSettings settings(URI... urls) {
        return MarathonSourceFixture.quickSettings(urls)
                .withCredentials(USER, PASS)
                .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    private MarathonSource start(MarathonSettings settings) {
        source = new MarathonSource(settings, published);
        source.start();
        return source;
    }

    private static void stubApps(WireMockServer server, MarathonModel model) {
        model.stubOn(server);
    }

    private static int appReads(WireMockServer server, String appId) {
        return server.findAll(getRequestedFor(urlPathEqualTo("/v2/apps" + appId))).size();
    }

    private static int appsRequests(WireMockServer server) {
        return server.findAll(getRequestedFor(urlPathEqualTo("/v2/apps"))).size();
    }

    private static String statusUpdate(String appId, String taskId, String state) {
        ObjectNode e = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        e.put("slaveId", "20150707-153709-201330860-5050-12052-S0").put("taskId", taskId).put("taskStatus", state)
                .put("message", "").put("appId", appId).put("host", "10.0.0.1");
        e.putArray("ports").add(31000);
        e.putArray("ipAddresses").addObject().put("ipAddress", "172.17.0.2").put("protocol", "IPv4");
        e.put("version", "2015-09-11T22:11:03.156Z").put("eventType", "status_update_event")
                .put("timestamp", "2015-09-30T12:47:11.286Z");
        return e.toString();
    }

    private static String simpleEvent(String type, String appId) {
        return "{\"eventType\":\"" + type + "\",\"timestamp\":\"2014-03-01T23:29:30.158Z\",\"appId\":\"" + appId + "\"}";
    }

    private static String attached() {
        return "{\"remoteAddress\":\"127.0.0.1\",\"eventType\":\"event_stream_attached\","
                + "\"timestamp\":\"2015-09-30T12:44:30.061Z\"}";
    }

    private void awaitStream(FakeMarathon fake) {
        Await.until("an open event stream on " + fake.url(), () -> fake.openStreams() > 0
                && source.status().streamConnected());
    }

    @Test
    void initialSyncPublishesVersionOneAndSendsCredentialsOnEveryCall() throws Exception {
        stubApps(wiremock, model()
                .app("/web", running("web.1", "10.0.0.1", 31001), running("web.2", "10.0.0.2", 31002))
                .app("/shop/cart", running("cart.1", "10.0.0.3", 31003)));
        start(settings(marathon.uri()));
        assertTrue(source.awaitInitialSync(Duration.ofSeconds(10)));
        RouteTable table = published.await(routes("/shop/cart", "10.0.0.3:31003",
                "/web", "10.0.0.1:31001", "10.0.0.2:31002"));
        assertEquals(1, table.version());
        assertEquals(MarathonSource.THREAD_NAME, published.entries().get(0).thread());
        assertSame(table, source.current());
        awaitStream(marathon);
        Await.until("a ping", () -> source.status().endpoints().get(0).lastChecked() != null);

        // /v2/apps: both embeds, gzip accepted, basic auth.
        List<LoggedRequest> syncs = wiremock.findAll(getRequestedFor(urlPathEqualTo("/v2/apps")));
        assertFalse(syncs.isEmpty());
        for (LoggedRequest r : syncs) {
            assertEquals(List.of("apps.tasks", "apps.readiness"), r.queryParameter("embed").values());
            assertEquals(BASIC, r.getHeader("Authorization"));
            assertTrue(r.getHeader("Accept-Encoding").contains("gzip"), r.getHeader("Accept-Encoding"));
        }
        assertTrue(marathon.gzippedAnswers() > 0, "the app list came gzipped and was read");
        for (LoggedRequest r : wiremock.findAll(getRequestedFor(urlPathEqualTo("/ping")))) {
            assertEquals(BASIC, r.getHeader("Authorization"));
        }
        // /v2/events: exactly text/event-stream, basic auth.
        FakeMarathon.Request events = marathon.requests("/v2/events").get(0);
        assertEquals("GET", events.method());
        assertEquals(List.of("text/event-stream"), events.headers("Accept"));
        assertEquals(BASIC, events.header("Authorization"));

        MarathonStatus status = source.status();
        assertEquals(marathon.url(), status.endpointInUse());
        assertEquals(marathon.url() + "/v2/events", status.streamUrl());
        assertTrue(status.streamConnected());
        assertEquals(1, status.tableVersion());
        assertNotNull(status.lastSyncSuccess());
        assertNotNull(status.lastSyncAttempt());
        assertNotNull(status.lastResyncDuration());
        assertNull(status.lastSyncError());
        assertTrue(status.anyEndpointHealthy());
        assertEquals("OK", status.endpoints().get(0).message());
        assertTrue(status.resyncs() >= 1);
        assertEquals(Map.of(), status.syncFailures());

        // What the admin API's /v1/config renders.
        List<MarathonApp> apps = source.marathonApps();
        assertEquals(List.of("/web", "/shop/cart"), apps.stream().map(MarathonApp::id).toList());
        MarathonApp web = apps.get(0);
        assertEquals("zeus", web.label("owner"));
        assertEquals("/db/password", web.env().get("PASSWORD").get("secret").textValue());
        assertEquals("Test", web.env().get("XPS1").textValue());
        assertEquals("DOCKER", web.container().get("type").textValue());
        assertTrue(web.healthChecks().isArray());
        assertTrue(web.portDefinitions().isArray());
        assertEquals("agent0", web.tasks().get(0).slaveId());
        assertEquals(List.of("/web", "/shop/cart"), source.apps().stream().map(a -> a.id()).toList());
    }

    @Test
    void noUserMeansNoAuthorizationHeader() throws Exception {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()).withCredentials(null, null));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        wiremock.verify(getRequestedFor(urlPathEqualTo("/v2/apps")).withHeader("Authorization", absent()));
        assertNull(marathon.requests("/v2/events").get(0).header("Authorization"));
    }

    @Test
    void credentialsInTheUrlAreUsedAndNeverShown() throws Exception {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        URI withUser = URI.create("http://alice:pw@127.0.0.1:" + marathon.uri().getPort());
        start(settings(withUser));
        published.await(routes("/web", "10.0.0.1:31001"));
        String alice = "Basic " + Base64.getEncoder().encodeToString("alice:pw".getBytes(StandardCharsets.UTF_8));
        wiremock.verify(getRequestedFor(urlPathEqualTo("/v2/apps")).withHeader("Authorization", equalTo(alice)));
        assertEquals(marathon.url(), source.status().endpointInUse());
        assertFalse(source.settings().toString().contains("pw"), source.settings().toString());
    }

    @Test
    void appAddedScaledUnhealthyKilledAndRemovedReachTheTable() {
        stubApps(wiremock, model().appWithHealthChecks("/web", healthy("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        int versions = published.count();

        // Added.
        stubApps(wiremock, model()
                .appWithHealthChecks("/web", healthy("web.1", "10.0.0.1", 31001))
                .app("/api", running("api.1", "10.0.0.9", 32001)));
        marathon.emit("api_post_event", "{\"eventType\":\"api_post_event\",\"clientIp\":\"10.0.0.5\","
                + "\"uri\":\"/v2/apps/api\",\"appDefinition\":{\"id\":\"/api\",\"instances\":1}}");
        published.await(routes("/api", "10.0.0.9:32001", "/web", "10.0.0.1:31001"));

        // Scaled: two new tasks, healthy.
        stubApps(wiremock, model()
                .appWithHealthChecks("/web", healthy("web.1", "10.0.0.1", 31001), healthy("web.2", "10.0.0.2", 31002),
                        healthy("web.3", "10.0.0.3", 31003))
                .app("/api", running("api.1", "10.0.0.9", 32001)));
        marathon.emit("status_update_event", statusUpdate("/web", "web.3", "TASK_RUNNING"));
        published.await(routes("/api", "10.0.0.9:32001",
                "/web", "10.0.0.1:31001", "10.0.0.2:31002", "10.0.0.3:31003"));

        // Unhealthy: a health check result says alive false.
        stubApps(wiremock, model()
                .appWithHealthChecks("/web", healthy("web.1", "10.0.0.1", 31001), unhealthy("web.2", "10.0.0.2", 31002),
                        healthy("web.3", "10.0.0.3", 31003))
                .app("/api", running("api.1", "10.0.0.9", 32001)));
        marathon.emit("health_status_changed_event", "{\"eventType\":\"health_status_changed_event\","
                + "\"appId\":\"/web\",\"instanceId\":\"web.marathon-2\",\"version\":\"2014-04-04T06:26:23.051Z\","
                + "\"alive\":false,\"timestamp\":\"2014-03-01T23:29:30.158Z\"}");
        published.await(routes("/api", "10.0.0.9:32001", "/web", "10.0.0.1:31001", "10.0.0.3:31003"));

        // Killed: TASK_KILLING is no longer routed.
        stubApps(wiremock, model()
                .appWithHealthChecks("/web", healthy("web.1", "10.0.0.1", 31001), unhealthy("web.2", "10.0.0.2", 31002),
                        killing("web.3", "10.0.0.3", 31003))
                .app("/api", running("api.1", "10.0.0.9", 32001)));
        marathon.emit("status_update_event", statusUpdate("/web", "web.3", "TASK_KILLING"));
        published.await(routes("/api", "10.0.0.9:32001", "/web", "10.0.0.1:31001"));

        // Removed.
        stubApps(wiremock, model()
                .appWithHealthChecks("/web", healthy("web.1", "10.0.0.1", 31001), unhealthy("web.2", "10.0.0.2", 31002),
                        killing("web.3", "10.0.0.3", 31003)));
        marathon.emit("app_terminated_event", simpleEvent("app_terminated_event", "/api"));
        RouteTable last = published.await(routes("/web", "10.0.0.1:31001"));

        // One table per change: the resyncs that saw nothing new published nothing.
        assertEquals(versions + 5, published.count());
        assertEquals(versions + 5, last.version());
        Map<String, Long> events = source.status().eventsByType();
        assertEquals(2L, events.get("status_update_event"));
        assertEquals(1L, events.get("app_terminated_event"));
        assertEquals(0, source.status().malformedEvents());
    }

    @Test
    void taskEventsTheModelAlreadyShowsCostNoRequestAndPublishNothing() throws Exception {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        Await.until("idle", () -> idle());
        int before = appsRequests(wiremock);
        long eventsBefore = source.status().eventsReceived();
        for (int i = 0; i < 3; i++) {
            marathon.emit("status_update_event", statusUpdate("/web", "web.1", "TASK_RUNNING"));
        }
        Await.until("three events", () -> source.status().eventsReceived() == eventsBefore + 3 && idle());
        assertEquals(before, appsRequests(wiremock));
        assertEquals(0, appReads(wiremock, "/web"));
        assertEquals(1, published.count());
        assertEquals(1, source.current().version());
    }

    private boolean idle() {
        return MarathonSourceFixture.idle(source);
    }

    @Test
    void aBurstOfAThousandEventsCollapsesIntoAFewAppReadsAndNoFullSync() {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        Await.until("idle", this::idle);
        long eventsBefore = source.status().eventsReceived();
        int before = appsRequests(wiremock);

        // Tasks the model has not seen: only a read of their app can tell their ports and health.
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 999; i++) {
            burst.append(FakeMarathon.frame("status_update_event", statusUpdate("/web", "web." + i, "TASK_RUNNING")));
        }
        marathon.write(burst.toString());
        // The state the last event announces.
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001), running("web.2", "10.0.0.2", 31002)));
        marathon.emit("status_update_event", statusUpdate("/web", "web.2", "TASK_RUNNING"));

        published.await(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002"));
        Await.until(() -> "all 1000 events and no read left, saw " + source.status().eventsReceived(),
                Await.DEFAULT, () -> source.status().eventsReceived() - eventsBefore == 1000 && idle());
        int reads = appReads(wiremock, "/web");
        System.out.println("1000 events caused " + reads + " reads of /v2/apps/web");
        assertTrue(reads >= 1 && reads <= 20, reads + " app reads");
        assertEquals(before, appsRequests(wiremock), "no full sync");
        assertEquals(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002"), view(source.current()));
    }

    @Test
    void periodicResyncRunsWithoutEvents() {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()).withResyncInterval(Duration.ofMillis(150)));
        published.await(routes("/web", "10.0.0.1:31001"));
        int before = appsRequests(wiremock);
        Await.until("three periodic resyncs", () -> appsRequests(wiremock) >= before + 3);
        stubApps(wiremock, model().app("/web", running("web.2", "10.0.0.2", 31002)));
        published.await(routes("/web", "10.0.0.2:31002"));
    }

    @Test
    void aSlowAppListTimesOutAndKeepsTheTable() {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()).withRequestTimeout(Duration.ofMillis(400)));
        RouteTable good = published.await(routes("/web", "10.0.0.1:31001"));
        wiremock.stubFor(get(urlPathEqualTo("/v2/apps")).willReturn(
                okJson(model().app("/web", running("web.2", "10.0.0.2", 31002)).json()).withFixedDelay(1500)));
        source.requestResync();
        Await.until(() -> "a timeout: " + source.status(), Await.DEFAULT,
                () -> source.status().syncFailures().getOrDefault("timeout", 0L) >= 1);
        assertSame(good, source.current());
        assertTrue(source.status().lastSyncError().contains("Timeout"), source.status().lastSyncError());
    }

    @Test
    void droppedStreamIsReopenedAndResynced() {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        assertEquals(1, marathon.eventStreamsOpened());

        // Changed while nobody listens: only a resync after reattaching can see it.
        stubApps(wiremock, model().app("/web", running("web.2", "10.0.0.2", 31002)));
        marathon.closeStreams();
        published.await(routes("/web", "10.0.0.2:31002"));
        Await.until("a second stream", () -> marathon.eventStreamsOpened() == 2 && source.status().streamConnected());
        assertTrue(source.status().streamFailures().getOrDefault("closed", 0L) >= 1, source.status().toString());
        assertEquals(2, source.status().streamsOpened());
    }

    @Test
    void silentStreamIsDroppedByTheWatchdogButHeartbeatsKeepItOpen() throws Exception {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        // Short enough for a quick test, long enough for a loaded two-core CI machine.
        start(settings(marathon.uri()).withStreamWatchdog(Duration.ofMillis(500)));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        // Silence: dropped and reopened.
        Await.until("a watchdog reconnect", Duration.ofSeconds(5), () -> marathon.eventStreamsOpened() >= 2);
        assertTrue(source.status().streamFailures().getOrDefault("watchdog", 0L) >= 1, source.status().toString());
        awaitStream(marathon);

        // Heartbeats every 50 ms: the stream stays for three watchdog periods.
        ScheduledExecutorService beat = Executors.newSingleThreadScheduledExecutor();
        try {
            beat.scheduleAtFixedRate(marathon::heartbeat, 0, 50, TimeUnit.MILLISECONDS);
            int opened = marathon.eventStreamsOpened();
            long watchdogs = source.status().streamFailures().getOrDefault("watchdog", 0L);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < end) {
                assertEquals(opened, marathon.eventStreamsOpened(), "a heartbeating stream was dropped");
                Thread.sleep(20);
            }
            assertEquals(watchdogs, source.status().streamFailures().getOrDefault("watchdog", 0L));
        } finally {
            beat.shutdownNow();
        }
    }

    @Test
    void standbyRedirectIsFollowedWithTheCredentials() {
        WireMockServer leader = wiremock();
        String sse = FakeMarathon.frame("event_stream_attached", attached())
                + FakeMarathon.frame("status_update_event", statusUpdate("/web", "web.1", "TASK_RUNNING"));
        leader.stubFor(get(urlPathEqualTo("/v2/events")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/event-stream").withBody(sse)));
        WireMockServer standby = wiremock();
        standby.stubFor(get(urlPathEqualTo("/v2/events")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", leader.baseUrl() + "/v2/events")));
        stubApps(standby, model().app("/web", running("web.1", "10.0.0.1", 31001)));

        start(settings(URI.create(standby.baseUrl())));
        published.await(routes("/web", "10.0.0.1:31001"));
        Await.until("the leader's stream", () -> !leader.findAll(getRequestedFor(urlPathEqualTo("/v2/events"))).isEmpty());
        leader.verify(getRequestedFor(urlPathEqualTo("/v2/events"))
                .withHeader("Authorization", equalTo(BASIC))
                .withHeader("Accept", equalTo("text/event-stream")));
        standby.verify(getRequestedFor(urlPathEqualTo("/v2/events")).withHeader("Authorization", equalTo(BASIC)));
        // The leader's stream delivers events (then WireMock ends it, and it is reopened).
        Await.until("events from the leader", () -> source.status().eventsByType()
                .getOrDefault("status_update_event", 0L) >= 1);
        assertEquals(standby.baseUrl(), source.status().endpointInUse());
    }

    @Test
    void redirectLoopsAreBounded() {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        wiremock.stubFor(get(urlPathEqualTo("/v2/events")).willReturn(aResponse().withStatus(302)
                .withHeader("Location", "/v2/events")));
        start(settings(URI.create(wiremock.baseUrl())).withMaxRedirects(3));
        published.await(routes("/web", "10.0.0.1:31001"));
        Await.until("a redirect failure", () -> source.status().streamFailures().getOrDefault("redirects", 0L) >= 1);
        assertTrue(wiremock.findAll(getRequestedFor(urlPathEqualTo("/v2/events"))).size() >= 4);
        assertFalse(source.status().streamConnected());
    }

    @Test
    void errorAnswersAndGarbageKeepTheLastTable() {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()));
        RouteTable good = published.await(routes("/web", "10.0.0.1:31001"));
        Await.until("idle", this::idle);

        record Bad(String cause, int status, String contentType, String body, String inMessage) { }
        List<Bad> answers = List.of(
                new Bad("http_401", 401, "application/json", "{\"message\":\"Invalid username or password.\"}",
                        "Invalid username or password."),
                new Bad("http_500", 500, "text/plain", "boom", "HTTP 500"),
                new Bad("http_503", 503, "application/json",
                        "{\"message\":\"Could not determine the current leader\"}", "current leader"),
                new Bad("parse", 200, "text/html", "<html><body>Bad Gateway</body></html>", "not valid JSON"),
                new Bad("parse", 200, "application/json", "{\"apps\":[{\"id\":\"/web\"", "not valid JSON"),
                new Bad("parse", 200, "application/json", "{\"message\":\"no apps here\"}", "no apps here"));
        for (Bad bad : answers) {
            long failures = source.status().syncFailures().getOrDefault(bad.cause(), 0L);
            wiremock.stubFor(get(urlPathEqualTo("/v2/apps")).willReturn(aResponse().withStatus(bad.status())
                    .withHeader("Content-Type", bad.contentType()).withBody(bad.body())));
            source.requestResync();
            Await.until(() -> bad + " to be counted: " + source.status(), Await.DEFAULT,
                    () -> source.status().syncFailures().getOrDefault(bad.cause(), 0L) > failures);
            MarathonStatus status = source.status();
            assertNotNull(status.lastSyncError());
            assertTrue(status.lastSyncError().contains(bad.inMessage()), status.lastSyncError());
            assertSame(good, source.current());
            assertEquals(1, published.count());
            assertEquals(1, status.tableVersion());
        }
        // Failed syncs are retried by themselves: no event needed once Marathon is fine again.
        stubApps(wiremock, model().app("/web", running("web.2", "10.0.0.2", 31002)));
        RouteTable next = published.await(routes("/web", "10.0.0.2:31002"));
        assertEquals(2, next.version());
        Await.until("the error to clear", () -> source.status().lastSyncError() == null);
    }

    @Test
    void failsOverToTheSecondUrlWhileTheFirstFailsPingAndBack() throws Exception {
        WireMockServer wiremock2 = wiremock();
        FakeMarathon marathon2 = fake(wiremock2);
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        stubApps(wiremock2, model().app("/web", running("web.2", "10.0.0.2", 31002)));
        start(settings(marathon.uri(), marathon2.uri()));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        Await.until("both pinged", () -> source.status().endpoints().stream().allMatch(e -> e.lastChecked() != null));
        assertEquals(marathon.url(), source.status().endpointInUse());

        wiremock.stubFor(get(urlPathEqualTo("/ping")).willReturn(aResponse().withStatus(503)
                .withBody("{\"message\":\"Could not determine the current leader\"}")));
        published.await(routes("/web", "10.0.0.2:31002"));
        awaitStream(marathon2);
        MarathonStatus status = source.status();
        assertEquals(marathon2.url(), status.endpointInUse());
        assertFalse(status.endpoints().get(0).healthy());
        assertTrue(status.endpoints().get(0).message().contains("503"), status.endpoints().get(0).message());
        assertTrue(status.endpoints().get(1).healthy());
        assertTrue(status.anyEndpointHealthy());
        Await.until("the first stream closed", () -> marathon.openStreams() == 0);

        // Events now come from the second.
        stubApps(wiremock2, model().app("/web", running("web.2", "10.0.0.2", 31002), running("web.3", "10.0.0.3", 31003)));
        marathon2.emit("status_update_event", statusUpdate("/web", "web.3", "TASK_RUNNING"));
        published.await(routes("/web", "10.0.0.2:31002", "10.0.0.3:31003"));

        // The first answers again: it is first in the list, so it is used again.
        wiremock.stubFor(get(urlPathEqualTo("/ping")).willReturn(aResponse().withStatus(200).withBody("pong")));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        assertEquals(marathon.url(), source.status().endpointInUse());
    }

    @Test
    void readinessResultsFromEmbedAreHonoured() {
        stubApps(wiremock, model().appWithReadiness("/web", Map.of("web.2", false),
                running("web.1", "10.0.0.1", 31001), running("web.2", "10.0.0.2", 31002)));
        start(settings(marathon.uri()));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        stubApps(wiremock, model().appWithReadiness("/web", Map.of("web.2", true),
                running("web.1", "10.0.0.1", 31001), running("web.2", "10.0.0.2", 31002)));
        marathon.emit("instance_health_changed_event", "{\"instanceId\":\"web.marathon-2\",\"healthy\":true,"
                + "\"runSpecId\":\"/web\",\"eventType\":\"instance_health_changed_event\"}");
        published.await(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002"));
    }

    @Test
    void malformedEventIsCountedAndStillResyncs() {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        try (LogCapture logs = LogCapture.of(MarathonSource.class)) {
            start(settings(marathon.uri()));
            published.await(routes("/web", "10.0.0.1:31001"));
            awaitStream(marathon);
            stubApps(wiremock, model().app("/web", running("web.2", "10.0.0.2", 31002)));
            marathon.emit("status_update_event", "{\"taskId\": \"web.2\", \"taskStatus\": TASK_RUN");
            published.await(routes("/web", "10.0.0.2:31002"));
            marathon.emit("status_update_event", "not json either");
            Await.until("two malformed events", () -> source.status().malformedEvents() == 2);
            assertEquals(2L, source.status().eventsByType().get("status_update_event"));
            long warnings = logs.warnings().stream().filter(w -> w.contains("Malformed Marathon event")).count();
            assertEquals(1, warnings, logs.warnings().toString());
        }
        // The stream stays open through malformed events.
        assertEquals(1, marathon.eventStreamsOpened());
    }

    @Test
    void requestResyncIsQueuedOnceUntilItStarts() {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        MarathonSource notStarted = new MarathonSource(settings(marathon.uri()), published);
        assertFalse(notStarted.requestResync());
        notStarted.close();

        start(settings(marathon.uri()).withCoalesceDelay(Duration.ofSeconds(1)));
        published.await(routes("/web", "10.0.0.1:31001"));
        Await.until("idle", this::idle);
        int before = appsRequests(wiremock);
        assertTrue(source.requestResync());
        assertFalse(source.requestResync());
        Await.until("the resync", () -> appsRequests(wiremock) == before + 1 && idle());
        assertTrue(source.requestResync());
        source.close();
        assertFalse(source.requestResync());
    }

    @Test
    void closeStopsEveryThreadAndIsIdempotent() throws Exception {
        stubApps(wiremock, model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(marathon.uri()));
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream(marathon);
        source.close();
        source.close();
        Await.until("the stream to close", () -> marathon.openStreams() == 0);
        Await.until("no pacer-marathon thread", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && t.getName().startsWith(MarathonSource.THREAD_NAME)));
        int count = published.count();
        stubApps(wiremock, model().app("/web", running("web.2", "10.0.0.2", 31002)));
        assertFalse(source.requestResync());
        assertEquals(count, published.count());
    }

    @Test
    void eventToTableLatency() {
        stubApps(wiremock, model().app("/web", running("web.0", "10.0.0.1", 30000)));
        start(settings(marathon.uri()));
        published.await(routes("/web", "10.0.0.1:30000"));
        awaitStream(marathon);
        // Warm up: the JIT and the connection pool.
        List<Long> millis = new ArrayList<>();
        for (int i = 1; i <= 60; i++) {
            Await.until("idle", this::idle);
            int port = 30000 + i;
            stubApps(wiremock, model().app("/web", running("web." + i, "10.0.0.1", port)));
            int seen = published.count();
            long sent = System.nanoTime();
            marathon.emit("status_update_event", statusUpdate("/web", "web." + i, "TASK_RUNNING"));
            published.await(routes("/web", "10.0.0.1:" + port));
            assertEquals(seen + 1, published.count());
            if (i > 10) {
                millis.add(TimeUnit.NANOSECONDS.toMicros(published.entries().get(seen).nanos() - sent));
            }
        }
        Collections.sort(millis);
        double median = millis.get(millis.size() / 2) / 1000.0;
        double p90 = millis.get((int) Math.ceil(millis.size() * 0.9) - 1) / 1000.0;
        System.out.printf("event-to-table latency over %d events on loopback: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
                millis.size(), median, p90, millis.get(millis.size() - 1) / 1000.0);
        System.out.printf("each event names a new task, so each costs one read of /v2/apps/web through the test's"
                + " forwarding front to WireMock%n");
        assertTrue(median < 1000, "median " + median + " ms");
    }
}
