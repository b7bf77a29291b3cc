package io.pacer.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.core.App;
import io.pacer.core.RetryCondition;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.proxy.http.RequestRecord;
import io.pacer.proxy.http.TrafficStats;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PacerMetrics#scrape()} against the rules of the Prometheus text exposition format 0.0.4,
 * checked in Java by {@link PrometheusText}, and by {@code promtool check metrics} when it is on
 * the PATH.
 */
class PrometheusFormatTest {

    private static final String WEIRD_APP = "/we\"ird\\app";
    private static final String MULTILINE_APP = "/multi\nline";

    private final List<PacerMetrics> created = new ArrayList<>();

    @AfterEach
    void closeMetrics() {
        created.forEach(PacerMetrics::close);
    }

    /** Metrics with every kind of series populated, label values that need escaping included. */
    private PacerMetrics populated() {
        return populated(false);
    }

    /** As {@link #populated()}; {@code appHistograms} is {@code app_latency_histograms}. */
    private PacerMetrics populated(boolean appHistograms) {
        Map<String, Long> events = new LinkedHashMap<>();
        events.put("status_update_event", 12L);
        events.put("(unnamed)", 1L);
        events.put("quote\"and\\slash", 2L);
        events.put("bad\ntype", 1L);
        PacerMetrics m = new PacerMetrics(() -> new PacerMetricsTest.Status(true, events, 1, 3,
                Duration.ofMillis(120), Map.of("http_503", 1L, "timeout", 2L), Instant.now().minusSeconds(5)),
                Clock.systemUTC(), appHistograms);
        created.add(m);
        m.bindTraffic(new TrafficStats());
        Task task = new Task("t.1", "127.0.0.1", 8080);
        RouteTable table = RouteTable.builder(3)
                .add(new App("/a", List.of("/a"), List.of(task)))
                .add(new App(WEIRD_APP, List.of("/weird"), List.of(task, new Task("t.2", "127.0.0.1", 8081))))
                .build();
        m.updateRoutes(table);
        for (String app : List.of("/a", WEIRD_APP, MULTILINE_APP)) {
            for (int status : new int[] {101, 200, 204, 302, 404, 499, 502, 503}) {
                m.requestFinished(RequestRecord.of("10.0.0.1", "GET", "/x?q=1", status, 10, 100,
                        TimeUnit.MILLISECONDS.toNanos(status / 10), TimeUnit.MILLISECONDS.toNanos(status / 20),
                        app, status == 502 ? null : task, 1, status == 502, true));
            }
            for (RetryCondition c : RetryCondition.values()) {
                m.retried(app, c);
            }
        }
        m.requestFinished(RequestRecord.of("10.0.0.1", "GET", "/none", 503, 0, 50, 1_000, 0, null, null, 0,
                false, true));
        return m;
    }

