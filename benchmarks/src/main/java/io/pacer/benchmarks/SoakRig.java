package io.pacer.benchmarks;

import io.pacer.proxy.testing.SoakMarathon;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * The long soak run against a real Pacer process ({@code benchmarks/soak.sh} starts both): this
 * rig is Pacer's Marathon and its upstream tasks, and its load. It
 * <ul>
 *   <li>serves a fake Marathon on {@code --marathon-port}: {@code /ping}, {@code /v2/apps} (one app
 *   {@code /app} whose tasks are the rig's {@link EchoUpstream}s) and {@code /v2/events};</li>
 *   <li>keeps {@code --clients} keep-alive connections to Pacer busy with {@code GET /app/soak}
 *   (closed loop, plain sockets: nothing retries behind the rig's back);</li>
 *   <li>churns the routes every 100 ms (one task delisted on every other change, announced on the
 *   event stream), rotates one upstream every second (a new one listed, the oldest delisted and
 *   closed once Pacer's admin API {@code /v1/config} no longer lists it) and ends the event stream
 *   every 2 s;</li>
 *   <li>reads Pacer's resident memory ({@code VmRSS}) and open descriptors from {@code /proc/PID}
 *   after the warm-up and at the end, and prints a summary; exit status 1 when a request failed
 *   or descriptors or memory grew beyond the slack.</li>
 * </ul>
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.pacer.benchmarks.SoakRig --pid PID \
 *     --pacer 127.0.0.1:18180 --admin-port 18181 --marathon-port 18182 [--duration 600] [--clients 8] [--warmup 15]</pre>
 */
public final class SoakRig {

    private static final String REQUEST = "GET /app/soak HTTP/1.1\r\nHost: soak.test\r\n\r\n";
    private static final int TASKS = 3;
    private static final int FD_SLACK = 20;
    private static final long RSS_SLACK_KB = 64 * 1024;
    private static final int SOCKET_TIMEOUT_MS = 10_000;

    private final InetSocketAddress pacer;
    private final int adminPort;
    private final long pid;
    private final LongAdder requests = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final List<String> failureSamples = new CopyOnWriteArrayList<>();
    private final List<Throwable> problems = new CopyOnWriteArrayList<>();
    private final AtomicInteger swaps = new AtomicInteger();
    private final AtomicInteger rotations = new AtomicInteger();
    private final List<EchoUpstream> live = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private SoakRig(InetSocketAddress pacer, int adminPort, long pid) {
        this.pacer = pacer;
        this.adminPort = adminPort;
        this.pid = pid;
    }

    public static void main(String[] args) throws Exception {
        long pid = -1;
        String pacerAddress = null;
        int adminPort = -1;
        int marathonPort = -1;
        long duration = 600;
        long warmup = 15;
        int clients = 8;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage(args[i] + " needs a value");
            }
            String v = args[i + 1];
            switch (args[i]) {
                case "--pid" -> pid = Long.parseLong(v);
                case "--pacer" -> pacerAddress = v;
                case "--admin-port" -> adminPort = Integer.parseInt(v);
                case "--marathon-port" -> marathonPort = Integer.parseInt(v);
                case "--duration" -> duration = Long.parseLong(v);
                case "--warmup" -> warmup = Long.parseLong(v);
                case "--clients" -> clients = Integer.parseInt(v);
                default -> usage("unknown argument " + args[i]);
            }
        }
        if (pid <= 0 || pacerAddress == null || adminPort <= 0 || marathonPort <= 0 || duration <= 0
                || clients <= 0 || warmup < 0) {
            usage("--pid, --pacer, --admin-port and --marathon-port are required; numbers must be positive");
        }
        int colon = pacerAddress.lastIndexOf(':');
        InetSocketAddress address = new InetSocketAddress(pacerAddress.substring(0, colon),
                Integer.parseInt(pacerAddress.substring(colon + 1)));
        int status = new SoakRig(address, adminPort, pid).run(marathonPort, duration, warmup, clients);
        System.exit(status);
    }

    private static void usage(String problem) {
        System.err.println("SoakRig: " + problem);
        System.err.println("usage: SoakRig --pid PID --pacer HOST:PORT --admin-port PORT --marathon-port PORT"
                + " [--duration SECONDS] [--warmup SECONDS] [--clients N]");
        System.exit(2);
    }

    private int run(int marathonPort, long duration, long warmup, int clientCount) throws Exception {
        SoakMarathon marathon = new SoakMarathon(marathonPort);
        ExecutorService clients = Executors.newFixedThreadPool(clientCount, daemon("soak-client"));
        ScheduledExecutorService churn = Executors.newScheduledThreadPool(2, daemon("soak-churn"));
        try {
            for (int i = 0; i < TASKS; i++) {
                live.add(EchoUpstream.start(1, "127.0.0.1", 0));
            }
            marathon.publish(ports());
            log("fake Marathon on 127.0.0.1:" + marathonPort + ", tasks " + ports() + "; waiting for Pacer ("
                    + pacer + ", pid " + pid + ") to route them");
            awaitUntil(60, () -> adminTasks().containsAll(ports()), "Pacer routes the initial tasks");

            AtomicLong stopAt = new AtomicLong(System.nanoTime() + TimeUnit.DAYS.toNanos(1));
            List<Future<?>> loops = new ArrayList<>();
            for (int i = 0; i < clientCount; i++) {
                loops.add(clients.submit(() -> clientLoop(stopAt)));
            }
            log("warming up for " + warmup + " s");
            waitUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup));
            long warmRequests = requests.sum();
            long warmFailures = failures.sum();
            requests.reset();
            failures.reset();
            long[] start = processFigures();
            log(String.format(Locale.ROOT, "start: RSS %d KiB, %d open fds (warm-up: %d requests, %d failed)",
                    start[0], start[1], warmRequests, warmFailures));

            AtomicInteger tick = new AtomicInteger();
            churn.scheduleWithFixedDelay(guarded(() -> {
                List<Integer> ports = ports();
                int n = tick.incrementAndGet();
                if (n % 2 == 1 && ports.size() > 1) {
                    ports.remove(n / 2 % ports.size());
                }
                marathon.publish(ports);
                swaps.incrementAndGet();
            }), 100, 100, TimeUnit.MILLISECONDS);
            churn.scheduleWithFixedDelay(guarded(marathon::dropStreams), 2, 2, TimeUnit.SECONDS);
            churn.scheduleWithFixedDelay(guarded(() -> rotate(marathon)), 1, 1, TimeUnit.SECONDS);

            long t0 = System.nanoTime();
            stopAt.set(t0 + TimeUnit.SECONDS.toNanos(duration));
            long nextReport = t0 + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() - stopAt.get() < 0) {
                waitUntil(Math.min(nextReport, stopAt.get()));
                if (System.nanoTime() - nextReport >= 0 && System.nanoTime() - stopAt.get() < 0) {
                    long[] now = processFigures();
                    log(String.format(Locale.ROOT, "%3d s: %d requests, %d failed, RSS %d KiB, %d fds",
                            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0), requests.sum(),
                            failures.sum(), now[0], now[1]));
                    nextReport += TimeUnit.SECONDS.toNanos(60);
                }
            }
            for (Future<?> loop : loops) {
                loop.get(60, TimeUnit.SECONDS);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            churn.shutdown();
            if (!churn.awaitTermination(30, TimeUnit.SECONDS)) {
                problems.add(new IllegalStateException("churn tasks did not stop within 30 s"));
            }
            int drops = marathon.drops();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (marathon.streamsOpened() <= drops && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            boolean reattached = marathon.streamsOpened() > drops;
            long[] end = processFigures();

            List<String> verdict = new ArrayList<>();
            if (failures.sum() > 0) {
                verdict.add(failures.sum() + " failed requests, first: " + failureSamples);
            }
            if (end[1] > start[1] + FD_SLACK) {
                verdict.add("open fds grew by " + (end[1] - start[1]) + " (slack " + FD_SLACK + ")");
            }
            if (end[0] > start[0] + RSS_SLACK_KB) {
                verdict.add("RSS grew by " + (end[0] - start[0]) + " KiB (slack " + RSS_SLACK_KB + " KiB)");
            }
            if (!reattached) {
                verdict.add("Pacer did not reopen the event stream after the last drop");
            }
            if (!problems.isEmpty()) {
                verdict.add("rig problems: " + problems);
            }
            System.out.printf(Locale.ROOT, "soak: %.0f s, %d clients: %d requests (%.0f/s), %d failed%n",
                    seconds, clientCount, requests.sum(), requests.sum() / seconds, failures.sum());
            System.out.printf(Locale.ROOT, "soak: %d route changes, %d upstream rotations, %d Marathon stream drops"
                    + " (%d streams opened)%n", swaps.get(), rotations.get(), drops, marathon.streamsOpened());
            System.out.printf(Locale.ROOT, "soak: pacer pid %d: RSS %d KiB -> %d KiB (%+d), open fds %d -> %d (%+d)%n",
                    pid, start[0], end[0], end[0] - start[0], start[1], end[1], end[1] - start[1]);
            System.out.println("soak: " + (verdict.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", verdict)));
            return verdict.isEmpty() ? 0 : 1;
        } finally {
            churn.shutdownNow();
            clients.shutdownNow();
            marathon.close();
            for (EchoUpstream up : live) {
                up.close();
            }
        }
    }

    // ---- load ----------------------------------------------------------------------------------

    private void clientLoop(AtomicLong stopAt) {
        Connection c = null;
        try {
            while (System.nanoTime() - stopAt.get() < 0) {
                try {
                    if (c == null) {
                        c = new Connection(pacer);
                    }
                    int status = c.get();
                    requests.increment();
                    if (status != 200) {
                        fail("status " + status);
                    }
                    if (c.closed) {
                        fail("Pacer closed a keep-alive connection");
                        c.close();
                        c = null;
                    }
                } catch (IOException e) {
                    requests.increment();
                    fail(e.toString());
                    if (c != null) {
                        c.close();
                    }
                    c = null;
                }
            }
        } finally {
            if (c != null) {
                c.close();
            }
        }
    }

    private void fail(String what) {
        failures.increment();
        if (failureSamples.size() < 5) {
            failureSamples.add(what);
        }
    }

    /** One keep-alive HTTP/1.1 connection reading Content-Length or chunked answers; no retries. */
    private static final class Connection {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;
        boolean closed;

        Connection(InetSocketAddress address) throws IOException {
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(SOCKET_TIMEOUT_MS);
                socket.connect(address, SOCKET_TIMEOUT_MS);
                in = new BufferedInputStream(socket.getInputStream());
                out = socket.getOutputStream();
            } catch (IOException e) {
                socket.close();
                throw e;
            }
        }

        int get() throws IOException {
            out.write(REQUEST.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                String name = colon < 0 ? h : h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = colon < 0 ? "" : h.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> closed = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                        size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    skip(size);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length > 0) {
                skip(length);
            } else if (length < 0) {
                throw new IOException("answer " + status + " without a length");
            }
            return status;
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed by Pacer mid-answer");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        private void skip(long n) throws IOException {
            for (long left = n; left > 0; ) {
                long skipped = in.skip(left);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed by Pacer mid-body");
                    }
                    skipped = 1;
                }
                left -= skipped;
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    // ---- upstream rotation ---------------------------------------------------------------------

    /** New task listed; oldest delisted, closed once Pacer's table no longer has it. */
    private void rotate(SoakMarathon marathon) {
        EchoUpstream fresh;
        try {
            fresh = EchoUpstream.start(1, "127.0.0.1", 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        live.add(fresh);
        EchoUpstream old = live.remove(0);
        long delisted = marathon.publish(ports());
        int port = old.addresses().get(0).getPort();
        try {
            awaitUntil(10, () -> marathon.servedGeneration() >= delisted && !adminTasks().contains(port),
                    "Pacer drops task " + port);
        } finally {
            old.close();
        }
        rotations.incrementAndGet();
    }

    private List<Integer> ports() {
        List<Integer> out = new ArrayList<>();
        for (EchoUpstream up : live) {
            out.add(up.addresses().get(0).getPort());
        }
        return out;
    }

    /** Ports of the tasks Pacer's admin API lists for {@code /app}; empty when it cannot be asked. */
    private Set<Integer> adminTasks() {
        Set<Integer> out = ConcurrentHashMap.newKeySet();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + adminPort + "/v1/config")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            String body = r.body();
            for (int i = body.indexOf("\"127.0.0.1:"); i >= 0; i = body.indexOf("\"127.0.0.1:", i + 1)) {
                int from = i + "\"127.0.0.1:".length();
                int to = body.indexOf('"', from);
                out.add(Integer.parseInt(body.substring(from, to)));
            }
        } catch (IOException | NumberFormatException e) {
            return Set.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    // ---- figures -------------------------------------------------------------------------------

    /** {VmRSS in KiB, open descriptors} of the Pacer process. */
    private long[] processFigures() throws IOException {
        long rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        long fds;
        try (Stream<Path> entries = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            fds = entries.count();
        }
        return new long[] {rss, fds};
    }

    // ---- plumbing ------------------------------------------------------------------------------

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void awaitUntil(long seconds, Condition condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (!condition.holds()) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IllegalStateException("timed out after " + seconds + " s waiting until " + what);
                }
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting until " + what, e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitUntil(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)));
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (Throwable t) {
                problems.add(t);
                log("problem: " + t);
            }
        };
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void log(String message) {
        System.out.println("soak-rig: " + message);
    }
}
