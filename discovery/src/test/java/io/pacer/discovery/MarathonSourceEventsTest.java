package io.pacer.discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.pacer.discovery.MarathonModel.healthy;
import static io.pacer.discovery.MarathonModel.model;
import static io.pacer.discovery.MarathonModel.routes;
import static io.pacer.discovery.MarathonModel.running;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Events change the model directly: task events with no request to Marathon at all, app events
 * with one read of that app; a full read that disagrees with the result is counted as drift.
 * Events are shaped as Marathon sends them ({@code marathon/events}).
 */
class MarathonSourceEventsTest {

    private WireMockServer wiremock;
    private FakeMarathon marathon;
    private MarathonSource source;
    private final Published published = new Published();

    @BeforeEach
    void setUp() throws Exception {
        wiremock = MarathonSourceFixture.marathonApi();
        marathon = new FakeMarathon(wiremock.baseUrl());
    }

    @AfterEach
    void tearDown() {
        MarathonSourceFixture.stop(source, marathon, wiremock);
    }

    private void start(MarathonModel model) {
        model.stubOn(wiremock);
        source = new MarathonSource(MarathonSourceFixture.quickSettings(marathon.uri()), published);
        source.start();
        Await.until("an open event stream", () -> marathon.openStreams() > 0 && source.status().streamConnected());
        Await.until("idle", this::idle);
        wiremock.resetRequests();
    }

    private boolean idle() {
        return MarathonSourceFixture.idle(source);
    }

    private int requests(String path) {
        return wiremock.findAll(getRequestedFor(urlPathEqualTo(path))).size();
    }

    private static String statusUpdate(String appId, String taskId, String state, String host, int port) {
        return "{\"slaveId\":\"20150707-153709-201330860-5050-12052-S0\",\"taskId\":\"" + taskId + "\",\"taskStatus\":\""
                + state + "\",\"message\":\"\",\"appId\":\"" + appId + "\",\"host\":\"" + host + "\",\"ports\":[" + port
                + "],\"ipAddresses\":[{\"ipAddress\":\"" + host + "\",\"protocol\":\"IPv4\"}],"
                + "\"version\":\"2015-09-11T22:11:03.156Z\",\"eventType\":\"status_update_event\","
                + "\"timestamp\":\"2015-09-30T12:47:11.286Z\"}";
    }

    private static String healthStatus(String appId, String instanceId, boolean alive) {
        return "{\"eventType\":\"health_status_changed_event\",\"timestamp\":\"2014-03-01T23:29:30.158Z\",\"appId\":\""
                + appId + "\",\"instanceId\":\"" + instanceId + "\",\"version\":\"2014-04-04T06:26:23.051Z\",\"alive\":"
                + alive + "}";
    }

    private static String instanceHealth(String appId, String instanceId, boolean healthy) {
        return "{\"instanceId\":\"" + instanceId + "\",\"runSpecVersion\":\"2014-03-01T23:29:30.158Z\",\"healthy\":"
                + healthy + ",\"runSpecId\":\"" + appId + "\",\"timestamp\":\"2014-03-01T23:29:30.158Z\","
                + "\"eventType\":\"instance_health_changed_event\"}";
    }

    private static String instanceChanged(String appId, String instanceId, String condition) {
        return "{\"instanceId\":\"" + instanceId + "\",\"condition\":\"" + condition + "\",\"runSpecId\":\"" + appId
                + "\",\"agentId\":\"20140909-054127-177048842-5050-1494-0\",\"host\":\"slave-1234.acme.org\","
                + "\"runSpecVersion\":\"2014-03-01T23:29:30.158Z\",\"timestamp\":\"2014-03-01T23:29:30.158Z\","
                + "\"eventType\":\"instance_changed_event\"}";
    }