    @ParameterizedTest(name = "app_latency_histograms = {0}")
    @ValueSource(booleans = {false, true})
    void scrapeFollowsTheExpositionFormat(boolean appHistograms) {
        PacerMetrics m = populated(appHistograms);
        String text = m.scrape();
        PrometheusText doc = PrometheusText.parse(text);
        assertEquals(List.of(), doc.problems(), () -> "format problems in:\n" + text);

        assertTrue(doc.series().size() > 100, "a populated scrape");
        for (PrometheusText.Family f : doc.families().values()) {
            assertTrue(PrometheusText.METRIC_NAME.matcher(f.name).matches(), f.name);
            if (f.name.startsWith("pacer_")) {
                assertNotNull(f.help, () -> "HELP of " + f.name);
                assertFalse(f.help.isBlank(), () -> "HELP of " + f.name);
                assertTrue(f.typed, () -> "TYPE of " + f.name);
            }
            for (PrometheusText.Sample s : f.samples) {
                for (String label : s.labels().keySet()) {
                    assertTrue(PrometheusText.LABEL_NAME.matcher(label).matches(), label);
                }
            }
        }
        for (String histogram : List.of("pacer_proxy_request_duration_seconds", "pacer_proxy_upstream_duration_seconds")) {
            assertEquals("histogram", doc.families().get(histogram).type, histogram);
        }
        for (String byApp : List.of("pacer_request_duration_seconds", "pacer_upstream_duration_seconds")) {
            assertEquals(appHistograms ? "histogram" : "summary", doc.families().get(byApp).type, byApp);
        }
        for (String counter : List.of("pacer_requests_total", "pacer_retries_total", "pacer_requests_exhausted_total",
                "pacer_client_received_bytes_total", "pacer_client_sent_bytes_total", "pacer_marathon_events_total",
                "pacer_marathon_resyncs_total", "pacer_marathon_sync_failures_total",
                "pacer_marathon_malformed_events_total")) {
            assertEquals("counter", doc.families().get(counter).type, counter);
        }

        // Label values are escaped as the format says, and read back as they were.
        assertTrue(text.contains("app=\"/we\\\"ird\\\\app\""), "quote and backslash escaped");
        assertTrue(text.contains("app=\"/multi\\nline\""), "line feed escaped");
        assertTrue(text.contains("type=\"quote\\\"and\\\\slash\""), "event type escaped");
        assertEquals(2.0, doc.value("pacer_requests_total", "app", WEIRD_APP, "status_class", "2xx"));
        assertEquals(1.0, doc.value("pacer_requests_total", "app", MULTILINE_APP, "status_class", "3xx"));
        assertEquals(2.0, doc.value("pacer_marathon_events_total", "type", "quote\"and\\slash"));
        assertEquals(1.0, doc.value("pacer_marathon_events_total", "type", "other"), "a control character");
        assertEquals(PacerMetrics.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    }

    @Test
    void pacerSeriesCarryOnlyBoundedLabels() {
        PrometheusText doc = PrometheusText.parse(populated().scrape());
        Set<String> allowed = Set.of("app", "status_class", "reason", "le", "type", "cause");
        Map<String, Set<String>> appsPerFamily = new LinkedHashMap<>();
        for (PrometheusText.Sample s : doc.series().values()) {
            if (!s.name().startsWith("pacer_")) {
                continue;
            }
            assertTrue(allowed.containsAll(s.labels().keySet()), () -> "labels of " + s.key());
            String cls = s.labels().get("status_class");
            if (cls != null) {
                assertTrue(Set.of("1xx", "2xx", "3xx", "4xx", "5xx").contains(cls), s.key());
            }
            String reason = s.labels().get("reason");
            if (reason != null) {
                assertTrue(Set.of("error", "timeout", "invalid_header", "status").contains(reason), s.key());
            }
            String app = s.labels().get("app");
            if (app != null) {
                appsPerFamily.computeIfAbsent(s.name(), k -> new HashSet<>()).add(app);
            }
        }
        assertEquals(Set.of("/a", WEIRD_APP, MULTILINE_APP, "none"), appsPerFamily.get("pacer_requests_total"));
        // Per app: 5 status classes, 4 retry reasons, 1 exhausted, 1 task gauge, 2 summaries of
        // count + sum, 2 max gauges; with app_latency_histograms, 15 buckets more in each.
        long perApp = doc.series().values().stream()
                .filter(s -> "/a".equals(s.labels().get("app")))
                .count();
        assertEquals(5 + 4 + 1 + 1 + 2 * 2 + 2, perApp);
        long perAppWithBuckets = PrometheusText.parse(populated(true).scrape()).series().values().stream()
                .filter(s -> "/a".equals(s.labels().get("app")))
                .count();
        assertEquals(5 + 4 + 1 + 1 + 2 * (15 + 2) + 2, perAppWithBuckets);
    }

    @Test
    void checkerFindsBrokenDocuments() {
        assertEquals(List.of(), PrometheusText.parse("# HELP m_total Things.\n# TYPE m_total counter\n"
                + "m_total{a=\"x\"} 1\nm_total{a=\"y\",} 2.5e3 1700000000000\n# a comment\n\n"
                + "# TYPE h histogram\nh_bucket{le=\"0.1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_count 2\nh_sum 0.3\n"
                + "g NaN\ng2 -Inf\n").problems());

        Map<String, String> broken = new LinkedHashMap<>();
        broken.put("1abc 1\n", "no metric name");
        broken.put("m{1a=\"x\"} 1\n", "invalid label name");
        broken.put("m{a=\"\\t\"} 1\n", "invalid escape");
        broken.put("m{a=\"x\"y\"} 1\n", "expected , or }");
        broken.put("m{a=\"x} 1\n", "unterminated");
        broken.put("m{__name__=\"x\"} 1\n", "reserved label name");
        broken.put("m{a=\"x\",a=\"y\"} 1\n", "label a twice");
        broken.put("m abc\n", "invalid value");
        broken.put("m 1", "line feed");
        broken.put("m 1\nm 2\n", "duplicate series");
        broken.put("# TYPE m gauge\n# TYPE m gauge\nm 1\n", "second TYPE");
        broken.put("# HELP m a\n# HELP m b\nm 1\n", "second HELP");
        broken.put("# HELP m a\\t\nm 1\n", "invalid escape");
        broken.put("m 1\n# TYPE m gauge\n", "after its samples");
        broken.put("# TYPE m gauge\nm{a=\"1\"} 1\nn 1\nm{a=\"2\"} 1\n", "not grouped");
        broken.put("# TYPE m teapot\nm 1\n", "unknown TYPE");
        broken.put("# TYPE c counter\nc 1\n", "does not end with _total");
        broken.put("# TYPE c_total counter\nc_total -1\n", "counter c_total is -1.0");
        broken.put("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nh_sum 1\n",
                "below the previous bucket");
        broken.put("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 1\n"
                + "h_count 1\nh_sum 1\n", "not above the previous");
        broken.put("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\nh_sum 1\n", "not +Inf");
        broken.put("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\nh_sum 1\n", "differs from the +Inf");
        broken.put("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\n", "without _count");
        broken.put("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n", "without _sum");
        broken.put("# TYPE s summary\ns{quantile=\"2\"} 1\ns_count 1\ns_sum 1\n", "quantile in [0, 1]");
        broken.forEach((doc, expected) -> {
            List<String> problems = PrometheusText.parse(doc).problems();
            assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                    () -> "expected a problem with '" + expected + "' in " + doc.replace("\n", "\\n") + ", got "
                            + problems);
        });
    }

    @ParameterizedTest(name = "app_latency_histograms = {0}")
    @ValueSource(booleans = {false, true})
    void promtoolAcceptsTheScrape(boolean appHistograms) throws Exception {
        Path promtool = onPath("promtool");
        Assumptions.assumeTrue(promtool != null, "promtool is not on the PATH");
        String text = populated(appHistograms).scrape();
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(could not read promtool's output: " + e + ")";
            }
        });
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        assertTrue(exited, "promtool finished");
        String said = output.get(10, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), () -> "promtool check metrics said:\n" + said);
    }

    private static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
