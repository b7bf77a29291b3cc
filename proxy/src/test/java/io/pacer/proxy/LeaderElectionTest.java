package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.config.PacerConfig;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.SoakMarathon;
import io.pacer.proxy.testing.TestUpstream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Marathon leader election, as Pacer meets it from a Marathon serving real payload shapes: the
 * app's tasks are healthy, then the event stream drops and the new leader lists every task with
 * {@code "healthCheckResults": []} (plus a new task still in its grace period), then results come
 * back. A client under steady load must get 200 throughout, and the new task nothing until its
 * first result.
 */
class LeaderElectionTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final Closer open = new Closer();

    @TempDir
    Path dir;

    private final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    private final List<Throwable> clientErrors = new CopyOnWriteArrayList<>();

    @Test
    void anElectionKeepsRoutedTasksAndHoldsBackNewOnes() throws Exception {
        TestUpstream a = open.track(TestUpstream.echo("a"));
        TestUpstream b = open.track(TestUpstream.echo("b"));
        TestUpstream fresh = open.track(TestUpstream.echo("fresh"));
        TestUpstream other = open.track(TestUpstream.echo("other"));
        SoakMarathon marathon = open.track(new SoakMarathon(0));
        marathon.publishApps(apps(web(task(a, "[" + ALIVE + "]"), task(b, "[" + ALIVE + "]"))));

        Pacer pacer = open.track(Pacer.start(PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("election")
                .workerThreads(2)
                .streamWatchdog(Duration.ofSeconds(5))
                .marathon(List.of(marathon.uri()))
                .build(), dir.resolve("pacer.toml")));
        URI web = URI.create("http://127.0.0.1:" + pacer.server().localAddress().getPort() + "/web/");
        Await.until(WAIT, () -> pacer.server().routes().tasks().size() == 2, "both healthy tasks routed");

        AtomicBoolean stop = new AtomicBoolean();
        Thread client = new Thread(() -> load(web, stop), "election-client");
        client.start();
        open.track(() -> {
            stop.set(true);
            client.join(10_000);
        });
        Await.until(WAIT, () -> a.requestCount() > 20 && b.requestCount() > 20, "load on both tasks");

        // The election: the stream drops, and the new leader knows no health results yet. In the
        // same answer a second app appears, so the test knows when Pacer has taken this answer in.
        marathon.dropStreams();
        marathon.publishApps(apps(web(task(a, "[]"), task(b, "[]"), task(fresh, "[]")),
                plain("/other", other)));
        URI otherUri = web.resolve("/other/");
        Await.until(WAIT, () -> status(otherUri) == 200, "the answer without health results is in force");
        int aBefore = a.requestCount();
        int bBefore = b.requestCount();
        Await.until(WAIT, () -> a.requestCount() > aBefore + 20 && b.requestCount() > bBefore + 20,
                "both routed tasks keep serving while Marathon lists no results");
        assertEquals(0, fresh.requestCount(), "a task never checked gets nothing until its first result");

        // Results are back, the new task's included: it joins.
        marathon.publishApps(apps(web(task(a, "[" + ALIVE + "]"), task(b, "[" + ALIVE + "]"),
                task(fresh, "[" + ALIVE + "]")), plain("/other", other)));
        Await.until(WAIT, () -> fresh.requestCount() > 5, "the new task takes traffic once it is healthy");

        // A failing result still takes a task out at once: the guard covers missing results only.
        marathon.publishApps(apps(web(task(a, "[" + ALIVE + "]"), task(b, "[" + DEAD + "]"),
                task(fresh, "[" + ALIVE + "]")), plain("/other", other)));
        Await.until(WAIT, () -> pacer.server().routes().tasks().size() == 3, "b left the table");
        int bAfter = b.requestCount();
        int freshNow = fresh.requestCount();
        Await.until(WAIT, () -> fresh.requestCount() > freshNow + 20, "load goes on");
        assertTrue(b.requestCount() <= bAfter + 2, "b, reported dead, gets no new requests");

        stop.set(true);
        client.join(10_000);
        assertEquals(List.of(), clientErrors);
        assertEquals(Set.of(200), statuses.keySet(), () -> "every answer was 200: " + statuses);
    }

    private void load(URI uri, AtomicBoolean stop) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!stop.get() && System.nanoTime() < deadline) {
            try {
                int status = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                statuses.computeIfAbsent(status, s -> new LongAdder()).increment();
            } catch (Exception e) {
                clientErrors.add(e);
                return;
            }
        }
    }

    private static int status(URI uri) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- Marathon payloads, in the shape /v2/apps?embed=apps.tasks has ---------------------------

    private static final String ALIVE = "{\"alive\":true,\"consecutiveFailures\":0,\"firstSuccess\":"
            + "\"2026-12-06T10:00:00.000Z\",\"lastSuccess\":\"2026-12-06T10:00:05.000Z\",\"lastFailure\":null,"
            + "\"lastFailureCause\":null,\"instanceId\":\"web.marathon-1\"}";
    private static final String DEAD = "{\"alive\":false,\"consecutiveFailures\":3,\"firstSuccess\":"
            + "\"2026-12-06T10:00:00.000Z\",\"lastSuccess\":\"2026-12-06T10:00:05.000Z\",\"lastFailure\":"
            + "\"2026-12-06T10:01:00.000Z\",\"lastFailureCause\":\"ConnectionRefused\",\"instanceId\":\"web.marathon-1\"}";

    private static String apps(String... apps) {
        return "{\"apps\":[" + String.join(",", apps) + "]}";
    }

    private static String web(String... tasks) {
        return "{\"id\":\"/web\",\"labels\":{},\"env\":{},\"instances\":" + tasks.length
                + ",\"portDefinitions\":[{\"port\":10000,\"protocol\":\"tcp\",\"name\":\"http\",\"labels\":{}}],"
                + "\"healthChecks\":[{\"gracePeriodSeconds\":300,\"intervalSeconds\":20,\"maxConsecutiveFailures\":3,"
                + "\"path\":\"/\",\"portIndex\":0,\"protocol\":\"HTTP\",\"timeoutSeconds\":20}],"
                + "\"readinessChecks\":[],\"tasks\":[" + String.join(",", tasks) + "]}";
    }

    private static String plain(String id, TestUpstream upstream) {
        return "{\"id\":\"" + id + "\",\"labels\":{},\"healthChecks\":[],\"tasks\":["
                + "{\"id\":\"other." + upstream.name() + "\",\"appId\":\"" + id + "\",\"host\":\"127.0.0.1\","
                + "\"ports\":[" + upstream.port() + "],\"state\":\"TASK_RUNNING\"}]}";
    }

    private static String task(TestUpstream upstream, String results) {
        return "{\"id\":\"web.instance-" + upstream.name() + "\",\"appId\":\"/web\",\"host\":\"127.0.0.1\","
                + "\"ports\":[" + upstream.port() + "],\"ipAddresses\":[{\"ipAddress\":\"127.0.0.1\",\"protocol\":\"IPv4\"}],"
                + "\"state\":\"TASK_RUNNING\",\"startedAt\":\"2026-12-06T10:00:00.000Z\","
                + "\"stagedAt\":\"2026-12-06T09:59:58.000Z\",\"version\":\"2026-12-06T09:59:50.000Z\","
                + "\"servicePorts\":[],\"healthCheckResults\":" + results + "}";
    }
}
