package io.pacer.proxy.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pacer.config.PacerConfig;
import io.pacer.proxy.Pacer;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Prometheus and Grafana files under {@code ops/}: promtool accepts and unit-tests the alerts,
 * every metric they and the dashboard name is one a running Pacer exports, and the script starts a
 * real Prometheus that answers a query about it. Tools that are missing skip their test, saying so.
 */
class PrometheusOpsTest {

    private static final Path OPS = Path.of("..", "ops");
    private static final Path ALERTS = OPS.resolve("prometheus/alerts.yml");
    private static final Path DASHBOARD = OPS.resolve("grafana/pacer.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:pacer|jvm|process)_[a-z_]+[a-z])\\b");

    /**
     * Metrics that exist only once something happened: a labelled counter gets its first series
     * with its first label value (a Marathon event, a failed sync, a failed attempt), and
     * pacer_upstream_marked_tasks has a series only for apps with a task marked right now.
     */
    private static final Set<String> EXPORTED_WHEN_COUNTED = Set.of("pacer_marathon_events_total",
            "pacer_marathon_sync_failures_total", "pacer_upstream_failures_total", "pacer_upstream_marked_tasks");

    /** Per-app buckets, only with {@code app_latency_histograms = true}; the dashboard falls back to the others. */
    private static final Set<String> EXPORTED_WITH_APP_LATENCY_HISTOGRAMS = Set.of(
            "pacer_request_duration_seconds_bucket", "pacer_upstream_duration_seconds_bucket");

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private record Result(int status, String output) { }

    private static Result run(Path cwd, List<String> command, String... env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        for (int i = 0; i < env.length; i += 2) {
            pb.environment().put(env[i], env[i + 1]);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "finished: " + command);
        return new Result(p.exitValue(), out);
    }

    private static void assumeInstalled(String tool) throws Exception {
        Result which = run(Path.of("."), List.of("sh", "-c", "command -v " + tool));
        Assumptions.assumeTrue(which.status() == 0, tool + " is not installed (Debian: apt-get install prometheus);"
                + " this check of ops/prometheus did not run");
    }

