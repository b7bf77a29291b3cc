package io.pacer.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.pacer.proxy.testing.RawHttp;
import io.pacer.proxy.testing.RequestMutations;
import io.pacer.proxy.testing.Reply;
import io.pacer.proxy.testing.TestProxy;
import io.pacer.proxy.testing.TestUpstream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A seeded mutation fuzzer of the front door, over real sockets: well-formed requests mutated
 * (bit flips, CR/LF/NUL/':'/space/tab inserted, ranges deleted or duplicated, header lines
 * repeated, chunk sizes replaced, truncations, splices, random bytes) and sent in random
 * segments. Every input must get an answer that starts as HTTP/1.1 does, or a close, within a
 * deadline, never a hang; no exception may reach Netty's logger; buffers must not leak (checked
 * by the LeakCheckExtension).
 *
 * <p>Runs for {@code -Dpacer.fuzz.seconds} (default 20) with {@code -Dpacer.fuzz.seed} (default
 * random, printed so that a failure can be replayed).
 */
class FrontDoorFuzzTest {

    private static final Duration ANSWER_DEADLINE = Duration.ofSeconds(5);
    private static final int THREADS = Integer.getInteger("pacer.fuzz.threads", 2);


    /** Collects WARN and ERROR events of Netty and of Pacer's data plane. */
    private static final class Collector extends AppenderBase<ILoggingEvent> {
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

        final AtomicLong known = new AtomicLong();

        @Override
        protected void append(ILoggingEvent e) {
            if (e.getFormattedMessage().startsWith("request head while another is in flight")) {
                known.incrementAndGet(); // ClientHalfCloseTest: a known bug, reported
                return;
            }
            if (e.getLevel().isGreaterOrEqual(Level.WARN)
                    && (e.getLoggerName().startsWith("io.netty") || e.getLoggerName().startsWith("io.pacer.proxy"))) {
                events.add(e.getLoggerName() + ": " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getClassName() + ": "
                        + e.getThrowableProxy().getMessage()));
            }
        }
    }

    @Test
    void everyInputGetsAnAnswerOrACloseAndNothingEscapes() throws Exception {
        long seconds = Long.getLong("pacer.fuzz.seconds", 20);
        long seed = Long.getLong("pacer.fuzz.seed", System.nanoTime());
        System.out.println("FrontDoorFuzzTest: seed " + seed + " (-Dpacer.fuzz.seed), " + seconds + " s");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Collector collector = new Collector();
        collector.start();
        root.addAppender(collector);
        AtomicLong inputs = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        try (TestUpstream up = TestUpstream.start("up", req -> Reply.ok(req.method() + " " + req.body().length));
             TestProxy proxy = TestProxy.start(TestProxy.table(TestProxy.app("/app", up)),
                     cfg -> cfg.clientHeaderTimeout(Duration.ofSeconds(2)).clientBodyTimeout(Duration.ofSeconds(2))
                             .maxUriSize(1024).maxHeaderSize(4096).maxBodySize(64 * 1024))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                Random random = new Random(seed + t);
                Thread worker = new Thread(() -> {
                    while (System.nanoTime() - deadline < 0 && failures.size() < 5) {
                        byte[] input = RequestMutations.mutate(random);
                        inputs.incrementAndGet();
                        int logged = collector.events.size();
                        try {
                            String problem = exchange(proxy, input, random);
                            if (collector.events.size() > logged) {
                                // With one thread (-Dpacer.fuzz.threads=1) this is the input that was logged about.
                                collector.events.add("  (during input " + HexFormat.of().formatHex(input) + ")");
                            }
                            if (problem == null) {
                                answered.incrementAndGet();
                            } else if (!problem.isEmpty()) {
                                failures.add(problem + " for input " + HexFormat.of().formatHex(input));
                            }
                        } catch (IOException e) {
                            failures.add(e + " for input " + HexFormat.of().formatHex(input));
                        }
                    }
                }, "fuzz-" + t);
                worker.start();
                workers.add(worker);
            }
            for (Thread w : workers) {
                w.join(Duration.ofSeconds(seconds + 30).toMillis());
                assertTrue(!w.isAlive(), "fuzz worker hung");
            }
        } finally {
            root.detachAppender(collector);
        }
        System.out.println("FrontDoorFuzzTest: " + inputs.get() + " inputs, " + answered.get()
                + " with an HTTP answer, the rest closed; known half-close warnings: " + collector.known.get());
        assertTrue(failures.isEmpty(), () -> "seed " + seed + ": " + String.join("\n", failures));
        assertEquals(List.of(), List.copyOf(collector.events), "seed " + seed + ": logged");
        assertTrue(inputs.get() > 100, "too few inputs: " + inputs.get());
    }

    /**
     * Sends one input and half-closes. {@code null}: answered; {@code ""}: closed without an answer;
     * anything else: the problem.
     */
    private static String exchange(TestProxy proxy, byte[] input, Random random) throws IOException {
        try (RawHttp raw = proxy.connect()) {
            try {
                int at = 0;
                while (at < input.length) {
                    int n = Math.min(input.length - at, 1 + random.nextInt(Math.max(1, input.length)));
                    raw.send(Arrays.copyOfRange(input, at, at + n));
                    at += n;
                }
                raw.shutdownOutput();
            } catch (IOException e) {
                // Pacer closed while we were still sending: allowed
            }
            byte[] got = raw.readRaw(ANSWER_DEADLINE);
            if (!raw.isClosedByPeer(Duration.ofMillis(1))) {
                return "no close within " + ANSWER_DEADLINE.toSeconds() + " s (got " + got.length + " bytes)";
            }
            if (got.length == 0) {
                return "";
            }
            String text = new String(got, 0, Math.min(got.length, 9), StandardCharsets.ISO_8859_1);
            return text.equals("HTTP/1.1 ") ? null : "answer does not start with HTTP/1.1: " + text;
        }
    }
}
