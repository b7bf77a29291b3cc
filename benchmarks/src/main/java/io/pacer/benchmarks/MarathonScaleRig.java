package io.pacer.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Discovery at cluster scale, against a real Pacer process this rig starts itself
 * ({@code benchmarks/marathon-scale.sh} builds its command line):
 *
 * <ul>
 *   <li>a fake Marathon on loopback serving {@code --apps} apps of {@code --tasks} tasks each (by
 *   default 10,000 x 3, shaped as Marathon's own examples: labels, env with a secret, a Docker
 *   container, one HTTP health check, tasks with health results), {@code /v2/apps/{id}}, {@code /ping}
 *   and a live {@code /v2/events}; it counts every {@code /v2/apps} and {@code /v2/apps/{id}} read;</li>
 *   <li>one more app, {@code /probe}, whose two tasks are the rig's own upstreams A and B, answering
 *   "A" or "B": what Pacer routes is read through Pacer's data plane, so "live" means a request
 *   really reaches the new set of tasks;</li>
 *   <li>{@code --rounds} rounds of four events, each timed from the event's last byte written to
 *   the first request that shows its effect: A killed ({@code status_update_event TASK_KILLED}),
 *   A replaced by a new task ({@code status_update_event TASK_RUNNING} of a task Pacer has not seen:
 *   Pacer reads {@code /v2/apps/probe}), B unhealthy ({@code health_status_changed_event}), B
 *   healthy again ({@code instance_health_changed_event});</li>
 *   <li>Pacer's resident memory ({@code VmRSS}), heap after a full GC ({@code jcmd GC.run} then
 *   {@code GC.heap_info}) and the size of one {@code /metrics} scrape, after the first sync and at
 *   the end.</li>
 * </ul>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.pacer.benchmarks.MarathonScaleRig \
 *     --pacer-jar proxy/target/pacer.jar [--jvm "-Xms64m -Xmx256m"] [--apps 10000] [--tasks 3] \
 *     [--rounds 30] [--base-port 18380] [--workdir DIR]</pre>
 */
