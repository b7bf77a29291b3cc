package io.pacer.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.pacer.core.App;
import io.pacer.core.RetryCondition;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.proxy.http.RequestRecord;
import io.pacer.proxy.http.TrafficStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link PacerMetrics} fed directly: exact values in the registry and in the scrape. */
class PacerMetricsTest {

    private static final Task TASK = new Task("a.1", "127.0.0.1", 8080);

    /** Discovery's state as a test sets it. */
    record Status(boolean streamConnected, Map<String, Long> eventsByType, long malformedEvents, long resyncs,
                  Duration lastResyncDuration, Map<String, Long> syncFailures, Instant lastSyncSuccess)
            implements DiscoveryMetricsSource { }

    private final List<PacerMetrics> created = new ArrayList<>();

    @AfterEach
    void closeMetrics() {
        created.forEach(PacerMetrics::close);
    }

    private PacerMetrics metrics() {
        return track(new PacerMetrics());
    }

    private PacerMetrics track(PacerMetrics m) {
        created.add(m);
        return m;
    }

    private static RequestRecord record(String app, int status, long totalMicros, long upstreamMicros,
                                        boolean answered, boolean exhausted) {
        return RequestRecord.of("127.0.0.1", "GET", "/x", status, 0, 10, TimeUnit.MICROSECONDS.toNanos(totalMicros),
                TimeUnit.MICROSECONDS.toNanos(upstreamMicros), app, answered ? TASK : null, 1, exhausted, true);
    }

    private static RequestRecord ok(String app) {
        return record(app, 200, 3_000, 2_000, true, false);
    }

