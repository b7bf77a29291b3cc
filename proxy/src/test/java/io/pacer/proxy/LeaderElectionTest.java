package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.pacer.proxy.testing.MarathonPayload.ALIVE;
import static io.pacer.proxy.testing.MarathonPayload.DEAD;
import static io.pacer.proxy.testing.MarathonPayload.apps;

import io.pacer.config.PacerConfig;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.Closer;
import io.pacer.proxy.testing.MarathonPayload;
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
        TestUpstream c = open.track(TestUpstream.echo("c"));
        SoakMarathon marathon = open.track(new SoakMarathon(0));
        marathon.publishApps(apps(web(task(a, "[" + ALIVE + "]"), task(b, "[" + ALIVE + "]")), api(c, ALIVE)));

        Pacer pacer = open.track(Pacer.start(PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("election")
                .workerThreads(2)
                .streamWatchdog(Duration.ofSeconds(5))
                .marathon(List.of(marathon.uri()))
                .build(), dir.resolve("pacer.toml")));
        URI web = URI.create("http://127.0.0.1:" + pacer.server().localAddress().getPort() + "/web/");
        Await.until(WAIT, () -> pacer.server().routes().tasks().size() == 3, "every healthy task routed");

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
        marathon.publishApps(apps(web(task(a, "[]"), task(b, "[]"), task(fresh, "[]")), api(c, ""),
                MarathonPayload.app("/other", "{}", other)));
        URI otherUri = web.resolve("/other/");
        Await.until(WAIT, () -> status(otherUri) == 200, "the answer without health results is in force");
        int aBefore = a.requestCount();
        int bBefore = b.requestCount();
        Await.until(WAIT, () -> a.requestCount() > aBefore + 20 && b.requestCount() > bBefore + 20,
                "both routed tasks keep serving while Marathon lists no results");
        assertEquals(0, fresh.requestCount(), "a task never checked gets nothing until its first result");
        URI apiUri = web.resolve("/api/");
        int cBefore = c.requestCount();
        assertEquals(200, status(apiUri), "every app keeps its routed tasks, not only one");
        assertEquals(cBefore + 1, c.requestCount());

        // Results are back, the new task's included: it joins.
        marathon.publishApps(apps(web(task(a, "[" + ALIVE + "]"), task(b, "[" + ALIVE + "]"),
                task(fresh, "[" + ALIVE + "]")), MarathonPayload.app("/other", "{}", other)));
        Await.until(WAIT, () -> fresh.requestCount() > 5, "the new task takes traffic once it is healthy");

        // A failing result still takes a task out at once: the guard covers missing results only.
        marathon.publishApps(apps(web(task(a, "[" + ALIVE + "]"), task(b, "[" + DEAD + "]"),
                task(fresh, "[" + ALIVE + "]")), MarathonPayload.app("/other", "{}", other)));
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

    /** The health-checked app under test, with the given tasks. */
    private static String web(String... tasks) {
        return MarathonPayload.healthChecked("/web", "{}", tasks);
    }

    /** A second health-checked app, its one task with {@code result} ("" for none yet). */
    private static String api(TestUpstream upstream, String result) {
        return MarathonPayload.healthChecked("/api", "{}", MarathonPayload.task("/api", upstream, "[" + result + "]"));
    }

    private static String task(TestUpstream upstream, String healthResults) {
        return MarathonPayload.task("/web", upstream, healthResults);
    }
}
