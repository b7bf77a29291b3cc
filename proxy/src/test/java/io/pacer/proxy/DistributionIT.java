package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pacer.proxy.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball {@code mvn package} builds, installed as an operator would: unpacked with tar into a
 * fresh directory and run through {@code bin/pacer}. Runs after {@code package} (failsafe), which
 * passes the tarball's path as {@code pacer.dist}.
 */
class DistributionIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private Path home;

    /** What one command printed (stdout and stderr together) and its exit status. */
    private record Result(int status, String output) { }

    @BeforeEach
    void unpack() throws Exception {
        String dist = System.getProperty("pacer.dist");
        assertTrue(dist != null, "run by failsafe, which sets pacer.dist");
        Path tarball = Path.of(dist);
        assertTrue(Files.isRegularFile(tarball), "mvn package builds " + tarball);
        Result tar = run(Map.of(), dir, "tar", "-xzf", tarball.toString(), "-C", dir.toString());
        assertEquals(0, tar.status(), tar.output());
        home = dir.resolve("pacer-" + System.getProperty("pacer.version"));
    }

    private Result run(Map<String, String> env, Path cwd, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("PACER_CONFIG");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
        return new Result(p.exitValue(), output);
    }

    private Result pacer(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/pacer").toString());
        command.addAll(List.of(args));
        return run(env, dir, command.toArray(String[]::new));
    }

    @Test
    void theTarballHoldsLauncherJarConfigurationAndOps() {
        assertTrue(Files.isExecutable(home.resolve("bin/pacer")), "bin/pacer is executable");
        for (String file : List.of("lib/pacer.jar", "conf/pacer.toml", "ops/systemd/pacer.service",
                "ops/prometheus/alerts.yml", "ops/prometheus/alerts_test.yml", "ops/grafana/pacer.json", "README.md")) {
            assertTrue(Files.isRegularFile(home.resolve(file)), file);
        }
        assertTrue(Files.isExecutable(home.resolve("ops/prometheus/try-prometheus.sh")), "the script is executable");
    }

    @Test
    void checkPassesOnTheShippedConfiguration() throws Exception {
        Result r = pacer(Map.of(), "--check");
        assertEquals(0, r.status(), r.output());
        assertEquals("pacer: " + home.resolve("conf/pacer.toml") + " is valid\n", r.output());
    }

    @Test
    void pacerConfigNamesTheFileAndDashFWinsOverIt() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.toml"), "listen = \"nowhere\"\n");
        Result r = pacer(Map.of("PACER_CONFIG", bad.toString()), "--check");
        assertEquals(2, r.status(), r.output());
        assertTrue(r.output().startsWith("pacer: configuration error: " + bad + ": listen: "), r.output());

        Result given = pacer(Map.of("PACER_CONFIG", bad.toString()), "-f", home.resolve("conf/pacer.toml").toString(),
                "--check");
        assertEquals(0, given.status(), given.output());
    }

    /** The README's measured flags by default; JAVA_OPTS comes after them, so it wins. */
    @Test
    void theLauncherBoundsTheHeapAndHonoursJavaOpts() throws Exception {
        Result defaults = pacer(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags"), "--version");
        assertEquals(0, defaults.status(), defaults.output());
        assertTrue(defaults.output().contains("-XX:MaxHeapSize=201326592 "), "-Xmx192m: " + defaults.output());
        assertTrue(defaults.output().contains("-XX:InitialHeapSize=67108864 "), "-Xms64m: " + defaults.output());
        assertTrue(defaults.output().contains("-XX:+ExitOnOutOfMemoryError"), defaults.output());
        assertTrue(defaults.output().endsWith("pacer " + System.getProperty("pacer.version") + "\n"), defaults.output());

        Result more = pacer(Map.of("JAVA_OPTS", "-XX:+PrintCommandLineFlags -Xmx256m"), "--version");
        assertTrue(more.output().contains("-XX:MaxHeapSize=268435456 "), "JAVA_OPTS wins: " + more.output());
    }

    @Test
    void withoutJavaTheLauncherSaysWhatToInstall() throws Exception {
        Result wrongHome = pacer(Map.of("JAVA_HOME", dir.resolve("no-jdk").toString()), "--version");
        assertEquals(1, wrongHome.status());
        assertTrue(wrongHome.output().startsWith("pacer: JAVA_HOME is " + dir.resolve("no-jdk")), wrongHome.output());

        // A PATH with only what the launcher needs before it looks for Java.
        Path bin = Files.createDirectory(dir.resolve("bin-without-java"));
        Files.createSymbolicLink(bin.resolve("dirname"), Path.of(which("dirname")));
        Result none = pacer(Map.of("JAVA_HOME", "", "PATH", bin.toString()), "--version");
        assertEquals(1, none.status(), none.output());
        assertTrue(none.output().startsWith("pacer: no Java found: install Java 17 or newer"), none.output());
    }

    private String which(String tool) throws Exception {
        Result r = run(Map.of(), dir, "sh", "-c", "command -v " + tool);
        assertEquals(0, r.status(), tool + " is on the PATH");
        return r.output().strip();
    }

    /** A symlink such as /usr/local/bin/pacer still finds lib/ and conf/. */
    @Test
    void theLauncherWorksThroughASymlink() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("pacer"), home.resolve("bin/pacer"));
        Result r = run(Map.of(), dir, link.toString(), "--check");
        assertEquals(0, r.status(), r.output());
        assertTrue(r.output().contains(home.resolve("conf/pacer.toml") + " is valid"), r.output());
    }

    /** Serves, answers /v1/ready, and on SIGTERM (what systemctl stop sends) drains and exits 0. */
    @Test
    void theLauncherRunsPacerWhichStopsCleanlyOnSigterm() throws Exception {
        int port = freePort();
        int admin = freePort();
        Path toml = Files.writeString(dir.resolve("pacer.toml"), "listen = \"127.0.0.1:" + port + "\"\n"
                + "admin_listen = \"127.0.0.1:" + admin + "\"\nworker_threads = 1\nshutdown_grace = \"1s\"\n");
        Path log = dir.resolve("pacer.log");
        ProcessBuilder pb = new ProcessBuilder(home.resolve("bin/pacer").toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("PACER_CONFIG", toml.toString());
        Process pacer = pb.start();
        try {
            HttpClient client = HttpClient.newHttpClient();
            URI ready = URI.create("http://127.0.0.1:" + admin + "/v1/ready");
            Await.until(TIMEOUT, () -> status(client, ready) == 200 || !pacer.isAlive(), () -> "ready; log:\n" + read(log));
            assertTrue(pacer.isAlive(), read(log));
            assertEquals(503, status(client, URI.create("http://127.0.0.1:" + port + "/any/")), "no routes: 503");
        } finally {
            pacer.destroy(); // SIGTERM: the launcher exec'd Java, so the signal reaches Pacer itself
        }
        assertTrue(pacer.waitFor(30, TimeUnit.SECONDS), "stopped on SIGTERM; log:\n" + read(log));
        assertEquals(0, pacer.exitValue(), read(log));
        assertTrue(read(log).contains("stopping: draining connections for up to 1s"), read(log));
    }

    /** The unit file as shipped, with /opt/pacer pointing at this unpacked copy. */
    @Test
    void theSystemdUnitPassesSystemdAnalyzeVerify() throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze),
                "systemd-analyze is not installed (Debian: apt-get install systemd); the unit was not verified");
        String unit = Files.readString(home.resolve("ops/systemd/pacer.service"));
        assertTrue(unit.contains("ExecStart=/opt/pacer/bin/pacer\n"), unit);
        for (String line : List.of("User=pacer", "Restart=always", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
                "RestartPreventExitStatus=2")) {
            assertTrue(unit.contains("\n" + line + "\n"), line);
        }
        assertTrue(unit.matches("(?s).*\nLimitNOFILE=(\\d{6,}|infinity)\n.*"), "LimitNOFILE is raised");
        Path copy = Files.writeString(dir.resolve("pacer.service"), unit.replace("/opt/pacer/", home + "/"));
        Result r = run(Map.of(), dir, analyze.toString(), "verify", copy.toString());
        assertEquals(0, r.status(), r.output());
        assertEquals("", r.output(), "no warning either");
    }

    private static int status(HttpClient client, URI uri) {
        try {
            return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return e.toString();
        }
    }
}