    @Test
    void promtoolAcceptsTheAlertRules() throws Exception {
        assumeInstalled("promtool");
        Result r = run(ALERTS.getParent(), List.of("promtool", "check", "rules", "alerts.yml"));
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("SUCCESS: 9 rules found"), r.output());
    }

    /** alerts_test.yml feeds each alert the series of its trouble and of healthy neighbours. */
    @Test
    void theAlertsFireOnTheirTroubleAndOnlyThere() throws Exception {
        assumeInstalled("promtool");
        Result r = run(ALERTS.getParent(), List.of("promtool", "test", "rules", "alerts_test.yml"));
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("SUCCESS"), r.output());
    }

    @Test
    void everyAlertIsUnitTested() throws IOException {
        String alerts = Files.readString(ALERTS);
        String tests = Files.readString(ALERTS.resolveSibling("alerts_test.yml"));
        Matcher m = Pattern.compile("(?m)^ *- alert: (\\w+)$").matcher(alerts);
        int count = 0;
        while (m.find()) {
            count++;
            assertTrue(tests.contains("alertname: " + m.group(1) + "\n"), m.group(1) + " has a test in alerts_test.yml");
        }
        assertEquals(9, count);
    }

    @Test
    void theDashboardIsGrafanaJsonWithAQueryInEveryPanel() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertEquals("pacer", dashboard.get("uid").asText());
        assertEquals("Pacer", dashboard.get("title").asText());
        int panels = 0;
        for (JsonNode panel : dashboard.get("panels")) {
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            panels++;
            String title = panel.get("title").asText();
            assertEquals("${datasource}", panel.get("datasource").get("uid").asText(), title);
            assertTrue(panel.get("targets").size() > 0, title);
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText();
                assertTrue(expr.contains("job=\"pacer\""), title + ": " + expr);
                assertEquals(count(expr, '('), count(expr, ')'), title + ": balanced parentheses in " + expr);
            }
        }
        assertTrue(panels >= 15, "panels: " + panels);
    }

    @Test
    void everyMetricTheAlertsAndTheDashboardNameIsExported() throws Exception {
        Pacer pacer = startPacer();
        String scrape = scrape(pacer);
        Set<String> named = new TreeSet<>();
        named.addAll(metricNames(Files.readString(ALERTS)));
        named.addAll(metricNames(Files.readString(DASHBOARD)));
        assertTrue(named.contains("pacer_requests_total") && named.contains("pacer_app_tasks"), named.toString());
        for (String name : named) {
            if (EXPORTED_WHEN_COUNTED.contains(name) && !scrape.contains("\n" + name)) {
                continue;
            }
            if (EXPORTED_WITH_APP_LATENCY_HISTOGRAMS.contains(name)) {
                assertFalse(scrape.contains("\n" + name), name + " without app_latency_histograms");
                continue;
            }
            assertTrue(Pattern.compile("(?m)^" + name + "[{ ]").matcher(scrape).find(),
                    name + " is named in ops/ but not exported; the scrape had:\n" + scrape);
        }
    }

    /** The script of the README's "Monitoring": a real Prometheus scraping a running Pacer answers a query. */
    @Test
    void theScriptStartsAPrometheusThatAnswersAQueryAboutPacer() throws Exception {
        assumeInstalled("prometheus");
        assumeInstalled("promtool");
        assumeInstalled("curl");
        Pacer pacer = startPacer();
        InetSocketAddress admin = pacer.admin().localAddress();
        Result r = run(OPS.resolve("prometheus"), List.of("./try-prometheus.sh", "127.0.0.1:" + admin.getPort()),
                "PROMETHEUS_PORT", String.valueOf(freePort()));
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains("\"metric\":{\"app\":\"/app\"},\"value\":["), r.output());
        assertTrue(r.output().contains("\"job\":\"pacer\"},\"value\":["), "up is answered: " + r.output());
        assertTrue(r.output().contains("alerting rules loaded: 9"), r.output());
    }

    @Test
    void theScriptSaysSoWhenNoPacerAnswers() throws Exception {
        assumeInstalled("prometheus");
        assumeInstalled("curl");
        Result r = run(OPS.resolve("prometheus"), List.of("./try-prometheus.sh", "127.0.0.1:" + freePort()));
        assertEquals(1, r.status(), r.output());
        assertTrue(r.output().contains("no Pacer metrics at http://127.0.0.1:"), r.output());
    }

    /** With {@code app_latency_histograms = true}, the dashboard's p99-by-app queries have their series. */
    @Test
    void appLatencyHistogramsGiveEachAppItsBuckets() throws Exception {
        String scrape = scrape(startPacer(true));
        for (String name : EXPORTED_WITH_APP_LATENCY_HISTOGRAMS) {
            assertTrue(scrape.contains("\n" + name + "{app=\"/app\",le=\"0.005\"}"), name + " in:\n" + scrape);
        }
        assertTrue(scrape.contains("\npacer_proxy_request_duration_seconds_bucket{le=\"0.005\"}"), scrape);
    }

    private Pacer startPacer() throws Exception {
        return startPacer(false);
    }

    private Pacer startPacer(boolean appLatencyHistograms) throws Exception {
        TestUpstream up = open.track(TestUpstream.start("ops", req -> Reply.ok("ok")));
        Path apps = dir.resolve("apps.json");
        Files.writeString(apps, "{\"apps\": [{\"id\": \"/app\", \"labels\": {}, \"healthChecks\": [], \"tasks\": [{"
                + "\"id\": \"app.t1\", \"appId\": \"/app\", \"host\": \"127.0.0.1\", \"ports\": [" + up.port()
                + "], \"state\": \"TASK_RUNNING\", \"healthCheckResults\": []}]}]}\n");
        PacerConfig config = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .adminListen(new InetSocketAddress("127.0.0.1", 0))
                .workerThreads(1)
                .appsFile(apps)
                .appLatencyHistograms(appLatencyHistograms)
                .build();
        Pacer pacer = open.track(Pacer.start(config, dir.resolve("pacer.toml")));
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + pacer.server().localAddress().getPort() + "/app/x")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "a request counted before the scrape");
        return pacer;
    }

    private static String scrape(Pacer pacer) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + pacer.admin().localAddress().getPort() + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertFalse(r.body().isEmpty());
        return r.body();
    }

    private static Set<String> metricNames(String text) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static long count(String s, char c) {
        return s.chars().filter(x -> x == c).count();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