public final class MarathonScaleRig {

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final int apps;
    private final int tasks;
    private final byte[] appList;
    private volatile byte[] probeApp;
    private final AtomicInteger fullReads = new AtomicInteger();
    private final AtomicInteger appReads = new AtomicInteger();
    private final List<Socket> streams = new CopyOnWriteArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scale-rig");
        t.setDaemon(true);
        return t;
    });
    private volatile long firstFullReadNanos;
    private final int upstreamA;
    private final int upstreamB;

    private MarathonScaleRig(int apps, int tasks, int upstreamA, int upstreamB) {
        this.apps = apps;
        this.tasks = tasks;
        this.upstreamA = upstreamA;
        this.upstreamB = upstreamB;
        this.probeApp = ("{\"app\":" + probe("probe.a0", "probe.b0", true) + "}").getBytes(StandardCharsets.UTF_8);
        StringBuilder b = new StringBuilder(apps * 1800).append("{\"apps\":[");
        b.append(probe("probe.a0", "probe.b0", true));
        for (int i = 0; i < apps; i++) {
            b.append(',').append(app(i));
        }
        this.appList = b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        String pacerJar = null;
        String jvm = "-Xms64m -Xmx256m";
        int apps = 10_000;
        int tasks = 3;
        int rounds = 30;
        int base = 18380;
        Path workdir = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--pacer-jar" -> pacerJar = args[i + 1];
                case "--jvm" -> jvm = args[i + 1];
                case "--apps" -> apps = Integer.parseInt(args[i + 1]);
                case "--tasks" -> tasks = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--base-port" -> base = Integer.parseInt(args[i + 1]);
                case "--workdir" -> workdir = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (pacerJar == null) {
            throw new IllegalArgumentException("--pacer-jar is required");
        }
        if (workdir == null) {
            workdir = Files.createTempDirectory("pacer-scale");
        }
        System.exit(new MarathonScaleRig(apps, tasks, base + 3, base + 4).run(pacerJar, jvm, rounds, base, workdir));
    }

    private int run(String pacerJar, String jvm, int rounds, int base, Path workdir) throws Exception {
        int proxyPort = base;
        int adminPort = base + 1;
        int marathonPort = base + 2;
        serve(marathonPort, this::marathon);
        // Marathon's keep-alive on the event stream: a blank line every 10 s.
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scale-rig-heartbeat");
            t.setDaemon(true);
            return t;
        }).scheduleAtFixedRate(() -> write("\r\n"), 10, 10, TimeUnit.SECONDS);
        serve(upstreamA, s -> upstream(s, "A"));
        serve(upstreamB, s -> upstream(s, "B"));
        System.out.printf("fake Marathon: %,d apps x %d tasks, /v2/apps is %,d bytes%n", apps, tasks, appList.length);

        Path toml = workdir.resolve("pacer.toml");
        Files.writeString(toml, "listen = \"127.0.0.1:" + proxyPort + "\"\nxproxy = \"pacer-scale\"\n"
                + "marathon = [\"http://127.0.0.1:" + marathonPort + "\"]\nport = " + adminPort + "\n"
                + "log_level = \"warn\"\n");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String opt : jvm.trim().split("\\s+")) {
            if (!opt.isEmpty()) {
                command.add(opt);
            }
        }
        command.addAll(List.of("-jar", pacerJar, "-f", toml.toString()));
        Path log = workdir.resolve("pacer.log");
        long startNanos = System.nanoTime();
        Process pacer = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Runtime.getRuntime().addShutdownHook(new Thread(pacer::destroy));
        int status = 1;
        try {
            Probe probe = new Probe(proxyPort);
            boolean up = waitFor(60_000, () -> !pacer.isAlive() || probe.seesBoth());
            if (!up || !pacer.isAlive()) {
                System.out.println("FAIL: Pacer did not route /probe within 60 s; end of its log (" + log + "):");
                Files.readAllLines(log).stream().skip(Math.max(0, Files.readAllLines(log).size() - 30))
                        .forEach(System.out::println);
                return 1;
            }
            long routedNanos = System.nanoTime();
            System.out.printf("first sync: %.0f ms from Pacer's start to /probe live; %.0f ms from the first"
                            + " /v2/apps request%n", (routedNanos - startNanos) / 1e6,
                    (routedNanos - firstFullReadNanos) / 1e6);
            waitFor(10_000, () -> !streams.isEmpty());
            System.out.printf("full /v2/apps reads by then: %d%n", fullReads.get());
            long pid = pacer.pid();
            report("after the first sync", pid, adminPort);

            int fullBefore = fullReads.get();
            int appBefore = appReads.get();
            List<Double> kill = new ArrayList<>();
            List<Double> replace = new ArrayList<>();
            List<Double> unhealthy = new ArrayList<>();
            List<Double> healthy = new ArrayList<>();
            String a = "probe.a0";
            for (int round = 1; round <= rounds; round++) {
                String current = a;
                kill.add(timed(() -> emit("status_update_event", statusUpdate(current, "TASK_KILLED")),
                        () -> probe.only("B")));
                String next = "probe.a" + round;
                probeApp = ("{\"app\":" + probe(next, "probe.b0", true) + "}").getBytes(StandardCharsets.UTF_8);
                replace.add(timed(() -> emit("status_update_event", statusUpdate(next, "TASK_RUNNING")),
                        () -> probe.sees("A")));
                unhealthy.add(timed(() -> emit("health_status_changed_event", healthStatus(false)),
                        () -> probe.only("A")));
                healthy.add(timed(() -> emit("instance_health_changed_event", instanceHealth(true)),
                        () -> probe.sees("B")));
                a = next;
            }
            print("A killed (task event)", kill);
            print("A replaced by a new task (one app read)", replace);
            print("B unhealthy (health event)", unhealthy);
            print("B healthy again (instance health event)", healthy);
            System.out.printf("Marathon reads for %d events: %d of /v2/apps, %d of /v2/apps/{id}%n", rounds * 4,
                    fullReads.get() - fullBefore, appReads.get() - appBefore);
            String jfr = System.getenv("SCALE_JFR_DUMP");
            if (jfr != null && !jfr.isBlank()) {
                // For profiling: Pacer started with -XX:StartFlightRecording; dumped before it stops.
                System.out.print(jcmd(pid, "JFR.dump filename=" + jfr));
            }
            if (System.getenv("SCALE_HISTOGRAM") != null) {
                // For finding where the heap goes: the 25 largest classes after a full GC.
                jcmd(pid, "GC.run");
                jcmd(pid, "GC.class_histogram").lines().limit(28).forEach(System.out::println);
            }
            report("at the end", pid, adminPort);
            status = pacer.isAlive() ? 0 : 1;
        } finally {
            pacer.destroy();
            if (!pacer.waitFor(10, TimeUnit.SECONDS)) {
                pacer.destroyForcibly();
            }
        }
        return status;
    }

    // ---------------------------------------------------------------- measuring

    private static double timed(Runnable event, BooleanSupplier live) {
        long t0 = System.nanoTime();
        event.run();
        if (!waitFor(30_000, live)) {
            throw new IllegalStateException("an event did not become live within 30 s");
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static boolean waitFor(long millis, BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            // Polls every millisecond: spinning would take a core from Pacer on a small machine,
            // and a probe costs a request through it anyway.
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private static void print(String what, List<Double> millis) {
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.printf(Locale.ROOT, "event -> live route, %s: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms"
                        + " (%d events)%n", what, pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99),
                sorted.get(sorted.size() - 1), sorted.size());
    }

    private static double pct(List<Double> sorted, double p) {
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * p) - 1));
    }

    private void report(String when, long pid, int adminPort) throws Exception {
        long rssKb = 0;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rssKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        jcmd(pid, "GC.run");
        String heap = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(heap);
        long usedKb = m.find() ? Long.parseLong(m.group(1)) : -1;
        long scrape = Http.get(adminPort, "/metrics").length;
        System.out.printf(Locale.ROOT, "%s: RSS %.0f MB, heap after full GC %.1f MB, /metrics scrape %,d bytes%n",
                when, rssKb / 1024.0, usedKb / 1024.0, scrape);
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    /** Reads which upstream answers {@code /probe/} through Pacer, on one keep-alive connection. */
    private static final class Probe {
        private final int port;

        Probe(int port) {
            this.port = port;
        }

        /** Whether 4 requests in a row reach only {@code task}. */
        boolean only(String task) {
            for (int i = 0; i < 4; i++) {
                if (!task.equals(answer())) {
                    return false;
                }
            }
            return true;
        }

        boolean sees(String task) {
            return task.equals(answer());
        }

        boolean seesBoth() {
            boolean a = false;
            boolean b = false;
            for (int i = 0; i < 8 && !(a && b); i++) {
                String who = answer();
                a |= "A".equals(who);
                b |= "B".equals(who);
            }
            return a && b;
        }

        private String answer() {
            try {
                byte[] body = Http.get(port, "/probe/");
                return new String(body, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                return "";
            }
        }
    }

    // ---------------------------------------------------------------- fake Marathon

    private void serve(int port, Handler handler) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        threads.execute(() -> {
            while (true) {
                try {
                    Socket s = server.accept();
                    threads.execute(() -> {
                        try (s) {
                            s.setTcpNoDelay(true);
                            handler.handle(s);
                        } catch (IOException e) {
                            // The peer went away.
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private interface Handler {
        void handle(Socket socket) throws IOException;
    }

    private void marathon(Socket socket) throws IOException {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        String target;
        while ((target = Http.readTarget(in)) != null) {
            String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
            if (path.equals("/v2/events")) {
                synchronized (socket) {
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
                            + frame("event_stream_attached", "{\"remoteAddress\":\"127.0.0.1\",\"eventType\":"
                            + "\"event_stream_attached\",\"timestamp\":\"2015-09-30T12:44:30.061Z\"}"))
                            .getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
                streams.add(socket);
                try {
                    while (in.read() >= 0) {
                        // Nothing comes from a stream's client.
                    }
                } finally {
                    streams.remove(socket);
                }
                return;
            }
            if (path.equals("/v2/apps")) {
                if (fullReads.getAndIncrement() == 0) {
                    firstFullReadNanos = System.nanoTime();
                }
                Http.answer(out, 200, "application/json", appList);
            } else if (path.equals("/v2/apps/probe")) {
                appReads.incrementAndGet();
                Http.answer(out, 200, "application/json", probeApp);
            } else if (path.startsWith("/v2/apps/")) {
                appReads.incrementAndGet();
                Http.answer(out, 404, "application/json",
                        "{\"message\":\"App not found\"}".getBytes(StandardCharsets.UTF_8));
            } else if (path.equals("/ping")) {
                Http.answer(out, 200, "text/plain", "pong".getBytes(StandardCharsets.UTF_8));
            } else {
                Http.answer(out, 404, "text/plain", new byte[0]);
            }
        }
    }

    private void emit(String type, String json) {
        write(frame(type, json));
    }

    private void write(String text) {
        byte[] frame = text.getBytes(StandardCharsets.UTF_8);
        for (Socket s : streams) {
            try {
                synchronized (s) {
                    s.getOutputStream().write(frame);
                    s.getOutputStream().flush();
                }
            } catch (IOException e) {
                streams.remove(s);
            }
        }
    }

    private static String frame(String type, String json) {
        return "event: " + type + "\r\ndata: " + json + "\r\n\r\n";
    }

    private void upstream(Socket socket, String name) throws IOException {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        while (Http.readTarget(in) != null) {
            Http.answer(socket.getOutputStream(), 200, "text/plain", name.getBytes(StandardCharsets.UTF_8));
        }
    }

    // ---------------------------------------------------------------- payloads

    private String statusUpdate(String taskId, String state) {
        return "{\"slaveId\":\"20150707-153709-201330860-5050-12052-S0\",\"taskId\":\"" + taskId + "\",\"taskStatus\":\""
                + state + "\",\"message\":\"\",\"appId\":\"/probe\",\"host\":\"127.0.0.1\",\"ports\":[" + upstreamA
                + "],\"ipAddresses\":[{\"ipAddress\":\"127.0.0.1\",\"protocol\":\"IPv4\"}],"
                + "\"version\":\"2015-09-11T22:11:03.156Z\",\"eventType\":\"status_update_event\","
                + "\"timestamp\":\"2015-09-30T12:47:11.286Z\"}";
    }

    private static String healthStatus(boolean alive) {
        return "{\"eventType\":\"health_status_changed_event\",\"timestamp\":\"2014-03-01T23:29:30.158Z\","
                + "\"appId\":\"/probe\",\"instanceId\":\"probe.marathon-b0\",\"version\":\"2014-04-04T06:26:23.051Z\","
                + "\"alive\":" + alive + "}";
    }

    private static String instanceHealth(boolean healthy) {
        return "{\"instanceId\":\"probe.marathon-b0\",\"runSpecVersion\":\"2014-03-01T23:29:30.158Z\",\"healthy\":"
                + healthy + ",\"runSpecId\":\"/probe\",\"timestamp\":\"2014-03-01T23:29:30.158Z\","
                + "\"eventType\":\"instance_health_changed_event\"}";
    }

    private String probe(String taskA, String taskB, boolean healthyB) {
        return appJson("/probe", List.of(task("/probe", taskA, "127.0.0.1", upstreamA, true),
                task("/probe", taskB, "127.0.0.1", upstreamB, healthyB)));
    }

    private String app(int i) {
        String id = String.format(Locale.ROOT, "/team-%03d/app-%05d", i % 500, i);
        String idDots = id.substring(1).replace('/', '_');
        List<String> taskList = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            taskList.add(task(id, idDots + ".instance-" + String.format(Locale.ROOT, "%08x-4c30-11e5-98c1-%012x", i, t)
                    + "._app.1", "10.0." + (i % 250) + "." + (t + 1), 31000 + (i % 1000), true));
        }
        return appJson(id, taskList);
    }

    private static String appJson(String id, List<String> taskJson) {
        return "{\"id\":\"" + id + "\",\"instances\":" + taskJson.size() + ",\"cmd\":\"./serve\",\"cpus\":0.1,"
                + "\"mem\":128,\"container\":{\"type\":\"DOCKER\",\"docker\":{\"image\":\"team/app:1.2.3\","
                + "\"network\":\"BRIDGE\"},\"portMappings\":[{\"containerPort\":8080,\"hostPort\":0,"
                + "\"protocol\":\"tcp\",\"servicePort\":10019,\"name\":\"http\"}]},\"env\":{\"JAVA_OPTS\":\"-Xmx96m\","
                + "\"PASSWORD\":{\"secret\":\"/db/password\"}},\"healthChecks\":[{\"gracePeriodSeconds\":300,"
                + "\"intervalSeconds\":20,\"maxConsecutiveFailures\":3,\"path\":\"/health\",\"portIndex\":0,"
                + "\"protocol\":\"HTTP\",\"timeoutSeconds\":20}],\"readinessChecks\":[],\"labels\":{\"owner\":\"team\"},"
                + "\"portDefinitions\":[],\"version\":\"2015-04-17T04:00:14.171Z\",\"tasksRunning\":" + taskJson.size()
                + ",\"tasksHealthy\":" + taskJson.size() + ",\"deployments\":[],\"tasks\":["
                + String.join(",", taskJson) + "]}";
    }

    private static String task(String appId, String id, String host, int port, boolean alive) {
        String instance = id.contains(".instance-") ? id.substring(0, id.indexOf("._app"))
                : id.substring(0, id.lastIndexOf('.')) + ".marathon-" + id.substring(id.lastIndexOf('.') + 1);
        return "{\"appId\":\"" + appId + "\",\"host\":\"" + host + "\",\"id\":\"" + id + "\",\"ipAddresses\":"
                + "[],\"ports\":[" + port + "],\"servicePorts\":[],\"slaveId\":\"agent-" + (port % 97) + "-S0\","
                + "\"stagedAt\":\"2015-08-26T20:23:39.463Z\",\"startedAt\":\"2015-08-26T20:23:44.678Z\","
                + "\"version\":\"2015-04-17T04:00:14.171Z\",\"state\":\"TASK_RUNNING\",\"healthCheckResults\":"
                + "[{\"alive\":" + alive + ",\"consecutiveFailures\":0,\"instanceId\":\"" + instance + "\"}]}";
    }

    /** Just enough HTTP/1.1 for the rig: GETs without bodies, answers with a length. */
    private static final class Http {
        static String readTarget(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            String target = null;
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.ISO_8859_1).strip();
                    line.reset();
                    if (text.isEmpty()) {
                        if (target != null) {
                            return target;
                        }
                        continue;
                    }
                    if (target == null) {
                        String[] parts = text.split(" ");
                        target = parts.length > 1 ? parts[1] : "/";
                    }
                } else {
                    line.write(b);
                }
            }
            return null;
        }

        static void answer(OutputStream out, int status, String type, byte[] body) throws IOException {
            out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
        }

        /** One GET on a fresh connection; the body. */
        static byte[] get(int port, String path) throws IOException {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setTcpNoDelay(true);
                s.setSoTimeout(120_000);
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: scale.test\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                byte[] all = s.getInputStream().readAllBytes();
                String text = new String(all, StandardCharsets.ISO_8859_1);
                int split = text.indexOf("\r\n\r\n");
                if (split < 0 || !text.startsWith("HTTP/1.1 200")) {
                    return new byte[0];
                }
                return java.util.Arrays.copyOfRange(all, split + 4, all.length);
            }
        }
    }
}
