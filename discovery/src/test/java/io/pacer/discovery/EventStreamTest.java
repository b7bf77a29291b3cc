package io.pacer.discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link EventStream} on its own: a real loop and client, {@link FakeMarathon}'s live stream. */
class EventStreamTest {

    private WireMockServer wiremock;
    private FakeMarathon marathon;
    private DiscoveryLoop loop;
    private MarathonClient client;
    private EventStream stream;
    private final List<String> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        wiremock = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(8)
                .jettyAcceptors(1));
        wiremock.start();
        marathon = new FakeMarathon(wiremock.baseUrl());
        loop = new DiscoveryLoop("event-stream-test");
        client = new MarathonClient("event-stream-test", Duration.ofSeconds(2), Duration.ofSeconds(2));
        MarathonSettings settings = MarathonSettings.of(List.of(marathon.uri()))
                .withReconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(100));
        stream = new EventStream(client, loop, settings, new EventStream.Listener() {
            @Override
            public void opened(String shownUrl) {
                seen.add("opened");
            }

            @Override
            public void event(String type, String data, boolean first, String shownUrl) {
                seen.add(type + (first ? " (first)" : ""));
            }

            @Override
            public void oversized(long bytes, String shownUrl) {
                seen.add("oversized");
            }
        });
    }

    @AfterEach
    void tearDown() {
        loop.close(stream::close);
        client.close();
        marathon.close();
        wiremock.stop();
    }

    @Test
    void deliversEventsInOrderAndReopensAStreamMarathonCloses() {
        MarathonEndpoint endpoint = MarathonEndpoint.of(marathon.uri(), null, null);
        loop.post(() -> stream.openOn(endpoint));
        Await.until("attached", () -> seen.contains("event_stream_attached (first)"));
        marathon.emit("status_update_event", "{\"eventType\":\"status_update_event\"}");
        marathon.emit("app_terminated_event", "{\"eventType\":\"app_terminated_event\"}");
        Await.until("two events", () -> seen.contains("app_terminated_event"));
        assertEquals(List.of("opened", "event_stream_attached (first)", "status_update_event", "app_terminated_event"),
                seen);

        marathon.closeStreams();
        Await.until("a second stream", () -> marathon.eventStreamsOpened() == 2 && stream.connected());
        assertEquals(1L, stream.failures().get("closed"));
        assertEquals(2, stream.streamsOpened());
    }

    @Test
    void followsARedirectToTheLeader() {
        WireMockServer standby = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(8).jettyAcceptors(1));
        standby.start();
        try {
            standby.stubFor(get(urlPathEqualTo("/v2/events")).willReturn(aResponse().withStatus(302)
                    .withHeader("Location", marathon.url() + "/v2/events")));
            MarathonEndpoint endpoint = MarathonEndpoint.of(URI.create(standby.baseUrl()), null, null);
            loop.post(() -> stream.openOn(endpoint));
            Await.until("attached through the redirect", () -> seen.contains("event_stream_attached (first)"));
            assertTrue(stream.shownUrl().startsWith(marathon.url()), stream.shownUrl());
        } finally {
            standby.stop();
        }
    }
}
