package io.pacer.discovery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * What the {@link MarathonSource} tests share: WireMock standing in for Marathon's API (put a
 * {@link FakeMarathon} in front of it for the event stream), settings quick enough for a test, and
 * asking whether the source is idle.
 */
final class MarathonSourceFixture {

    private MarathonSourceFixture() { }

    /** A started WireMock on loopback that answers {@code /ping} as Marathon does; the caller stops it. */
    static WireMockServer marathonApi() {
        WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                .containerThreads(12).jettyAcceptors(1));
        server.start();
        server.stubFor(get(urlPathEqualTo("/ping")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/plain").withBody("pong")));
        return server;
    }

    /** Closes {@code source} (if a test got as far as making one), then the event stream, then the API. */
    static void stop(MarathonSource source, FakeMarathon events, WireMockServer api) {
        if (source != null) {
            source.close();
        }
        events.close();
        api.stop();
    }

    /** Settings for {@code urls} with pings, sync retries and request timeouts short enough for a test. */
    static MarathonSettings quickSettings(URI... urls) {
        return MarathonSettings.of(List.of(urls))
                .withPing(Duration.ofMillis(100), Duration.ofSeconds(3))
                .withSyncRetryBackoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .withRequestTimeout(Duration.ofSeconds(2));
    }

    /** {@link MarathonSource#idle()}, with a failure to ask turned into a test failure. */
    static boolean idle(MarathonSource source) {
        try {
            return source.idle();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
