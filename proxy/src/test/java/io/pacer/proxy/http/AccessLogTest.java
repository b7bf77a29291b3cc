package io.pacer.proxy.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pacer.config.PacerConfig;
import io.pacer.core.RouteTable;
import io.pacer.core.Task;
import io.pacer.proxy.Pacer;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The access log: its two line formats, and the lines a running Pacer writes. */
class AccessLogTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Task TASK = new Task("app.t1", "10.0.0.2", 31000);
    private static final List<String> JSON_FIELDS = List.of("client", "method", "uri", "status", "bytes_in",
            "bytes_out", "total_ms", "upstream_ms", "app", "task", "attempts", "exhausted", "complete");

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();
    private Logger accessLogger;
    private ListAppender<ILoggingEvent> appender;
    private Level previousLevel;
    private boolean previousAdditive;

    @BeforeEach
    void captureTheAccessLog() {
        accessLogger = (Logger) LoggerFactory.getLogger(AccessLog.LOGGER);
        previousLevel = accessLogger.getLevel();
        previousAdditive = accessLogger.isAdditive();
        appender = new ListAppender<>();
        appender.setName("access-log-test");
        appender.start();
        accessLogger.addAppender(appender);
        accessLogger.setLevel(Level.INFO);
        accessLogger.setAdditive(false); // the lines are asserted on, not printed
    }

    @AfterEach
    void restore() throws Exception {
        try {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        } finally {
            accessLogger.detachAppender(appender);
            appender.stop();
            accessLogger.setLevel(previousLevel);
            accessLogger.setAdditive(previousAdditive);
        }
    }

    private <T extends AutoCloseable> T track(T closeable) {
        open.add(closeable);
        return closeable;
    }

    /** The lines logged so far (a snapshot: the appender is written from event loops). */
    private List<String> lines() {
        synchronized (appender) {
            List<String> out = new ArrayList<>();
            for (ILoggingEvent e : appender.list) {
                out.add(e.getFormattedMessage());
            }
            return out;
        }
    }

    private String awaitLine(Predicate<String> wanted, String what) {
        Await.until(TIMEOUT, () -> lines().stream().anyMatch(wanted), () -> what + "; lines so far: " + lines());
        return lines().stream().filter(wanted).findFirst().orElseThrow();
    }

    private static RequestRecord record(String uri, String appId, Task task, boolean complete) {
        return RequestRecord.of("192.0.2.7", "GET", uri, 200, 12, 345, 1_234_567, 1_000_000, appId, task, 2,
                false, complete);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    // ---- formats -------------------------------------------------------------------------------

    @Test
    void textHasEveryFieldInOrder() {
        assertEquals("192.0.2.7 GET \"/app/x?y=1\" 200 12 345 1.235 1.000 /app 10.0.0.2:31000 2",
                AccessLog.text(record("/app/x?y=1", "/app", TASK, true)));
    }

    @Test
    void textMarksAbsentFieldsWithADashAndCutAnswersAsAborted() {
        RequestRecord own = RequestRecord.of("192.0.2.7", "HEAD", "/nowhere", 503, 0, 0, 500_000, 0, null, null, 0,
                false, true);
        assertEquals("192.0.2.7 HEAD \"/nowhere\" 503 0 0 0.500 - - - 0", AccessLog.text(own));
        String cut = AccessLog.text(record("/app/x", "/app", TASK, false));
        assertTrue(cut.endsWith(" 2 aborted"), cut);
    }

    @Test
    void textEscapesQuotesAndControlCharactersInTheUri() {
        String uri = "/a\"b\\c\nd\re\tf\u0001g\u007fh";
        String line = AccessLog.text(record(uri, "/app", TASK, true));
        assertEquals("192.0.2.7 GET \"/a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007fh\" 200 12 345 1.235 1.000 /app "
                + "10.0.0.2:31000 2", line);
        assertFalse(line.chars().anyMatch(c -> c < 0x20 || c == 0x7f), "one printable line: " + line);
    }

    @Test
    void jsonHasTheDocumentedFields() throws Exception {
        String line = AccessLog.json(record("/app/x?y=1", "/app", TASK, true));
        JsonNode j = JSON.readTree(line);
        assertEquals(JSON_FIELDS, fieldNames(j));
        assertEquals("192.0.2.7", j.get("client").asText());
        assertEquals("GET", j.get("method").asText());
        assertEquals("/app/x?y=1", j.get("uri").asText());
        assertEquals(200, j.get("status").asInt());
        assertTrue(j.get("status").isInt());
        assertEquals(12, j.get("bytes_in").asLong());
        assertEquals(345, j.get("bytes_out").asLong());
        assertEquals(1.235, j.get("total_ms").asDouble(), 1e-9);
        assertTrue(j.get("total_ms").isNumber());
        assertEquals(1.0, j.get("upstream_ms").asDouble(), 1e-9);
        assertEquals("/app", j.get("app").asText());
        assertEquals("10.0.0.2:31000", j.get("task").asText());
        assertEquals(2, j.get("attempts").asInt());
        assertFalse(j.get("exhausted").asBoolean());
        assertTrue(j.get("exhausted").isBoolean());
        assertTrue(j.get("complete").asBoolean());
        assertFalse(line.contains("\n"));
    }

    @Test
    void jsonUsesNullForAbsentFields() throws Exception {
        RequestRecord own = RequestRecord.of("::1", "GET", "/x", 503, 0, 19, 10_000, 0, null, null, 0, true, false);
        JsonNode j = JSON.readTree(AccessLog.json(own));
        assertEquals(JSON_FIELDS, fieldNames(j));
        assertTrue(j.get("upstream_ms").isNull());
        assertTrue(j.get("app").isNull());
        assertTrue(j.get("task").isNull());
        assertTrue(j.get("exhausted").asBoolean());
        assertFalse(j.get("complete").asBoolean());
        assertEquals("::1", j.get("client").asText());
    }

    @Test
    void jsonEscapesWhatTheClientSent() throws Exception {
        String uri = "/a\"b\\c\nd\re\tf\u0001g\u007fh/é";
        String line = AccessLog.json(RequestRecord.of("10.1.1.1", "GET", uri, 200, 0, 0, 0, 0, "/a\"pp", TASK, 1,
                false, true));
        assertFalse(line.chars().anyMatch(c -> c < 0x20 || c == 0x7f), "one printable line: " + line);
        JsonNode j = JSON.readTree(line);
        assertEquals(uri, j.get("uri").asText(), "the URI comes back exactly");
        assertEquals("/a\"pp", j.get("app").asText());
    }

    @Test
    void nothingIsFormattedWhenTheLoggerIsOff() {
        accessLogger.setLevel(Level.WARN);
        new AccessLog(AccessLog.Format.TEXT).requestFinished(record("/x", "/app", TASK, true));
        assertEquals(List.of(), lines());
        accessLogger.setLevel(Level.INFO);
        new AccessLog(AccessLog.Format.JSON).requestFinished(record("/x", "/app", TASK, true));
        assertEquals(1, lines().size());
        assertTrue(lines().get(0).startsWith("{\"client\":\"192.0.2.7\""), lines().get(0));
    }

    // ---- end to end ----------------------------------------------------------------------------

    private PacerServer startProxy(RouteTable table) throws Exception {
        PacerConfig config = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("access-log-test")
                .workerThreads(2)
                .connectTimeout(Duration.ofSeconds(2))
                .readTimeout(Duration.ofSeconds(10))
                .build();
        PacerServer server = PacerServer.start(config, table, new AccessLog(AccessLog.Format.TEXT));
        track(server);
        return server;
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: pacer.test\r\n\r\n";
    }

    @Test
    void aRetriedRequestLogsTheTaskThatAnsweredAndBothAttempts() throws Exception {
        TestUpstream busy = track(TestUpstream.start("busy", req -> Reply.status(503, "busy")));
        TestUpstream fine = track(TestUpstream.start("fine", req -> Reply.ok("fine")));
        PacerServer server = startProxy(TestProxy.table(TestProxy.app("/app", busy, fine)));

        RawResponse r = track(RawHttp.connect(server.localAddress())).send(get("/app/retry")).readResponse(TIMEOUT);
        assertEquals(200, r.status());
        assertEquals("fine", r.bodyText());
        assertEquals(1, busy.requestCount(), "the first task was tried and answered 503");

        String line = awaitLine(l -> l.contains("\"/app/retry\""), "an access-log line for /app/retry");
        String[] f = line.split(" ");
        assertEquals(11, f.length, line);
        assertEquals("127.0.0.1", f[0]);
        assertEquals("GET", f[1]);
        assertEquals("\"/app/retry\"", f[2]);
        assertEquals("200", f[3], line);
        assertEquals("0", f[4]);
        assertEquals("4", f[5], "the body bytes sent to the client: " + line);
        assertTrue(Double.parseDouble(f[6]) >= Double.parseDouble(f[7]), "total covers the upstream time: " + line);
        assertEquals("/app", f[8]);
        assertEquals("127.0.0.1:" + fine.port(), f[9], "the second task answered: " + line);
        assertEquals("2", f[10], "two attempts: " + line);
        assertEquals(1, lines().size(), "one line per request: " + lines());
    }

    @Test
    void anUnknownPathLogs503WithoutAppOrTask() throws Exception {
        TestUpstream up = track(TestUpstream.start("up", req -> Reply.ok("x")));
        PacerServer server = startProxy(TestProxy.table(TestProxy.app("/app", up)));

        RawResponse r = track(RawHttp.connect(server.localAddress())).send(get("/nope/here")).readResponse(TIMEOUT);
        assertEquals(503, r.status());

        String line = awaitLine(l -> l.contains("\"/nope/here\""), "an access-log line for /nope/here");
        String[] f = line.split(" ");
        assertEquals("503", f[3], line);
        assertEquals(String.valueOf(r.body().length), f[5], line);
        assertEquals("-", f[7], "no upstream time: " + line);
        assertEquals("-", f[8], "no app: " + line);
        assertEquals("-", f[9], "no task: " + line);
        assertEquals("0", f[10], "no attempt: " + line);
        assertEquals(0, up.requestCount());
    }

    @Test
    void bodyBytesAndTimesAreLogged() throws Exception {
        TestUpstream echo = track(TestUpstream.start("echo", req -> Reply.ok(req.body()).delayed(Duration.ofMillis(300))));
        PacerServer server = startProxy(TestProxy.table(TestProxy.app("/app", echo)));

        RawResponse r = track(RawHttp.connect(server.localAddress()))
                .send("POST /app/upload HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello world")
                .readResponse(TIMEOUT);
        assertEquals(200, r.status());
        assertEquals("hello world", r.bodyText());
        String line = awaitLine(l -> l.contains("\"/app/upload\""), "an access-log line for the upload");
        String[] f = line.split(" ");
        assertEquals("POST", f[1], line);
        assertEquals("11", f[4], "bytes_in: " + line);
        assertEquals("11", f[5], "bytes_out: " + line);
        assertTrue(Double.parseDouble(f[7]) >= 290, "upstream_ms covers the upstream's 300 ms: " + line);
        assertTrue(Double.parseDouble(f[6]) >= Double.parseDouble(f[7]), "total_ms >= upstream_ms: " + line);
        assertEquals("1", f[10], line);
    }

    @Test
    void unreachableTasksLogTheFailureWithEveryAttempt() throws Exception {
        int first = TestUpstream.refusing();
        int second = TestUpstream.refusing();
        PacerServer server = startProxy(TestProxy.table(TestProxy.app("/app", List.of("/app/"), first, second)));

        RawResponse r = track(RawHttp.connect(server.localAddress())).send(get("/app/down")).readResponse(TIMEOUT);
        assertEquals(502, r.status());
        String line = awaitLine(l -> l.contains("\"/app/down\""), "an access-log line for /app/down");
        String[] f = line.split(" ");
        assertEquals("502", f[3], line);
        assertEquals("/app", f[8], line);
        assertEquals("-", f[9], "no task answered: " + line);
        assertEquals("2", f[10], "both tasks were tried: " + line);
    }

    @Test
    void aClientThatLeavesBeforeTheAnswerLogs499() throws Exception {
        TestUpstream slow = track(TestUpstream.start("slow", req -> Reply.ok("late").delayed(Duration.ofSeconds(8))));
        PacerServer server = startProxy(TestProxy.table(TestProxy.app("/app", slow)));

        RawHttp client = RawHttp.connect(server.localAddress());
        try {
            client.send(get("/app/gone"));
            slow.takeRequest(TIMEOUT);
        } finally {
            client.close();
        }
        String line = awaitLine(l -> l.contains("\"/app/gone\""), "an access-log line for /app/gone within "
                + TIMEOUT.toMillis() + " ms of the client leaving (the upstream answers only after 8 s)");
        String[] f = line.split(" ");
        assertEquals("499", f[3], line);
        assertEquals("/app", f[8], line);
        assertEquals("-", f[9], "no task answered: " + line);
        assertEquals("1", f[10], line);
        assertTrue(line.endsWith(" aborted"), line);
    }

    @Test
    void pacerWritesJsonLinesWhenConfiguredSo() throws Exception {
        TestUpstream up = track(TestUpstream.start("json", req -> Reply.ok("hello")));
        Path apps = dir.resolve("apps.json");
        Files.writeString(apps, "{\"apps\": [{\"id\": \"/app\", \"labels\": {}, \"healthChecks\": [], \"tasks\": [{"
                + "\"id\": \"app.t1\", \"appId\": \"/app\", \"host\": \"127.0.0.1\", \"ports\": [" + up.port()
                + "], \"state\": \"TASK_RUNNING\", \"healthCheckResults\": []}]}]}\n");
        int adminPort;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            adminPort = s.getLocalPort();
        }
        PacerConfig config = PacerConfig.builder()
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .xproxy("access-log-test")
                .workerThreads(2)
                .appsFile(apps)
                .adminPort(adminPort)
                .accessLog(true)
                .accessLogFormat("json")
                .build();
        Pacer pacer = track(Pacer.start(config, dir.resolve("pacer.toml")));

        RawResponse r = track(RawHttp.connect(pacer.server().localAddress())).send(get("/app/j?q=1"))
                .readResponse(TIMEOUT);
        assertEquals(200, r.status());
        String line = awaitLine(l -> l.contains("/app/j?q=1"), "a JSON access-log line");
        JsonNode j = JSON.readTree(line);
        assertEquals(JSON_FIELDS, fieldNames(j));
        assertEquals("/app/j?q=1", j.get("uri").asText());
        assertEquals(200, j.get("status").asInt());
        assertEquals(5, j.get("bytes_out").asInt());
        assertEquals("/app", j.get("app").asText());
        assertEquals("127.0.0.1:" + up.port(), j.get("task").asText());
        assertEquals(1, j.get("attempts").asInt());
        assertTrue(j.get("complete").asBoolean());

        RawResponse admin = track(RawHttp.connect(new InetSocketAddress("127.0.0.1", adminPort)))
                .send(get("/v1/health")).readResponse(TIMEOUT);
        assertEquals(200, admin.status());
        assertEquals(1, lines().size(), "admin requests are not access-logged: " + lines());
    }
}