    private static App app(String id, int tasks) {
        List<Task> list = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            list.add(new Task(id.substring(1) + "." + i, "127.0.0.1", 9000 + i));
        }
        return new App(id, List.of(id), list);
    }

    private static RouteTable table(long version, App... apps) {
        return RouteTable.builder(version).addAll(List.of(apps)).build();
    }

    private static PrometheusText scrape(PacerMetrics m) {
        PrometheusText doc = PrometheusText.parse(m.scrape());
        assertEquals(List.of(), doc.problems(), "format problems");
        return doc;
    }

    private static double requests(PacerMetrics m, String app, String statusClass) {
        return m.registry().get("pacer.requests").tags("app", app, "status_class", statusClass).counter().count();
    }

    // ---- requests ------------------------------------------------------------------------------

    @Test
    void requestsAreCountedByAppAndStatusClass() {
        PacerMetrics m = metrics();
        for (int i = 0; i < 3; i++) {
            m.requestFinished(ok("/a"));
        }
        m.requestFinished(record("/a", 503, 1_000, 900, true, false));
        m.requestFinished(record("/a", 404, 1_000, 900, true, false));
        m.requestFinished(record("/b", 301, 1_000, 900, true, false));
        m.requestFinished(record("/b", 101, 1_000, 900, true, false));
        m.requestFinished(record("/b", 499, 1_000, 0, false, false));

        assertEquals(3, requests(m, "/a", "2xx"));
        assertEquals(1, requests(m, "/a", "4xx"));
        assertEquals(1, requests(m, "/a", "5xx"));
        assertEquals(0, requests(m, "/a", "1xx"));
        assertEquals(1, requests(m, "/b", "1xx"));
        assertEquals(1, requests(m, "/b", "3xx"));
        assertEquals(1, requests(m, "/b", "4xx"));

        String text = m.scrape();
        assertTrue(text.contains("\npacer_requests_total{app=\"/a\",status_class=\"2xx\"} 3.0\n"), text);
        PrometheusText doc = scrape(m);
        assertEquals(3.0, doc.value("pacer_requests_total", "app", "/a", "status_class", "2xx"));
        assertEquals(1.0, doc.value("pacer_requests_total", "app", "/a", "status_class", "5xx"));
        assertEquals(0.0, doc.value("pacer_requests_total", "app", "/b", "status_class", "2xx"));
        assertEquals(8.0, doc.sum("pacer_requests_total"));
        assertEquals("counter", doc.families().get("pacer_requests_total").type);
    }

    @Test
    void statusesOutsideTheClassesCountAsServerErrors() {
        assertEquals(0, PacerMetrics.statusClassIndex(100));
        assertEquals(0, PacerMetrics.statusClassIndex(199));
        assertEquals(1, PacerMetrics.statusClassIndex(200));
        assertEquals(3, PacerMetrics.statusClassIndex(499));
        assertEquals(4, PacerMetrics.statusClassIndex(599));
        assertEquals(4, PacerMetrics.statusClassIndex(600));
        assertEquals(4, PacerMetrics.statusClassIndex(0));
        assertEquals(4, PacerMetrics.statusClassIndex(99));
        assertEquals(4, PacerMetrics.statusClassIndex(-1));
    }

    @Test
    void pacersOwnAnswersGoUnderAppNone() {
        PacerMetrics m = metrics();
        m.requestFinished(record(null, 503, 500, 0, false, false));
        m.requestFinished(record(null, 503, 500, 0, false, false));
        m.requestFinished(record(null, 400, 500, 0, false, false));

        PrometheusText doc = scrape(m);
        assertEquals(2.0, doc.value("pacer_requests_total", "app", "none", "status_class", "5xx"));
        assertEquals(1.0, doc.value("pacer_requests_total", "app", "none", "status_class", "4xx"));
        assertEquals(3.0, doc.value("pacer_request_duration_seconds_count", "app", "none"));
        // Nothing else exists for requests no app served.
        assertNull(doc.value("pacer_upstream_duration_seconds_count", "app", "none"));
        assertNull(doc.value("pacer_requests_exhausted_total", "app", "none"));
        assertTrue(doc.samples("pacer_retries_total").isEmpty());
        assertNull(doc.value("pacer_app_tasks", "app", "none"));
        assertEquals(0, m.appCount());
    }

    @Test
    void byDefaultAppDurationsAreSummariesAndTheWholeProxyHasTheBuckets() {
        PacerMetrics m = metrics();
        m.requestFinished(record("/a", 200, 3_000, 2_000, true, false));       // 3 ms, upstream 2 ms
        m.requestFinished(record("/b", 200, 40_000, 30_000, true, false));     // 40 ms, upstream 30 ms
        m.requestFinished(record("/a", 502, 2_000_000, 0, false, true));       // 2 s, no task answered

        PrometheusText doc = scrape(m);
        assertEquals("summary", doc.families().get("pacer_request_duration_seconds").type);
        assertEquals("summary", doc.families().get("pacer_upstream_duration_seconds").type);
        assertTrue(doc.samples("pacer_request_duration_seconds_bucket").isEmpty());
        assertEquals(2.0, doc.value("pacer_request_duration_seconds_count", "app", "/a"));
        assertEquals(2.003, doc.value("pacer_request_duration_seconds_sum", "app", "/a"), 1e-9);
        assertEquals(2.0, doc.value("pacer_request_duration_seconds_max", "app", "/a"), 1e-9);
        assertEquals(1.0, doc.value("pacer_upstream_duration_seconds_count", "app", "/a"));

        assertEquals("histogram", doc.families().get("pacer_proxy_request_duration_seconds").type);
        assertEquals(1.0, doc.value("pacer_proxy_request_duration_seconds_bucket", "le", "0.005"));
        assertEquals(2.0, doc.value("pacer_proxy_request_duration_seconds_bucket", "le", "0.05"));
        assertEquals(3.0, doc.value("pacer_proxy_request_duration_seconds_bucket", "le", "+Inf"));
        assertEquals(1.0, doc.value("pacer_proxy_upstream_duration_seconds_bucket", "le", "0.0025"));
        assertEquals(2.0, doc.value("pacer_proxy_upstream_duration_seconds_count"));

        // What an app with traffic costs a scrape: 17 series without buckets, 47 with them.
        assertEquals(17, seriesOf(doc, "/b"));
        PacerMetrics withBuckets = track(new PacerMetrics(null, Clock.systemUTC(), true));
        withBuckets.requestFinished(record("/b", 200, 40_000, 30_000, true, false));
        assertEquals(47, seriesOf(scrape(withBuckets), "/b"));
    }

    /** The figure the README gives: the scrape once 10,000 routed apps have all had traffic. */
    @Test
    void tenThousandAppsWithTrafficScrapeInUnderFifteenMegabytes() {
        PacerMetrics m = metrics();
        RouteTable.Builder table = RouteTable.builder(1);
        for (int i = 0; i < 10_000; i++) {
            String id = "/team-" + (i % 100) + "/service-" + i;
            table.add(new App(id, List.of(id), List.of(new Task(id.substring(1) + ".t1", "10.0.0.1", 31000))));
        }
        m.updateRoutes(table.build());
        for (int i = 0; i < 10_000; i++) {
            m.requestFinished(record("/team-" + (i % 100) + "/service-" + i, 200, 3_000, 2_000, true, false));
        }
        int bytes = m.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        System.out.printf("scrape at 10,000 apps with traffic: %,d bytes%n", bytes);
        assertTrue(bytes < 15_000_000, bytes + " bytes");
    }

    private static long seriesOf(PrometheusText doc, String app) {
        return doc.series().values().stream().filter(s -> app.equals(s.labels().get("app"))).count();
    }

    @Test
    void withAppLatencyHistogramsDurationsAreHistogramsInSecondsWithBoundedBuckets() {
        PacerMetrics m = track(new PacerMetrics(null, Clock.systemUTC(), true));
        m.requestFinished(record("/a", 200, 3_000, 2_000, true, false));       // 3 ms, upstream 2 ms
        m.requestFinished(record("/a", 200, 40_000, 30_000, true, false));     // 40 ms, upstream 30 ms
        m.requestFinished(record("/a", 502, 2_000_000, 0, false, true));       // 2 s, no task answered

        PrometheusText doc = scrape(m);
        assertEquals("histogram", doc.families().get("pacer_request_duration_seconds").type);
        List<String> les = new ArrayList<>();
        for (PrometheusText.Sample s : doc.samples("pacer_request_duration_seconds_bucket")) {
            if (s.labels().get("app").equals("/a")) {
                les.add(s.labels().get("le"));
            }
        }
        assertEquals(List.of("0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0",
                "2.5", "5.0", "10.0", "30.0", "+Inf"), les);
        assertEquals(0.0, doc.value("pacer_request_duration_seconds_bucket", "app", "/a", "le", "0.0025"));
        assertEquals(1.0, doc.value("pacer_request_duration_seconds_bucket", "app", "/a", "le", "0.005"));
        assertEquals(2.0, doc.value("pacer_request_duration_seconds_bucket", "app", "/a", "le", "0.05"));
        assertEquals(2.0, doc.value("pacer_request_duration_seconds_bucket", "app", "/a", "le", "1.0"));
        assertEquals(3.0, doc.value("pacer_request_duration_seconds_bucket", "app", "/a", "le", "2.5"));
        assertEquals(3.0, doc.value("pacer_request_duration_seconds_bucket", "app", "/a", "le", "+Inf"));
        assertEquals(3.0, doc.value("pacer_request_duration_seconds_count", "app", "/a"));
        assertEquals(2.043, doc.value("pacer_request_duration_seconds_sum", "app", "/a"), 1e-9);
        assertEquals(2.0, doc.value("pacer_request_duration_seconds_max", "app", "/a"), 1e-9);

        // Only the two requests a task answered have an upstream duration.
        assertEquals(2.0, doc.value("pacer_upstream_duration_seconds_count", "app", "/a"));
        assertEquals(0.032, doc.value("pacer_upstream_duration_seconds_sum", "app", "/a"), 1e-9);
        assertEquals(1.0, doc.value("pacer_upstream_duration_seconds_bucket", "app", "/a", "le", "0.0025"));
        assertEquals(2.0, doc.value("pacer_upstream_duration_seconds_bucket", "app", "/a", "le", "0.05"));
    }

    @Test
    void retriesAreCountedByReason() {
        PacerMetrics m = metrics();
        m.retried("/a", RetryCondition.ERROR);
        m.retried("/a", RetryCondition.ERROR);
        m.retried("/a", RetryCondition.TIMEOUT);
        m.retried("/a", RetryCondition.INVALID_HEADER);
        m.retried("/a", RetryCondition.HTTP_503);
        m.retried("/a", RetryCondition.HTTP_500);
        m.retried("/a", RetryCondition.HTTP_429);
        m.retried("/b", RetryCondition.HTTP_502);
        m.retried(null, RetryCondition.ERROR); // ignored

        PrometheusText doc = scrape(m);
        assertEquals(2.0, doc.value("pacer_retries_total", "app", "/a", "reason", "error"));
        assertEquals(1.0, doc.value("pacer_retries_total", "app", "/a", "reason", "timeout"));
        assertEquals(1.0, doc.value("pacer_retries_total", "app", "/a", "reason", "invalid_header"));
        assertEquals(3.0, doc.value("pacer_retries_total", "app", "/a", "reason", "status"));
        assertEquals(1.0, doc.value("pacer_retries_total", "app", "/b", "reason", "status"));
        assertEquals(0.0, doc.value("pacer_retries_total", "app", "/b", "reason", "error"));
        assertEquals(8.0, doc.sum("pacer_retries_total"));
        assertEquals(4, doc.samples("pacer_retries_total").size() / 2, "four reasons per app");
    }

    @Test
    void everyRetryConditionHasAReason() {
        Map<RetryCondition, String> expected = new LinkedHashMap<>();
        for (RetryCondition c : RetryCondition.values()) {
            expected.put(c, c.name().startsWith("HTTP_") ? "status" : c.nginxName());
        }
        Map<RetryCondition, String> actual = new LinkedHashMap<>();
        for (RetryCondition c : RetryCondition.values()) {
            actual.put(c, PacerMetrics.retryReason(c));
        }
        assertEquals(expected, actual);
        assertEquals("error", PacerMetrics.retryReason(RetryCondition.ERROR));
        assertEquals("invalid_header", PacerMetrics.retryReason(RetryCondition.INVALID_HEADER));
    }

    @Test
    void exhaustedRequestsAreCounted() {
        PacerMetrics m = metrics();
        m.requestFinished(record("/a", 502, 1_000, 0, false, true));
        m.requestFinished(record("/a", 503, 1_000, 800, true, true)); // the last task's own 503
        m.requestFinished(ok("/a"));

        PrometheusText doc = scrape(m);
        assertEquals(2.0, doc.value("pacer_requests_exhausted_total", "app", "/a"));
        assertEquals(2.0, m.registry().get("pacer.requests.exhausted").tag("app", "/a").counter().count());
    }

    // ---- route table ---------------------------------------------------------------------------

    @Test
    void anAppGetsSeriesWithItsFirstRequestWithZeroSeriesAndItsTaskCount() {
        PacerMetrics m = metrics();
        assertEquals(0.0, scrape(m).value("pacer_route_table_version"));

        m.updateRoutes(table(7, app("/a", 2), app("/b", 3)));
        PrometheusText quiet = scrape(m);
        assertEquals(7.0, quiet.value("pacer_route_table_version"));
        assertEquals(List.of(), quiet.withLabel("app", "/a"), "no series before traffic");
        assertEquals(0, m.appCount());

        m.requestFinished(ok("/a"));
        m.requestFinished(ok("/b"));
        PrometheusText doc = scrape(m);
        assertEquals(2.0, doc.value("pacer_app_tasks", "app", "/a"));
        assertEquals(3.0, doc.value("pacer_app_tasks", "app", "/b"));
        for (String app : List.of("/a", "/b")) {
            for (String cls : List.of("1xx", "3xx", "4xx", "5xx")) {
                assertEquals(0.0, doc.value("pacer_requests_total", "app", app, "status_class", cls), app + cls);
            }
            assertEquals(0.0, doc.value("pacer_requests_exhausted_total", "app", app));
            assertEquals(1.0, doc.value("pacer_request_duration_seconds_count", "app", app));
            assertEquals(0.0, doc.value("pacer_retries_total", "app", app, "reason", "timeout"));
        }

        m.updateRoutes(table(8, app("/a", 5), app("/b", 3)));
        doc = scrape(m);
        assertEquals(8.0, doc.value("pacer_route_table_version"));
        assertEquals(5.0, doc.value("pacer_app_tasks", "app", "/a"));
    }

    @Test
    void appsThatLeaveTheTableLoseEverySeries() {
        PacerMetrics m = metrics();
        m.updateRoutes(table(1, app("/a", 1), app("/b", 1)));
        m.requestFinished(ok("/a"));
        m.requestFinished(record("/a", 502, 1_000, 0, false, true));
        m.retried("/a", RetryCondition.HTTP_503);
        m.requestFinished(ok("/b"));
        m.requestFinished(record(null, 503, 100, 0, false, false));
        assertFalse(scrape(m).withLabel("app", "/a").isEmpty());

        m.updateRoutes(table(2, app("/b", 1)));

        PrometheusText doc = scrape(m);
        assertEquals(List.of(), doc.withLabel("app", "/a"), "series of the departed app");
        List<Meter> left = new ArrayList<>();
        for (Meter meter : m.registry().getMeters()) {
            if ("/a".equals(meter.getId().getTag("app"))) {
                left.add(meter);
            }
        }
        assertEquals(List.of(), left, "meters of the departed app");
        assertEquals(1.0, doc.value("pacer_requests_total", "app", "/b", "status_class", "2xx"));
        assertEquals(1.0, doc.value("pacer_requests_total", "app", "none", "status_class", "5xx"), "none stays");
        assertEquals(1, m.appCount());

        // Back in a later table: fresh series from zero with its next request.
        m.updateRoutes(table(3, app("/a", 1), app("/b", 1)));
        assertEquals(List.of(), scrape(m).withLabel("app", "/a"));
        m.requestFinished(ok("/a"));
        doc = scrape(m);
        assertEquals(1.0, doc.value("pacer_requests_total", "app", "/a", "status_class", "2xx"));
        assertEquals(0.0, doc.value("pacer_retries_total", "app", "/a", "reason", "status"));
    }

    @Test
    void aRequestOfADepartedAppFinishingAfterTheSwapIsCountedUntilTheNextSwap() {
        PacerMetrics m = metrics();
        m.updateRoutes(table(1, app("/a", 1), app("/b", 1)));
        m.updateRoutes(table(2, app("/b", 1)));
        m.requestFinished(ok("/a")); // was in flight during the swap

        assertEquals(1.0, scrape(m).value("pacer_requests_total", "app", "/a", "status_class", "2xx"));
        assertEquals(0.0, scrape(m).value("pacer_app_tasks", "app", "/a"), "not in the table");

        m.updateRoutes(table(3, app("/b", 1)));
        assertEquals(List.of(), scrape(m).withLabel("app", "/a"));
    }

    @Test
    void countsStayExactWhileTablesSwapConcurrently() throws Exception {
        PacerMetrics m = metrics();
        m.updateRoutes(table(1, app("/a", 1)));
        int threads = 4;
        int perThread = 20_000;
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(threads);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread w = new Thread(() -> {
                try {
                    for (int i = 0; i < perThread; i++) {
                        m.requestFinished(ok("/a"));
                        m.retried("/a", RetryCondition.TIMEOUT);
                        m.requestFinished(ok("/churn" + (i % 8))); // apps coming and going
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }, "recorder-" + id);
            workers.add(w);
            w.start();
        }
        Thread swapper = new Thread(() -> {
            long v = 2;
            while (!stop.get()) {
                m.updateRoutes(v % 2 == 0 ? table(v, app("/a", 1), app("/churn1", 1)) : table(v, app("/a", 2)));
                v++;
                m.scrape();
            }
        }, "swapper");
        swapper.start();
        assertTrue(done.await(60, TimeUnit.SECONDS), "recorders finished");
        stop.set(true);
        swapper.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(swapper.isAlive());
        for (Thread w : workers) {
            w.join();
        }
        assertNull(failure.get());

        assertEquals(threads * perThread, requests(m, "/a", "2xx"));
        assertEquals(threads * perThread,
                m.registry().get("pacer.retries").tags("app", "/a", "reason", "timeout").counter().count());
        assertEquals((double) threads * perThread,
                scrape(m).value("pacer_request_duration_seconds_count", "app", "/a"));

        // The last table decides which churn apps remain; one more swap leaves only /a.
        m.updateRoutes(table(1_000_000, app("/a", 1)));
        PrometheusText doc = scrape(m);
        for (PrometheusText.Sample s : doc.samples("pacer_requests_total")) {
            String app = s.labels().get("app");
            assertTrue(app.equals("/a") || app.equals("none"), () -> "left over: " + s.key());
        }
        assertEquals(1, m.appCount());
    }

    // ---- traffic -------------------------------------------------------------------------------

    @Test
    void trafficMetricsReadZeroUntilBoundThenTheStats() {
        PacerMetrics m = metrics();
        PrometheusText doc = scrape(m);
        for (String gauge : List.of("pacer_client_connections", "pacer_upstream_connections",
                "pacer_upstream_idle_connections", "pacer_websocket_tunnels")) {
            assertEquals(0.0, doc.value(gauge), gauge);
            assertEquals("gauge", doc.families().get(gauge).type, gauge);
        }
        for (String counter : List.of("pacer_client_received_bytes_total", "pacer_client_sent_bytes_total")) {
            assertEquals(0.0, doc.value(counter), counter);
            assertEquals("counter", doc.families().get(counter).type, counter);
        }
        m.bindTraffic(new TrafficStats());
        assertEquals(0.0, scrape(m).value("pacer_client_connections"));
    }

    // ---- discovery -----------------------------------------------------------------------------

    @Test
    void withoutDiscoveryThereAreNoMarathonSeries() {
        PrometheusText doc = scrape(metrics());
        for (String family : doc.families().keySet()) {
            assertFalse(family.startsWith("pacer_marathon_"), family);
        }
    }

    @Test
    void discoveryIsSampledAtEachScrape() {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        AtomicReference<DiscoveryMetricsSource> status = new AtomicReference<>();
        PacerMetrics m = track(new PacerMetrics(status::get, clock));

        // Before discovery reports anything.
        PrometheusText doc = scrape(m);
        assertEquals(0.0, doc.value("pacer_marathon_stream_connected"));
        assertEquals(0.0, doc.value("pacer_marathon_resyncs_total"));
        assertEquals(0.0, doc.value("pacer_marathon_malformed_events_total"));
        assertTrue(doc.value("pacer_marathon_resync_duration_seconds").isNaN());
        assertEquals(Double.POSITIVE_INFINITY, doc.value("pacer_marathon_last_sync_age_seconds"));
        assertTrue(doc.samples("pacer_marathon_events_total").isEmpty());

        status.set(new Status(true, Map.of("status_update_event", 5L, "deployment_success", 2L), 1, 3,
                Duration.ofMillis(250), Map.of("timeout", 2L, "http_503", 1L), now.minusSeconds(42)));
        doc = scrape(m);
        assertEquals(1.0, doc.value("pacer_marathon_stream_connected"));
        assertEquals(5.0, doc.value("pacer_marathon_events_total", "type", "status_update_event"));
        assertEquals(2.0, doc.value("pacer_marathon_events_total", "type", "deployment_success"));
        assertEquals(1.0, doc.value("pacer_marathon_malformed_events_total"));
        assertEquals(3.0, doc.value("pacer_marathon_resyncs_total"));
        assertEquals(0.25, doc.value("pacer_marathon_resync_duration_seconds"), 1e-9);
        assertEquals(2.0, doc.value("pacer_marathon_sync_failures_total", "cause", "timeout"));
        assertEquals(1.0, doc.value("pacer_marathon_sync_failures_total", "cause", "http_503"));
        assertEquals(42.0, doc.value("pacer_marathon_last_sync_age_seconds"), 1e-9);
        assertEquals("gauge", doc.families().get("pacer_marathon_last_sync_age_seconds").type);
        assertEquals("counter", doc.families().get("pacer_marathon_events_total").type);
        assertNull(doc.value("pacer_marathon_events_total", "type", "other"), "no overflow yet");

        status.set(new Status(false, Map.of("status_update_event", 9L, "deployment_success", 2L), 1, 4,
                Duration.ofMillis(100), Map.of("timeout", 2L, "http_503", 1L), now.minusSeconds(1)));
        doc = scrape(m);
        assertEquals(0.0, doc.value("pacer_marathon_stream_connected"));
        assertEquals(9.0, doc.value("pacer_marathon_events_total", "type", "status_update_event"));
        assertEquals(4.0, doc.value("pacer_marathon_resyncs_total"));
        assertEquals(1.0, doc.value("pacer_marathon_last_sync_age_seconds"), 1e-9);

        // No status (or a failing one): the last values stay.
        status.set(null);
        assertEquals(9.0, scrape(m).value("pacer_marathon_events_total", "type", "status_update_event"));
        PacerMetrics failing = track(new PacerMetrics(() -> {
            throw new IllegalStateException("not started");
        }, clock));
        assertEquals(0.0, scrape(failing).value("pacer_marathon_stream_connected"));
    }

    @Test
    void eventTypesAreCappedAndTheRestCountAsOther() {
        Map<String, Long> types = new TreeMap<>();
        for (int i = 0; i < 100; i++) {
            types.put(String.format("type_%03d", i), 1L);
        }
        AtomicReference<Map<String, Long>> events = new AtomicReference<>(types);
        PacerMetrics m = track(new PacerMetrics(() -> new Status(true, events.get(), 0, 0, null, Map.of(), null)));

        PrometheusText doc = scrape(m);
        List<PrometheusText.Sample> series = doc.samples("pacer_marathon_events_total");
        assertEquals(PacerMetrics.MAX_LABEL_VALUES + 1, series.size(), "64 types and other");
        assertEquals(64, m.eventTypeLabels());
        assertEquals(36.0, doc.value("pacer_marathon_events_total", "type", "other"));
        assertEquals(100.0, doc.sum("pacer_marathon_events_total"), "nothing lost");

        // Which types have their own series is settled; new types and the capped ones add to other.
        String owned = null;
        String capped = null;
        for (String t : types.keySet()) {
            if (doc.value("pacer_marathon_events_total", "type", t) != null) {
                owned = t;
            } else {
                capped = t;
            }
        }
        assertNotNull(owned);
        assertNotNull(capped);
        Map<String, Long> more = new TreeMap<>(types);
        more.put(owned, 10L);
        more.put(capped, 5L);
        more.put("brand_new_event", 7L);
        events.set(more);
        doc = scrape(m);
        assertEquals(10.0, doc.value("pacer_marathon_events_total", "type", owned));
        assertEquals(36.0 + 4 + 7, doc.value("pacer_marathon_events_total", "type", "other"));
        assertNull(doc.value("pacer_marathon_events_total", "type", "brand_new_event"));
        assertEquals(PacerMetrics.MAX_LABEL_VALUES + 1, doc.samples("pacer_marathon_events_total").size());
    }

    @Test
    void poorLabelValuesAndTheSourcesOwnOverflowCountAsOther() {
        Map<String, Long> types = new LinkedHashMap<>();
        types.put("status_update_event", 1L);
        types.put("(unnamed)", 2L);
        types.put("", 1L);
        types.put("x".repeat(65), 1L);
        types.put("bad\ntype", 1L);
        types.put("(other)", 3L);
        types.put("other", 4L);
        PacerMetrics m = track(new PacerMetrics(() -> new Status(false, types, 0, 0, null,
                Map.of("http_500", 1L, "weird\u0000cause", 2L), null)));

        PrometheusText doc = scrape(m);
        assertEquals(1.0, doc.value("pacer_marathon_events_total", "type", "status_update_event"));
        assertEquals(2.0, doc.value("pacer_marathon_events_total", "type", "(unnamed)"));
        assertEquals(1.0 + 1 + 1 + 3 + 4, doc.value("pacer_marathon_events_total", "type", "other"));
        assertEquals(3, doc.samples("pacer_marathon_events_total").size());
        assertEquals(1.0, doc.value("pacer_marathon_sync_failures_total", "cause", "http_500"));
        assertEquals(2.0, doc.value("pacer_marathon_sync_failures_total", "cause", "other"));
    }

    @Test
    void syncFailureCausesAreCappedToo() {
        Map<String, Long> causes = new TreeMap<>();
        for (int i = 0; i < 70; i++) {
            causes.put("http_" + (400 + i), 2L);
        }
        PacerMetrics m = track(new PacerMetrics(() -> new Status(false, Map.of(), 0, 0, null, causes, null)));
        PrometheusText doc = scrape(m);
        assertEquals(65, doc.samples("pacer_marathon_sync_failures_total").size());
        assertEquals(12.0, doc.value("pacer_marathon_sync_failures_total", "cause", "other"));
        assertEquals(140.0, doc.sum("pacer_marathon_sync_failures_total"));
    }

    // ---- JVM and process -----------------------------------------------------------------------

    @Test
    void jvmAndProcessMetricsArePublished() {
        PacerMetrics m = metrics();
        PrometheusText doc = scrape(m);
        for (String family : List.of("jvm_memory_used_bytes", "jvm_gc_live_data_size_bytes", "jvm_threads_live_threads",
                "jvm_classes_loaded_classes", "system_available_processors", "process_uptime_seconds",
                "process_start_time_seconds", "process_cpu_seconds_total")) {
            assertTrue(doc.families().containsKey(family), () -> family + " in " + doc.families().keySet());
        }
        if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            assertTrue(doc.families().containsKey("process_files_open_files"), "open files");
        }
        assertFalse(doc.families().containsKey("process_cpu_time_ns_total"), "not in nanoseconds");
        assertFalse(doc.families().containsKey("system_cpu_count"), "renamed");
        assertEquals((double) Runtime.getRuntime().availableProcessors(), doc.value("system_available_processors"));
        assertTrue(doc.value("process_cpu_seconds_total") > 0);
        PrometheusMeterRegistry registry = m.registry();
        assertNotNull(registry.find("jvm.memory.used").gauge());
    }
}
