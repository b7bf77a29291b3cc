package io.pacer.discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.pacer.discovery.MarathonModel.model;
import static io.pacer.discovery.MarathonModel.routes;
import static io.pacer.discovery.MarathonModel.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.pacer.core.RouteTable;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The discovery loop never wedges: a listener that throws an {@code Error}, an app list that never
 * finishes arriving and one too large to hold each fail one sync, are logged and counted, show in
 * {@link MarathonSource#syncProblem()}, and the next change still reaches the table.
 */
class MarathonSourceWedgeTest {

    private WireMockServer wiremock;
    private FakeMarathon marathon;
    private MarathonSource source;

    @BeforeEach
    void setUp() throws Exception {
        wiremock = MarathonSourceFixture.marathonApi();
        marathon = new FakeMarathon(wiremock.baseUrl());
    }

    @AfterEach
    void tearDown() {
        MarathonSourceFixture.stop(source, marathon, wiremock);
    }

    private MarathonSettings settings() {
        return MarathonSourceFixture.quickSettings(marathon.uri())
                .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(200));
    }

    private void stubApps(MarathonModel model) {
        model.stubOn(wiremock);
    }

    private MarathonSource start(MarathonSettings settings, Consumer<RouteTable> listener) {
        source = new MarathonSource(settings, listener);
        source.start();
        return source;
    }

    private void awaitStream() {
        Await.until("an open event stream", () -> marathon.openStreams() > 0 && source.status().streamConnected());
    }

    private static String statusUpdate(String appId, String taskId, String state) {
        return "{\"slaveId\":\"20150707-153709-201330860-5050-12052-S0\",\"taskId\":\"" + taskId + "\",\"taskStatus\":\""
                + state + "\",\"message\":\"\",\"appId\":\"" + appId + "\",\"host\":\"10.0.0.2\",\"ports\":[31002],"
                + "\"version\":\"2015-09-11T22:11:03.156Z\",\"eventType\":\"status_update_event\","
                + "\"timestamp\":\"2015-09-30T12:47:11.286Z\"}";
    }

    @Test
    void aListenerThrowingAnErrorIsLoggedCountedAndTheNextChangeStillPublishes() {
        Published published = new Published();
        AtomicInteger calls = new AtomicInteger();
        stubApps(model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings(), table -> {
            published.accept(table);
            if (calls.incrementAndGet() == 1) {
                // What the issue saw: the heap ran out while the new table was being installed.
                throw new OutOfMemoryError("simulated: Java heap space");
            }
        });
        published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream();
        Await.until("the Error counted", () -> source.status().unexpectedErrors() == 1);

        stubApps(model().app("/web", running("web.1", "10.0.0.1", 31001), running("web.2", "10.0.0.2", 31002)));
        marathon.emit("status_update_event", statusUpdate("/web", "web.2", "TASK_RUNNING"));
        RouteTable next = published.await(routes("/web", "10.0.0.1:31001", "10.0.0.2:31002"));
        assertEquals(2, next.version());
        assertSame(next, source.current());
        assertNull(source.syncProblem());
        assertTrue(source.requestResync(), "a resync can still be queued");
    }

    @Test
    void anAppListThatNeverFinishesFailsTheSyncAndTheLoopGoesOn() throws Exception {
        Published published = new Published();
        stubApps(model().app("/web", running("web.1", "10.0.0.1", 31001)));
        start(settings().withRequestTimeout(Duration.ofMillis(500)), published);
        RouteTable good = published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream();

        // Headers and the body's first bytes, then the rest trickles for a minute.
        wiremock.stubFor(get(urlPathEqualTo("/v2/apps")).willReturn(
                okJson(model().app("/web", running("web.9", "10.0.0.9", 31009)).json())
                        .withChunkedDribbleDelay(200, 60_000)));
        long failures = source.status().syncFailureCount();
        assertTrue(source.requestResync());
        Await.until(() -> "a failed sync: " + source.status(), Await.DEFAULT,
                () -> source.status().syncFailureCount() > failures);
        assertSame(good, source.current());
        String problem = source.syncProblem();
        assertNotNull(problem);
        assertTrue(problem.contains("keeping routes v1"), problem);

        // Marathon answers again: the retry (or the next event) brings the change.
        stubApps(model().app("/web", running("web.2", "10.0.0.2", 31002)));
        marathon.emit("status_update_event", statusUpdate("/web", "web.2", "TASK_RUNNING"));
        published.await(routes("/web", "10.0.0.2:31002"));
        Await.until("the problem cleared", () -> source.syncProblem() == null);
        Await.until("idle", this::idle);
    }

    private boolean idle() {
        return MarathonSourceFixture.idle(source);
    }

    @Test
    void anAppListLargerThanTheLimitFailsAsTooLargeAndKeepsTheTable() throws Exception {
        Published published = new Published();
        MarathonModel small = model().app("/web", running("web.1", "10.0.0.1", 31001));
        stubApps(small);
        int limit = small.json().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 2_000;
        start(settings().withMaxAppsBytes(limit), published);
        RouteTable good = published.await(routes("/web", "10.0.0.1:31001"));
        awaitStream();

        MarathonModel big = model();
        for (int i = 0; i < 50; i++) {
            big.app("/app" + i, running("app" + i + ".1", "10.0.1." + i, 31000 + i));
        }
        assertTrue(big.json().length() > limit, "the big model is over the limit");
        stubApps(big);
        assertTrue(source.requestResync());
        Await.until(() -> "a too_large sync: " + source.status(), Await.DEFAULT,
                () -> source.status().syncFailures().getOrDefault("too_large", 0L) >= 1);
        assertSame(good, source.current());
        assertTrue(source.syncProblem().contains("larger than " + limit), source.syncProblem());

        stubApps(model().app("/web", running("web.2", "10.0.0.2", 31002)));
        published.await(routes("/web", "10.0.0.2:31002"));
        assertNull(source.syncProblem());
    }
}