    @Test
    void taskEventsChangeTheRoutesWithoutAnyRequestToMarathon() {
        start(model().appWithHealthChecks("/web", healthy("web.1", "10.0.0.1", 31001),
                healthy("web.2", "10.0.0.2", 31002), healthy("web.3", "10.0.0.3", 31003)));
        published.await(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002", "10.0.0.3:31003"));

        marathon.emit("status_update_event", statusUpdate("/web", "web.3", "TASK_KILLING", "10.0.0.3", 31003));
        published.await(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002"));
        marathon.emit("health_status_changed_event", healthStatus("/web", "web.marathon-2", false));
        published.await(routes("/web", "10.0.0.1:31001"));
        marathon.emit("instance_health_changed_event", instanceHealth("/web", "web.marathon-2", true));
        published.await(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002"));
        marathon.emit("instance_changed_event", instanceChanged("/web", "web.marathon-1", "Killed"));
        published.await(routes("/web", "10.0.0.2:31002"));
        marathon.emit("unhealthy_instance_kill_event", "{\"appId\":\"/web\",\"taskId\":\"web.2\",\"instanceId\":"
                + "\"web.marathon-2\",\"version\":\"2016-03-16T13:05:00.590Z\",\"reason\":\"500 Internal Server Error\","
                + "\"host\":\"10.0.0.2\",\"slaveId\":\"4fb620fa-S0\",\"eventType\":\"unhealthy_instance_kill_event\","
                + "\"timestamp\":\"2016-03-21T09:15:10.764Z\"}");
        published.await(routes());
        marathon.emit("status_update_event", statusUpdate("/web", "web.3", "TASK_KILLED", "10.0.0.3", 31003));

        Await.until("six events and idle", () -> source.status().eventsByType().values().stream()
                .mapToLong(Long::longValue).sum() >= 7 && idle());
        assertEquals(0, requests("/v2/apps"), "no full read");
        assertEquals(0, requests("/v2/apps/web"), "no app read");
        assertEquals(0, source.status().appReads());
    }

    @Test
    void appEventsReadOnlyTheirAppAndTerminationRemovesIt() {
        start(model().app("/web", running("web.1", "10.0.0.1", 31001)));
        published.await(routes("/web", "10.0.0.1:31001"));

        model().app("/web", running("web.1", "10.0.0.1", 31001)).app("/api", running("api.1", "10.0.0.9", 32001))
                .stubOn(wiremock);
        marathon.emit("api_post_event", "{\"eventType\":\"api_post_event\",\"timestamp\":\"2014-03-01T23:29:30.158Z\","
                + "\"clientIp\":\"0:0:0:0:0:0:0:1\",\"uri\":\"/v2/apps/api\",\"appDefinition\":{\"id\":\"/api\","
                + "\"instances\":1,\"cmd\":\"sleep 30\",\"env\":{},\"healthChecks\":[]}}");
        published.await(routes("/api", "10.0.0.9:32001", "/web", "10.0.0.1:31001"));
        List<LoggedRequest> reads = wiremock.findAll(getRequestedFor(urlPathEqualTo("/v2/apps/api")));
        assertEquals(1, reads.size());
        assertEquals(List.of("app.tasks", "app.readiness"), reads.get(0).queryParameter("embed").values());

        // A deployment scaling /web: the plan names the app.
        model().app("/web", running("web.1", "10.0.0.1", 31001), running("web.2", "10.0.0.2", 31002))
                .app("/api", running("api.1", "10.0.0.9", 32001)).stubOn(wiremock);
        marathon.emit("deployment_step_success", "{\"eventType\":\"deployment_step_success\",\"timestamp\":"
                + "\"2014-03-01T23:29:30.158Z\",\"plan\":{\"id\":\"867e\",\"steps\":[{\"actions\":[{\"action\":"
                + "\"ScaleApplication\",\"app\":\"/web\"}]}],\"version\":\"2014-03-01T23:24:14.846Z\"},"
                + "\"currentStep\":{\"actions\":[{\"action\":\"ScaleApplication\",\"app\":\"/web\"}]}}");
        published.await(routes("/api", "10.0.0.9:32001", "/web", "10.0.0.1:31001", "10.0.0.2:31002"));

        marathon.emit("app_terminated_event", "{\"eventType\":\"app_terminated_event\",\"timestamp\":"
                + "\"2014-03-01T23:29:30.158Z\",\"appId\":\"/api\"}");
        published.await(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002"));
        Await.until("idle", this::idle);
        assertEquals(0, requests("/v2/apps"), "no full read");
        assertEquals(1, requests("/v2/apps/api"));
        assertEquals(1, requests("/v2/apps/web"));
    }

    @Test
    void anEventDuringTheFirstFullReadIsAppliedOnTopOfItsAnswer() {
        // The answer is taken when the read starts, and arrives a second later.
        wiremock.stubFor(get(urlPathEqualTo("/v2/apps")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withFixedDelay(1000)
                .withBody(model().app("/web", running("web.1", "10.0.0.1", 31001),
                        running("web.2", "10.0.0.2", 31002)).json())));
        source = new MarathonSource(MarathonSettings.of(List.of(marathon.uri()))
                .withPing(Duration.ofMillis(100), Duration.ofSeconds(3))
                .withRequestTimeout(Duration.ofSeconds(5)), published);
        source.start();
        Await.until("the first read in flight", () -> requests("/v2/apps") == 1 && marathon.openStreams() > 0);
        marathon.emit("status_update_event", statusUpdate("/web", "web.2", "TASK_KILLED", "10.0.0.2", 31002));
        published.await(routes("/web", "10.0.0.1:31001"));
        assertEquals(1, published.count(), "the first table already has the event applied");
    }

    @Test
    void anAppReadThatFailsFallsBackToAFullRead() {
        start(model().app("/web", running("web.1", "10.0.0.1", 31001)));
        published.await(routes("/web", "10.0.0.1:31001"));
        model().app("/web", running("web.1", "10.0.0.1", 31001), running("web.2", "10.0.0.2", 31002)).stubOn(wiremock);
        wiremock.stubFor(get(urlPathEqualTo("/v2/apps/web")).willReturn(aResponse().withStatus(503)
                .withBody("{\"message\":\"Could not determine the current leader\"}")));
        marathon.emit("status_update_event", statusUpdate("/web", "web.2", "TASK_RUNNING", "10.0.0.2", 31002));
        published.await(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002"));
        assertEquals(1, requests("/v2/apps"));
        assertEquals(1L, source.status().syncFailures().get("app"));
    }

    @Test
    void aFullReadThatDisagreesWithTheEventsIsCountedAsDrift() {
        start(model().app("/web", running("web.1", "10.0.0.1", 31001)));
        published.await(routes("/web", "10.0.0.1:31001"));
        source.requestResync();
        Await.until("an agreeing full read", () -> requests("/v2/apps") == 1 && idle());
        assertEquals(0, source.status().drifts());

        // Marathon changed and no event said so.
        model().app("/web", running("web.2", "10.0.0.2", 31002)).stubOn(wiremock);
        source.requestResync();
        published.await(routes("/web", "10.0.0.2:31002"));
        assertEquals(1, source.status().drifts());
        assertEquals(1, source.status().driftedApps());
    }
}
