package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.UnixOperatingSystemMXBean;
import io.pacer.proxy.testing.Await;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RawResponse;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Slow and idle clients: a trickled head is cut at client_header_timeout; idle connections cost active ones nothing. */
class SlowClientsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    @Test
    void headTricklingInIsCutAtClientHeaderTimeout() throws Exception {
        TestUpstream up = track(TestUpstream.start("up", req -> Reply.ok("ok")));
        TestProxy proxy = track(TestProxy.start(TestProxy.table(TestProxy.app("/app", up)),
                cfg -> cfg.clientHeaderTimeout(Duration.ofMillis(600))));
        RawHttp raw = track(proxy.connect());
        String head = "GET /app/x HTTP/1.1\r\nHost: t\r\nX-Slow: " + "s".repeat(200) + "\r\n\r\n";
        AtomicInteger sent = new AtomicInteger();
        long start = System.nanoTime();
        Thread trickler = new Thread(() -> {
            try {
                for (int i = 0; i < head.length() - 4; i++) { // never the end of the head
                    raw.send(head.substring(i, i + 1));
                    sent.incrementAndGet();
                    Thread.sleep(20); // the client's pace, not a wait for a condition
                }
            } catch (IOException | InterruptedException e) {
                // cut by Pacer
            }
        }, "slowloris");
        trickler.setDaemon(true);
        trickler.start();
        assertTrue(raw.isClosedByPeer(TIMEOUT), "a trickled head was not cut");
        long millis = (System.nanoTime() - start) / 1_000_000;
        trickler.interrupt();
        trickler.join(TIMEOUT.toMillis());
        assertTrue(millis >= 500 && millis < 3000, "cut after " + millis + " ms, client_header_timeout is 600 ms");
        assertTrue(sent.get() > 10, "the client kept sending: " + sent.get() + " bytes");
        assertEquals(0, up.requestCount());
    }

    @Test
    void thousandsOfIdleConnectionsDoNotSlowActiveOnes() throws Exception {
        int wanted = Integer.getInteger("pacer.test.idleConnections", 10_000);
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long maxFds = os instanceof UnixOperatingSystemMXBean unix ? unix.getMaxFileDescriptorCount() : 4096;
        // Both ends live in this JVM: two descriptors per connection, and room for everything else.
        int idle = (int) Math.max(100, Math.min(wanted, (maxFds - 2000) / 2));
        System.out.println("SlowClientsTest: " + idle + " idle connections (wanted " + wanted + ", fd limit " + maxFds + ")");
        TestUpstream up = track(TestUpstream.start("up", req -> Reply.ok("ok")));
        TestProxy proxy = track(TestProxy.start(TestProxy.table(TestProxy.app("/app", up))));
        RawHttp active = track(proxy.connect());
        long[] before = latencies(active, 300);

        List<Socket> sockets = new ArrayList<>(idle);
        track(() -> {
            for (Socket s : sockets) {
                s.close();
            }
        });
        InetSocketAddress address = proxy.address();
        for (int i = 0; i < idle; i++) {
            Socket s = new Socket();
            sockets.add(s);
            s.connect(address, 5000);
            if (i % 3 == 0) {
                s.getOutputStream().write("GET /app/".getBytes()); // a head begun, never finished
            }
        }
        Await.until(Duration.ofSeconds(20), () -> proxy.server().stats().clientConnections() >= idle + 1,
                () -> "connections open: " + proxy.server().stats().clientConnections());
        long[] after = latencies(active, 300);
        long p99Before = before[before.length * 99 / 100];
        long p99After = after[after.length * 99 / 100];
        System.out.printf("SlowClientsTest: p50/p99 before %.2f/%.2f ms, with %d idle %.2f/%.2f ms%n",
                before[before.length / 2] / 1e6, p99Before / 1e6, idle, after[after.length / 2] / 1e6, p99After / 1e6);
        assertTrue(p99After < 200_000_000L, "p99 " + p99After / 1e6 + " ms with " + idle + " idle connections");
        assertEquals(idle + 1, proxy.server().stats().clientConnections(), "idle connections were dropped");
        // And a fresh client still gets in and is served.
        try (RawHttp fresh = proxy.connect()) {
            assertEquals(200, fresh.send("GET /app/fresh HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(TIMEOUT).status());
        }
    }

    private static long[] latencies(RawHttp raw, int n) throws IOException {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long t = System.nanoTime();
            RawResponse r = raw.send("GET /app/" + i + " HTTP/1.1\r\nHost: t\r\n\r\n").readResponse(TIMEOUT);
            out[i] = System.nanoTime() - t;
            assertEquals(200, r.status());
        }
        Arrays.sort(out);
        return out;
    }
}
