package io.pacer.discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static io.pacer.discovery.MarathonModel.model;
import static io.pacer.discovery.MarathonModel.running;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link SyncLoop} on its own: a real loop, a real client, WireMock as Marathon's API. */
class SyncLoopTest {

    private WireMockServer wiremock;
    private DiscoveryLoop loop;
    private MarathonClient client;
    private final List<List<MarathonApp>> full = new CopyOnWriteArrayList<>();
    private final List<String> apps = new CopyOnWriteArrayList<>();
    private final AtomicInteger throwErrors = new AtomicInteger();
    private SyncLoop sync;

    @BeforeEach
    void setUp() {
        wiremock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(8)
                .jettyAcceptors(1));
        wiremock.start();
        loop = new DiscoveryLoop("sync-loop-test");
        client = new MarathonClient("sync-loop-test", Duration.ofSeconds(2), Duration.ofSeconds(2));
        MarathonSettings settings = MarathonSettings.of(List.of(URI.create(wiremock.baseUrl())))
                .withSyncRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .withRequestTimeout(Duration.ofSeconds(2));
        MarathonEndpoint endpoint = MarathonEndpoint.of(URI.create(wiremock.baseUrl()), null, null);
        sync = new SyncLoop(client, loop, settings, Clock.systemUTC(), () -> endpoint, new SyncLoop.Listener() {
            @Override
            public void synced(MarathonEndpoint ep, List<MarathonApp> list, long startNanos) {
                if (throwErrors.getAndDecrement() > 0) {
                    throw new StackOverflowError("simulated");
                }
                full.add(list);
            }

            @Override
            public void appSynced(MarathonEndpoint ep, String appId, MarathonApp app) {
                apps.add(appId + (app == null ? " gone" : " " + app.tasks().size()));
            }
        });
    }

    @AfterEach
    void tearDown() {
        loop.close();
        client.close();
        wiremock.stop();
    }

    private int reads(String path) {
        return wiremock.findAll(getRequestedFor(urlPathEqualTo(path))).size();
    }

    private boolean idle() {
        try {
            return loop.call(sync::idle, Duration.ofSeconds(5));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void requestsWhileOneIsInFlightCollapseIntoOneMore() {
        wiremock.stubFor(get(urlPathEqualTo("/v2/apps")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(model().app("/web", running("web.1", "10.0.0.1", 31001)).json()).withFixedDelay(300)));
        assertTrue(sync.request("first"));
        Await.until("the first read in flight", () -> reads("/v2/apps") == 1);
        for (int i = 0; i < 20; i++) {
            sync.request("burst");
        }
        Await.until("two reads done", () -> full.size() == 2 && idle());
        assertEquals(2, reads("/v2/apps"));
    }

    @Test
    void anErrorFromTheListenerFailsThatReadOnlyAndTheRetrySucceeds() {
        model().app("/web", running("web.1", "10.0.0.1", 31001)).stubOn(wiremock);
        throwErrors.set(1);
        sync.request("start");
        Await.until("a read that worked", () -> full.size() == 1 && idle());
        assertEquals(1L, sync.failures().snapshot().get("error"));
        assertEquals(1, loop.unexpectedErrors());
        assertNull(sync.lastError());
    }

    @Test
    void anAppAskedForManyTimesIsReadOnceMoreAtMostAndA404SaysItIsGone() {
        MarathonModel m = model().app("/web", running("web.1", "10.0.0.1", 31001), running("web.2", "10.0.0.2", 31002));
        m.stubOn(wiremock);
        loop.post(() -> {
            for (int i = 0; i < 50; i++) {
                sync.requestApp("/web");
            }
            sync.requestApp("/gone");
        });
        Await.until("both apps read", () -> apps.contains("/web 2") && apps.contains("/gone gone") && idle());
        assertTrue(reads("/v2/apps/web") <= 2, reads("/v2/apps/web") + " reads");
        assertEquals(0, reads("/v2/apps"), "no full read");
    }
}
