package io.pacer.discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link EndpointFailover} on its own: two WireMocks answering {@code /ping}. */
class EndpointFailoverTest {

    private WireMockServer first;
    private WireMockServer second;
    private DiscoveryLoop loop;
    private MarathonClient client;
    private final List<String> switches = new CopyOnWriteArrayList<>();

    private static WireMockServer marathon() {
        WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(8).jettyAcceptors(1));
        server.start();
        server.stubFor(get(urlPathEqualTo("/ping")).willReturn(aResponse().withStatus(200).withBody("pong")));
        return server;
    }

    @BeforeEach
    void setUp() {
        first = marathon();
        second = marathon();
        loop = new DiscoveryLoop("failover-test");
        client = new MarathonClient("failover-test", Duration.ofSeconds(2), Duration.ofSeconds(2));
    }

    @AfterEach
    void tearDown() {
        loop.close();
        client.close();
        first.stop();
        second.stop();
    }

    @Test
    void movesToTheFirstHealthyEndpointAndBack() {
        MarathonEndpoint a = MarathonEndpoint.of(URI.create(first.baseUrl()), "ops", "pw");
        MarathonEndpoint b = MarathonEndpoint.of(URI.create(second.baseUrl()), "ops", "pw");
        EndpointFailover failover = new EndpointFailover(List.of(a, b), client, loop, Duration.ofSeconds(2),
                Clock.systemUTC(), ep -> switches.add(ep.base));
        loop.every(failover::pingAll, 0, Duration.ofMillis(50));
        Await.until("both pinged", () -> failover.health().stream().allMatch(h -> h.lastChecked() != null));
        assertEquals(a, failover.active());
        assertEquals(List.of(), switches);

        first.stubFor(get(urlPathEqualTo("/ping")).willReturn(aResponse().withStatus(503)
                .withBody("{\"message\":\"Could not determine the current leader\"}")));
        Await.until("moved to the second", () -> failover.active() == b);
        assertFalse(failover.health().get(0).healthy());
        assertTrue(failover.health().get(0).message().contains("current leader"), failover.health().get(0).message());

        first.stubFor(get(urlPathEqualTo("/ping")).willReturn(aResponse().withStatus(200).withBody("pong")));
        Await.until("back to the first", () -> failover.active() == a);
        assertEquals(List.of(second.baseUrl(), first.baseUrl()), switches);
    }
}
