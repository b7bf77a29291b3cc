package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pacer.config.ConfigLoader;
import io.pacer.config.PacerConfig;
import io.pacer.core.RouteTable;
import io.pacer.discovery.AppsFileSource;
import io.pacer.discovery.RouteOptions;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestUpstream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line: {@code Main.run} for everything that does not serve (it returns an exit status),
 * and a separate JVM for the serving path, with the apps file feeding the data plane.
 */
class MainTest {

    @TempDir
    Path dir;

    /** What one {@code Main.run} printed and returned. */
    private record Run(int status, String out, String err) { }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, o, e);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    // ---- flags -------------------------------------------------------------------------------

    @Test
    void helpPrintsUsageOnStdoutAndExitsZero() {
        for (String flag : List.of("--help", "-h")) {
            Run r = run(flag);
            assertEquals(0, r.status(), flag);
            assertTrue(r.out().startsWith("usage: java -jar pacer.jar [-f FILE] [--check]"), r.out());
            assertTrue(r.out().contains("-f, --file FILE"), r.out());
            assertTrue(r.out().contains("--version"), r.out());
            assertEquals("", r.err(), flag + " writes nothing on stderr");
        }
    }

    @Test
    void helpWinsOverAMissingConfigFile() {
        Run r = run("-f", dir.resolve("absent.toml").toString(), "--help");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("usage:"), r.out());
    }

    @Test
    void versionPrintsTheVersionAndExitsZero() {
        for (String flag : List.of("--version", "-v")) {
            Run r = run(flag);
            assertEquals(0, r.status(), flag);
            assertTrue(r.out().matches("pacer \\S+\\R"), "got '" + r.out() + "'");
            assertEquals("pacer " + Main.version() + System.lineSeparator(), r.out());
            assertEquals("", r.err());
        }
    }

    @Test
    void anUnknownFlagExitsTwoWithUsageOnStderr() {
        Run r = run("--bogus");
        assertEquals(Main.EXIT_CONFIG, r.status());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("pacer: unknown argument '--bogus'"), r.err());
        assertTrue(r.err().contains("usage:"), "usage follows the complaint: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void aStrayPositionalArgumentExitsTwo() {
        Run r = run("pacer.toml");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("unknown argument 'pacer.toml'"), r.err());
    }

    @Test
    void fWithoutAFileNameExitsTwo() {
        for (String flag : List.of("-f", "--file")) {
            Run r = run(flag);
            assertEquals(2, r.status(), flag);
            assertTrue(r.err().startsWith("pacer: " + flag + " needs a file name"), r.err());
            assertTrue(r.err().contains("usage:"), r.err());
            assertEquals("", r.out());
        }
    }

    // ---- configuration errors -------------------------------------------------------------------

    @Test
    void aMissingConfigFileExitsTwoNamingThePath() {
        Path missing = dir.resolve("nowhere").resolve("pacer.toml");
        Run r = run("-f", missing.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("pacer: configuration error: " + missing), r.err());
        assertTrue(r.err().contains("file not found"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aDirectoryAsConfigFileExitsTwo() {
        Run r = run("--file", dir.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("pacer: configuration error: " + dir + ": "), r.err());
        assertTrue(r.err().contains("directory"), r.err());
    }

    @Test
    void aBadValueExitsTwoNamingFileKeyAndProblem() throws IOException {
        Path toml = write("pacer.toml", "listen = \"127.0.0.1:0\"\nconnect_timeout = \"30x\"\n");
        Run r = run("-f", toml.toString());
        assertEquals(2, r.status());
        String line = r.err().strip();
        assertTrue(line.startsWith("pacer: configuration error: " + toml + ": connect_timeout: "), line);
        assertTrue(line.contains("\"30x\" is not a duration"), line);
        assertTrue(line.contains("30s"), "the message shows what would be accepted: " + line);
        assertEquals(1, line.lines().count(), "one line: " + line);
    }

    @Test
    void anUnknownKeyExitsTwoNamingIt() throws IOException {
        Path toml = write("pacer.toml", "listen = \"127.0.0.1:0\"\nconect_timeout = \"30s\"\n");
        Run r = run("-f", toml.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(toml + ": conect_timeout: unknown key"), r.err());
        assertTrue(r.err().contains("connect_timeout"), "suggests the key meant: " + r.err());
    }

    @Test
    void aFileThatIsNotTomlExitsTwo() throws IOException {
        Path toml = write("pacer.toml", "listen = \n[[[\n");
        Run r = run("-f", toml.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(toml.toString()) && r.err().contains("invalid TOML"), r.err());
    }

    @Test
    void anAppsFileThatIsNotJsonExitsTwoNamingAppsFile() throws IOException {
        Path apps = write("apps.json", "{\"apps\": [ this is not json");
        Path toml = write("pacer.toml", "listen = \"127.0.0.1:0\"\napps_file = \"apps.json\"\n");
        Run r = run("-f", toml.toString());
        assertEquals(2, r.status(), "stderr: " + r.err());
        assertTrue(r.err().startsWith("pacer: configuration error: " + toml + ": apps_file: "), r.err());
        assertTrue(r.err().contains(apps.toString()), "names the apps file: " + r.err());
        assertTrue(r.err().contains("not valid JSON"), r.err());
    }

    /** "one log line tells the operator where to look": the apps file's path, once. */
    @Test
    void theAppsFileErrorNamesTheAppsFileOnce() throws IOException {
        Path apps = write("apps.json", "not json at all");
        Path toml = write("pacer.toml", "listen = \"127.0.0.1:0\"\napps_file = \"apps.json\"\n");
        Run r = run("-f", toml.toString());
        assertEquals(2, r.status(), "stderr: " + r.err());
        String line = r.err().strip();
        int count = line.split(Pattern.quote(apps.toString()), -1).length - 1;
        assertEquals(1, count, "the apps file is named " + count + " times in: " + line);
    }

    @Test
    void aMissingAppsFileExitsTwoNamingAppsFile() throws IOException {
        Path toml = write("pacer.toml", "listen = \"127.0.0.1:0\"\napps_file = \"missing-apps.json\"\n");
        Run r = run("-f", toml.toString());
        assertEquals(2, r.status(), "stderr: " + r.err());
        assertTrue(r.err().contains(toml + ": apps_file: "), r.err());
        assertTrue(r.err().contains(dir.resolve("missing-apps.json").toString()), r.err());
    }

    @Test
    void aListenAddressInUseExitsOneNamingTheKeyAndAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path toml = write("pacer.toml", "listen = \"127.0.0.1:" + taken.getLocalPort() + "\"\nworker_threads = 1\n");
            Run r = run("-f", toml.toString());
            assertEquals(1, r.status(), "stderr: " + r.err());
            assertEquals("pacer: cannot start: listen 127.0.0.1:" + taken.getLocalPort() + ": address already in use",
                    r.err().strip());
        }
    }

    // ---- --check ----------------------------------------------------------------------------------

    @Test
    void checkPassesAValidFileAndStartsNothing() throws IOException {
        write("apps.json", appsJson(9));
        // The port is taken: --check must not try to bind it.
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path toml = write("pacer.toml", "listen = \"127.0.0.1:" + taken.getLocalPort() + "\"\n"
                    + "apps_file = \"apps.json\"\n");
            for (String flag : List.of("--check", "-t")) {
                Run r = run("-f", toml.toString(), flag);
                assertEquals(0, r.status(), flag + ": " + r.err());
                assertEquals("pacer: " + toml + " is valid" + System.lineSeparator(), r.out());
                assertEquals("", r.err());
            }
        }
    }

    @Test
    void checkExitsTwoOnABadValueNamingFileAndKey() throws IOException {
        Path toml = write("pacer.toml", "read_timeout = \"2 minutes\"\n");
        Run r = run("--check", "-f", toml.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("pacer: configuration error: " + toml + ": read_timeout: "), r.err());
        assertEquals("", r.out());
    }

    @Test
    void checkReadsTheAppsFileAsAStartWould() throws IOException {
        Path apps = write("apps.json", "{\"apps\": [ {\"id\": ");
        Path toml = write("pacer.toml", "apps_file = \"apps.json\"\n");
        Run r = run("--check", "-f", toml.toString());
        assertEquals(2, r.status(), r.out());
        assertTrue(r.err().startsWith("pacer: configuration error: " + toml + ": apps_file: " + apps), r.err());
        assertEquals("", r.out());
    }

    @Test
    void checkOfAMissingNamedFileExitsTwo() {
        Path missing = dir.resolve("absent.toml");
        Run r = run("--check", "-f", missing.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains(missing + ": file not found"), r.err());
    }

    /** Tests run in the proxy module, which has no pacer.toml: no -f means the built-in defaults. */
    @Test
    void checkWithoutAFileValidatesTheBuiltInDefaults() {
        assertFalse(Files.exists(Main.DEFAULT_FILE), "the proxy module must not hold a pacer.toml");
        Run r = run("--check");
        assertEquals(0, r.status(), r.err());
        assertEquals("pacer: no configuration file; the built-in defaults is valid" + System.lineSeparator(), r.out());
    }

    @Test
    void checkPrintsEachWarningOnceNamingTheFileOnce() throws IOException {
        Path toml = write("nixy.toml", "port = \"8000\"\nnginx_cmd = \"nginx\"\n");
        Run r = run("--check", "-f", toml.toString());
        assertEquals(0, r.status(), r.err());
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("pacer: warning: " + toml + ": nginx_cmd: ignored"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains(toml + ": " + toml), "the file is named once: " + r.err());
    }

    @Test
    void anAdminAddressInUseExitsOneNamingTheKeyAndAddress() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path toml = write("pacer.toml", "listen = \"127.0.0.1:0\"\nworker_threads = 1\n"
                    + "admin_listen = \"127.0.0.1:" + taken.getLocalPort() + "\"\n");
            Run r = run("-f", toml.toString());
            assertEquals(1, r.status(), "stderr: " + r.err());
            assertEquals("pacer: cannot start: admin_listen 127.0.0.1:" + taken.getLocalPort()
                    + ": address already in use", r.err().strip());
        }
    }

    @Test
    void anAdminPortEqualToTheTrafficPortExitsTwo() throws IOException {
        Path toml = write("pacer.toml", "listen = \"127.0.0.1:8080\"\nport = 8080\n");
        Run r = run("-f", toml.toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("pacer: configuration error: " + toml + ": port: the admin API cannot share"
                + " the traffic port 8080"), r.err());
    }

    // ---- the shipped configuration --------------------------------------------------------------

    @Test
    void theShippedConfigurationLoads() throws Exception {
        Path shipped = Path.of("../config/pacer.toml");
        assertTrue(Files.isRegularFile(shipped), "tests run in the proxy module: " + Path.of("").toAbsolutePath());
        PacerConfig config = ConfigLoader.load(shipped);

        assertEquals(new InetSocketAddress("127.0.0.1", 8080), config.listeners().listen());
        assertEquals("pacer-local", config.listeners().xproxy());
        Path apps = config.discovery().appsFile().orElseThrow();
        assertEquals(shipped.toAbsolutePath().getParent().resolve("apps.json").normalize(), apps.normalize(),
                "apps_file is relative to the config file");
        assertTrue(Files.isRegularFile(apps));
        // Every other key is commented out and shows its default.
        assertEquals(PacerConfig.defaults().upstream().connectTimeout(), config.upstream().connectTimeout());
        assertEquals(Duration.ofSeconds(30), config.upstream().connectTimeout());
        assertEquals(Duration.ofSeconds(120), config.upstream().readTimeout());
        assertEquals(Duration.ofSeconds(10), config.limits().keepaliveTimeout());
        assertEquals(128L * 1024 * 1024, config.limits().maxBodySize());
        assertEquals(512, config.upstream().keepalive());
        assertEquals(0, config.listeners().workerThreads());
        assertEquals("round_robin", config.upstream().balance());

        // The shipped apps file is Marathon's shape and gives the routes the README promises.
        AtomicReference<RouteTable> published = new AtomicReference<>();
        AppsFileSource source = new AppsFileSource(apps, published::set, RouteOptions.defaults());
        try {
            source.start();
        } finally {
            source.close();
        }
        RouteTable table = published.get();
        assertNotNull(table);
        // /shop/cart is also served at Nixy's name for it, /cart.shop/.
        assertEquals(List.of("/hello-world/", "/shop/cart/", "/cart.shop/"), List.copyOf(table.routes().keySet()));
        assertEquals(List.of("127.0.0.1:9001", "127.0.0.1:9002"),
                table.routes().get("/hello-world/").tasks().stream().map(t -> t.address()).toList());
    }

    // ---- the serving path, in a JVM of its own --------------------------------------------------

    @Test
    void aSeparateJvmServesTheAppsFileAndFollowsItsChanges() throws Exception {
        try (TestUpstream first = TestUpstream.start("first", req -> Reply.ok("first " + req.uri()));
             TestUpstream second = TestUpstream.start("second", req -> Reply.ok("second " + req.uri()))) {
            int port = freePort();
            Path apps = dir.resolve("apps.json");
            Files.writeString(apps, appsJson(first.port()));
            Path toml = write("pacer.toml", String.join("\n",
                    "listen = \"127.0.0.1:" + port + "\"",
                    "xproxy = \"main-test\"",
                    "apps_file = \"apps.json\"",
                    "worker_threads = 1",
                    "connect_timeout = \"2s\"",
                    ""));
            Path log = dir.resolve("pacer.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process pacer = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), "io.pacer.proxy.Main", "-f", toml.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI uri = URI.create("http://127.0.0.1:" + port + "/hello-world/x");
            try {
                HttpResponse<String> r = awaitAnswer(client, uri, pacer, log, Duration.ofSeconds(30),
                        resp -> resp.statusCode() == 200, "a 200 through the separate Pacer");
                assertEquals("first", r.headers().firstValue(TestUpstream.UPSTREAM_HEADER).orElse(null));
                assertEquals("first /hello-world/x", r.body());
                assertEquals("main-test", r.headers().firstValue("X-Proxy").orElse(null));

                // Paths of no app get Pacer's own 503 (on a client of its own, so that the main
                // client's pooled connection only ever carries proxied answers).
                HttpResponse<String> unknown = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/unknown/")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, unknown.statusCode());
                assertEquals("main-test", unknown.headers().firstValue("X-Proxy").orElse(null));

                // The file changes: the poller feeds the new table to the data plane.
                Files.writeString(apps, appsJson(second.port()));
                HttpResponse<String> moved = awaitAnswer(client, uri, pacer, log, Duration.ofSeconds(15),
                        resp -> resp.statusCode() == 200
                                && "second".equals(resp.headers().firstValue(TestUpstream.UPSTREAM_HEADER).orElse(null)),
                        "answers from the second upstream after apps.json changed");
                assertEquals("second /hello-world/x", moved.body());

                // A broken edit keeps the last good table.
                Files.writeString(apps, "{\"apps\": [ {\"id\": ");
                awaitLog(log, "unusable", pacer, Duration.ofSeconds(15));
                HttpResponse<String> still = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, still.statusCode());
                assertEquals("second", still.headers().firstValue(TestUpstream.UPSTREAM_HEADER).orElse(null));
                assertTrue(pacer.isAlive(), "a broken apps file must not stop Pacer");
            } finally {
                pacer.destroy();
                boolean ended = pacer.waitFor(15, TimeUnit.SECONDS);
                if (!ended) {
                    pacer.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
                }
                assertTrue(ended, "Pacer did not stop on SIGTERM; log:\n" + read(log));
            }
            assertFalse(pacer.isAlive());
        }
    }

    /**
     * No -f and no pacer.toml in the working directory: Pacer says so and serves on the built-in
     * defaults, 0.0.0.0:8080 with no routes. Another program may hold port 8080 on a shared
     * machine; then the start must fail naming the default listen address, which proves the same.
     */
    @Test
    void withoutAnyConfigurationASeparateJvmStartsOnTheBuiltInDefaults() throws Exception {
        Path log = dir.resolve("pacer.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process pacer = new ProcessBuilder(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "io.pacer.proxy.Main")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            awaitLog(log, "running on built-in defaults", pacer, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pacer.isAlive() && !read(log).contains("listening on") && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
            }
            String text = read(log);
            if (text.contains("listening on")) {
                assertTrue(text.contains("listening on 0.0.0.0:8080"),
                        text);
                assertTrue(text.contains("admin API on none"), text);
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:8080/anything/")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode(), "no routes on the built-in defaults");
                assertEquals("pacer", r.headers().firstValue("Server").orElse(null));
            } else {
                assertTrue(pacer.waitFor(15, TimeUnit.SECONDS), "neither serving nor stopped:\n" + text);
                assertEquals(1, pacer.exitValue(), text);
                assertTrue(read(log).contains("listen 0.0.0.0:8080: address already in use"),
                        "only a taken port 8080 may stop the built-in defaults:\n" + read(log));
            }
        } finally {
            pacer.destroy();
            if (!pacer.waitFor(15, TimeUnit.SECONDS)) {
                pacer.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Marathon's {@code /v2/apps?embed=apps.tasks} shape: /hello-world with one running task. */
    private static String appsJson(int port) {
        return "{\"apps\": [{\"id\": \"/hello-world\", \"labels\": {}, \"healthChecks\": [], \"tasks\": [{"
                + "\"id\": \"hello-world.t" + port + "\", \"appId\": \"/hello-world\", \"host\": \"127.0.0.1\", "
                + "\"ports\": [" + port + "], \"state\": \"TASK_RUNNING\", \"healthCheckResults\": []}]}]}\n";
    }

    /** Polls {@code uri} every 25 ms until an answer satisfies {@code wanted}; fails at the deadline or if Pacer exits. */
    private static HttpResponse<String> awaitAnswer(HttpClient client, URI uri, Process pacer, Path log,
                                                    Duration timeout, Predicate<HttpResponse<String>> wanted,
                                                    String what) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "nothing";
        while (System.nanoTime() < deadline) {
            if (!pacer.isAlive()) {
                fail("Pacer exited with " + pacer.exitValue() + " while waiting for " + what + "; log:\n" + read(log));
            }
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (wanted.test(r)) {
                    return r;
                }
                last = r.statusCode() + " from " + r.headers().firstValue(TestUpstream.UPSTREAM_HEADER).orElse("-");
            } catch (IOException e) {
                last = e.toString(); // not listening yet
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
        }
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what + "; last: "
                + last + "; log:\n" + read(log));
    }

    private static void awaitLog(Path log, String text, Process pacer, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!read(log).contains(text)) {
            if (!pacer.isAlive() || System.nanoTime() > deadline) {
                fail("no '" + text + "' in Pacer's log within " + timeout.toMillis() + " ms; log:\n" + read(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(25));
        }
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)";
    }
}
