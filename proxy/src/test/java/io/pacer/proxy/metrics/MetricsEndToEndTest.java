package io.pacer.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.PacerConfig;
import io.pacer.core.App;
import io.pacer.core.RouteTable;
import io.pacer.proxy.http.PacerServer;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real Pacer on loopback with {@link PacerMetrics} as its observer, known traffic through it,
 * and the scrape checked value by value.
 */
class MetricsEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    final Closer open = new Closer();

    private <T extends AutoCloseable> T track(T closeable) {
        return open.track(closeable);
    }

    /** Pacer with TestProxy's test defaults, telling {@code metrics} about every request. */
    private PacerServer start(RouteTable table, PacerMetrics metrics) throws InterruptedException {
        PacerConfig config = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("test-proxy")
                .workerThreads(2)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(5))
                .sendTimeout(Duration.ofSeconds(5))
                .build();
        metrics.updateRoutes(table);
        PacerServer server = track(PacerServer.start(config, table, metrics));
        metrics.bindTraffic(server.stats());
        return server;
    }

    private static RawResponse get(PacerServer server, String path) throws IOException {
        try (RawHttp raw = RawHttp.connect(server.localAddress())) {
            return raw.send("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n").readResponse(TIMEOUT);
        }
    }

    /** Scrapes until {@code condition} holds on the parsed scrape, then returns that scrape. */
    private static PrometheusText awaitScrape(PacerMetrics metrics, java.util.function.Predicate<PrometheusText> condition,
                                              String description) {
        PrometheusText[] last = new PrometheusText[1];
        Supplier<String> describe = () -> description + "; last scrape:\n" + metrics.scrape();
        Await.until(TIMEOUT, () -> condition.test(last[0] = PrometheusText.parse(metrics.scrape())), describe);
        return last[0];
    }

    @Test
    void knownTrafficShowsInTheScrape() throws Exception {
        TestUpstream ok = track(TestUpstream.start("ok", req -> Reply.ok("hello")));
        TestUpstream busy = track(TestUpstream.start("busy", req -> Reply.status(503, "busy")));
        TestUpstream spare = track(TestUpstream.start("spare", req -> Reply.ok("spare")));
        App okApp = TestProxy.app("/ok", ok);
        App flaky = TestProxy.app("/flaky", busy, spare); // a fresh table starts at its first task: 503, then 200
        App down = TestProxy.app("/down", List.of("/down"), TestUpstream.refusing());
        RouteTable table = TestProxy.table(okApp, flaky, down);
        PacerMetrics metrics = track(new PacerMetrics());
        PacerServer server = start(table, metrics);

        for (int i = 0; i < 5; i++) {
            assertEquals(200, get(server, "/ok/x").status());
        }
        RawResponse retried = get(server, "/flaky/x");
        assertEquals(200, retried.status());
        assertEquals("spare", retried.header(TestUpstream.UPSTREAM_HEADER));
        assertEquals(503, get(server, "/nowhere/x").status());
        assertEquals(503, get(server, "/nowhere/y").status());
        assertEquals(502, get(server, "/down/x").status());

        // The observer may hear of a request just after its client read the answer.
        PrometheusText doc = awaitScrape(metrics, d -> d.sum("pacer_requests_total") == 9.0,
                "9 requests counted");
        assertEquals(List.of(), doc.problems());

        assertEquals(5.0, doc.value("pacer_requests_total", "app", "/ok", "status_class", "2xx"));
        assertEquals(0.0, doc.value("pacer_requests_total", "app", "/ok", "status_class", "5xx"));
        assertEquals(1.0, doc.value("pacer_requests_total", "app", "/flaky", "status_class", "2xx"));
        assertEquals(0.0, doc.value("pacer_requests_total", "app", "/flaky", "status_class", "5xx"));
        assertEquals(2.0, doc.value("pacer_requests_total", "app", "none", "status_class", "5xx"));
        assertEquals(1.0, doc.value("pacer_requests_total", "app", "/down", "status_class", "5xx"));

        assertEquals(1.0, doc.value("pacer_retries_total", "app", "/flaky", "reason", "status"));
        assertEquals(1.0, doc.sum("pacer_retries_total"), "the one retry");
        assertEquals(1.0, doc.value("pacer_requests_exhausted_total", "app", "/down"));
        assertEquals(1.0, doc.sum("pacer_requests_exhausted_total"));

        assertEquals(5.0, doc.value("pacer_request_duration_seconds_count", "app", "/ok"));
        assertEquals(5.0, doc.value("pacer_upstream_duration_seconds_count", "app", "/ok"));
        assertEquals(1.0, doc.value("pacer_upstream_duration_seconds_count", "app", "/flaky"));
        assertEquals(1.0, doc.value("pacer_request_duration_seconds_count", "app", "/down"));
        assertEquals(0.0, doc.value("pacer_upstream_duration_seconds_count", "app", "/down"), "no task answered");
        assertEquals(2.0, doc.value("pacer_request_duration_seconds_count", "app", "none"));
        assertTrue(doc.value("pacer_request_duration_seconds_sum", "app", "/ok") > 0);

        assertEquals(1.0, doc.value("pacer_app_tasks", "app", "/ok"));
        assertEquals(2.0, doc.value("pacer_app_tasks", "app", "/flaky"));
        assertEquals((double) table.version(), doc.value("pacer_route_table_version"));

        assertTrue(doc.value("pacer_client_received_bytes_total") > 0, "bytes in");
        assertTrue(doc.value("pacer_client_sent_bytes_total") > 0, "bytes out");
        double upstream = doc.value("pacer_upstream_connections");
        double idle = doc.value("pacer_upstream_idle_connections");
        assertTrue(idle >= 0 && idle <= upstream, () -> "idle " + idle + " of " + upstream);
        assertEquals(0.0, doc.value("pacer_websocket_tunnels"));

        // Every client closed its connection: the gauge comes back to 0.
        awaitScrape(metrics, d -> d.value("pacer_client_connections") == 0.0, "no client connection open");
    }

    @Test
    void openClientConnectionsAreCountedAndAppsLeavingTheTableLoseTheirSeries() throws Exception {
        TestUpstream a = track(TestUpstream.start("a", req -> Reply.ok("a")));
        TestUpstream b = track(TestUpstream.start("b", req -> Reply.ok("b")));
        PacerMetrics metrics = track(new PacerMetrics());
        PacerServer server = start(TestProxy.table(TestProxy.app("/a", a), TestProxy.app("/b", b)), metrics);

        RawHttp first = track(RawHttp.connect(server.localAddress()));
        RawHttp second = track(RawHttp.connect(server.localAddress()));
        assertEquals(200, first.send("GET /a/x HTTP/1.1\r\nHost: test\r\n\r\n").readResponse(TIMEOUT).status());
        assertEquals(200, second.send("GET /b/x HTTP/1.1\r\nHost: test\r\n\r\n").readResponse(TIMEOUT).status());
        awaitScrape(metrics, d -> d.value("pacer_client_connections") == 2.0
                && d.sum("pacer_requests_total") == 2.0, "two open client connections, two requests");

        RouteTable onlyB = TestProxy.table(TestProxy.app("/b", b));
        server.updateRoutes(onlyB);
        metrics.updateRoutes(onlyB);
        PrometheusText doc = PrometheusText.parse(metrics.scrape());
        assertEquals(List.of(), doc.withLabel("app", "/a"));
        assertEquals(1.0, doc.value("pacer_requests_total", "app", "/b", "status_class", "2xx"));
        assertNull(doc.value("pacer_app_tasks", "app", "/a"));

        first.close();
        second.close();
        awaitScrape(metrics, d -> d.value("pacer_client_connections") == 0.0, "both clients gone");
    }
}
